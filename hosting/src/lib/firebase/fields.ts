/**
 * Reading untrusted Firestore values: each reader takes `unknown` and returns the typed
 * value or a fallback, never throws. Pure, so the converters built on it are unit-tested.
 */
import type { JsonObject, JsonValue } from "../../types/json";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

export function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export function nonEmptyStringOrNull(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

export function dateOrNull(value: unknown): Date | null {
  // Firestore Timestamps (and anything else with toDate) become Dates.
  if (isRecord(value) && typeof value.toDate === "function") {
    const date: unknown = value.toDate();
    return date instanceof Date ? date : null;
  }
  return null;
}

/** Plain JSON from a Firestore value (maps, lists, strings, numbers, booleans, null). */
export function toJsonValue(value: unknown): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (isRecord(value)) {
    const date = dateOrNull(value);
    if (date) return date.toISOString();
    return toJsonObject(value);
  }
  return null;
}

/** A JSON object from a Firestore map; anything else (a list included) is `{}`. */
export function toJsonObject(value: unknown): JsonObject {
  const result: JsonObject = {};
  if (!isRecord(value) || Array.isArray(value)) return result;
  for (const [key, item] of Object.entries(value)) {
    // defineProperty: a key named "__proto__" stays a plain key, as JSON.parse keeps it.
    Object.defineProperty(result, key, {
      value: toJsonValue(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}
