import { Timestamp } from "firebase/firestore";
import { describe, expect, it } from "vitest";
import {
  dateOrNull,
  isRecord,
  nonEmptyStringOrNull,
  numberOr,
  stringOr,
  stringOrNull,
  toJsonObject,
  toJsonValue,
} from "./fields";

describe("scalar readers", () => {
  it("keep a value of the right type and fall back otherwise", () => {
    expect(numberOr(3, 0)).toBe(3);
    expect(numberOr("3", 7)).toBe(7);
    expect(numberOr(Number.NaN, 7)).toBe(7);
    expect(numberOr(Number.POSITIVE_INFINITY, 7)).toBe(7);
    expect(stringOr("a", "b")).toBe("a");
    expect(stringOr(1, "b")).toBe("b");
    expect(stringOrNull("")).toBe("");
    expect(stringOrNull(undefined)).toBeNull();
    expect(nonEmptyStringOrNull("  ")).toBeNull();
    expect(nonEmptyStringOrNull("x")).toBe("x");
    expect(nonEmptyStringOrNull(5)).toBeNull();
  });

  it("count lists as records but not null", () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord([])).toBe(true);
    expect(isRecord(null)).toBe(false);
    expect(isRecord("x")).toBe(false);
  });
});

describe("dateOrNull", () => {
  it("reads a Firestore Timestamp", () => {
    const when = new Date("2026-03-04T05:06:07.000Z");
    expect(dateOrNull(Timestamp.fromDate(when))).toEqual(when);
  });

  it("reads anything with a toDate that returns a Date", () => {
    const when = new Date(0);
    expect(dateOrNull({ toDate: () => when })).toBe(when);
  });

  it("gives null for strings, numbers, Dates' look-alikes and bad toDate", () => {
    expect(dateOrNull("2026-03-04T05:06:07Z")).toBeNull();
    expect(dateOrNull(1_700_000_000)).toBeNull();
    expect(dateOrNull({ toDate: () => "yesterday" })).toBeNull();
    expect(dateOrNull(null)).toBeNull();
  });
});

describe("toJsonValue", () => {
  it("keeps plain JSON as it is", () => {
    const value = { a: [1, "two", true, null, { b: 2.5 }] };
    expect(toJsonValue(value)).toEqual(value);
  });

  it("turns timestamps into ISO strings and the unrepresentable into null", () => {
    const when = new Date("2026-01-02T03:04:05.000Z");
    expect(
      toJsonValue({ at: Timestamp.fromDate(when), n: Number.NaN, f: () => 1, u: undefined }),
    ).toEqual({ at: "2026-01-02T03:04:05.000Z", n: null, f: null, u: null });
  });
});

describe("toJsonObject", () => {
  it("gives {} for a list or a scalar", () => {
    expect(toJsonObject([1, 2])).toEqual({});
    expect(toJsonObject("x")).toEqual({});
    expect(toJsonObject(undefined)).toEqual({});
  });

  it('keeps a "__proto__" key as a plain own key', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown;
    const result = toJsonObject(value);
    expect(Object.keys(result)).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
