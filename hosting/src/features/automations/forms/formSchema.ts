/**
 * From the server's JSON Schemas (exported from the pydantic models) to what the form
 * library renders: the schema with `$ref`s inlined, "X or null" read as an optional X,
 * pydantic's generated titles replaced by readable labels, and defaults moved to
 * placeholders (so that opening a node's form does not write every default into the
 * definition); and the ui schema that puts the expression editor on every template and
 * CEL field. Which fields are templates or conditions is the models' `sources()`
 * (shared/workflows/models.py); the table below follows it. Pure.
 */
import type { ExpressionMode } from "./scope";

export type JsonSchema = Record<string, unknown>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The template and CEL fields of each node config and trigger, as paths in the config:
 * `cases[].when` is every case's `when`, `headers.*` every header value. Fields marked
 * "long" get a taller editor.
 */
export const EXPRESSION_FIELDS: Record<string, Record<string, ExpressionMode>> = {
  ai: { prompt: "template" },
  http: { url: "template", "headers.*": "template", body: "template" },
  delay: { until: "template" },
  condition: { "cases[].when": "cel" },
  transform: { template: "template" },
  task: { title: "template", notes: "template" },
  notify: { title: "template", body: "template" },
  decision: { question: "template", context: "template" },
};

export const TRIGGER_EXPRESSION_FIELDS: Record<string, Record<string, ExpressionMode>> = {
  event: { filter: "cel" },
};

/** Fields that read best on several lines. */
const LONG_FIELDS = new Set(["prompt", "body", "template", "notes", "context"]);

/** Fields whose value is free JSON (every string in `event.data` is a template). */
export const JSON_FIELDS: Record<string, string[]> = {
  ai: ["schema"],
  event: ["data"],
};

/** Labels the words of a key would not give. */
const LABELS: Record<string, string> = {
  url: "URL",
  cel: "CEL",
  continueOnError: "Continue on error",
  typePattern: "Event type pattern",
  dueInSeconds: "Due in (seconds)",
  timeoutSeconds: "Timeout (seconds)",
  backoffSeconds: "Backoff (seconds)",
  maxResponseBytes: "Max response bytes",
  seconds: "Wait (seconds)",
  until: "Until (template)",
  on: "On operations",
  when: "When (CEL)",
};

/** A readable label for a camelCase key: `timeoutSeconds` → "Timeout (seconds)". */
export function fieldLabel(key: string): string {
  const known = LABELS[key];
  if (known) return known;
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema | undefined {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!match) return undefined;
  const defs = root[match[1] as string];
  const found = isRecord(defs) ? defs[decodeURIComponent(match[2] as string)] : undefined;
  return isRecord(found) ? found : undefined;
}

/** `anyOf: [X, {type: "null"}]` → X, with the outer keywords (description…) kept. */
function withoutNull(schema: JsonSchema): JsonSchema {
  const options = schema.anyOf;
  if (!Array.isArray(options)) return schema;
  const rest = options.filter((option) => !(isRecord(option) && option.type === "null"));
  if (rest.length !== 1 || rest.length === options.length || !isRecord(rest[0])) return schema;
  const { anyOf: _drop, ...outer } = schema;
  void _drop;
  return { ...rest[0], ...outer };
}

/**
 * The schema as the form renders it (see the module's comment). `key` is the property the
 * schema is for (its label).
 */
export function formSchema(schema: JsonSchema, root: JsonSchema = schema, key?: string, depth = 0): JsonSchema {
  if (depth > 20) return schema;
  let current = schema;
  if (typeof current.$ref === "string") {
    const target = resolveRef(current.$ref, root);
    const { $ref: _ref, ...outer } = current;
    void _ref;
    current = target ? { ...target, ...outer } : outer;
  }
  current = withoutNull(current);
  const out: JsonSchema = {};
  for (const [name, value] of Object.entries(current)) {
    if (name === "$defs" || name === "definitions" || name === "title" || name === "default") continue;
    if (name === "properties" && isRecord(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([prop, sub]) => [
          prop,
          isRecord(sub) ? formSchema(sub, root, prop, depth + 1) : sub,
        ]),
      );
    } else if ((name === "items" || name === "additionalProperties") && isRecord(value)) {
      out[name] = formSchema(value, root, undefined, depth + 1);
    } else if ((name === "anyOf" || name === "oneOf" || name === "allOf") && Array.isArray(value)) {
      out[name] = value.map((option) =>
        isRecord(option) ? formSchema(option, root, undefined, depth + 1) : option,
      );
    } else {
      out[name] = value;
    }
  }
  // A list of choices (a firestore trigger's `on`) reads as checkboxes; the server
  // refuses repeats anyway.
  if (out.type === "array" && isRecord(out.items) && Array.isArray(out.items.enum)) out.uniqueItems = true;
  if (key !== undefined) out.title = fieldLabel(key);
  return out;
}

/** The defaults in a schema's properties (`{method: "GET", timeoutSeconds: 10}`). */
export function propertyDefaults(schema: JsonSchema, root: JsonSchema = schema): Record<string, unknown> {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const defaults: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(properties)) {
    if (!isRecord(sub)) continue;
    const resolved = typeof sub.$ref === "string" ? (resolveRef(sub.$ref, root) ?? sub) : sub;
    if ("default" in sub) defaults[key] = sub.default;
    else if ("default" in resolved) defaults[key] = resolved.default;
  }
  return defaults;
}

export type UiSchema = Record<string, unknown>;

function setIn(ui: UiSchema, parts: string[], value: UiSchema): void {
  let node = ui;
  for (const part of parts) {
    const next = node[part];
    const child: UiSchema = isRecord(next) ? next : {};
    node[part] = child;
    node = child;
  }
  Object.assign(node, value);
}

/** Where a field path of EXPRESSION_FIELDS sits in a ui schema. */
function uiParts(path: string): string[] {
  return path.split(".").flatMap((part) => {
    if (part === "*") return ["additionalProperties"];
    if (part.endsWith("[]")) return [part.slice(0, -2), "items"];
    return [part];
  });
}

/**
 * The ui schema of a config (`kind` "node") or trigger form: the expression editor on its
 * templates and conditions, the JSON editor on free JSON, defaults as placeholders.
 */
export function uiSchemaFor(
  kind: "node" | "trigger",
  type: string,
  schema: JsonSchema,
  root: JsonSchema = schema,
): UiSchema {
  const ui: UiSchema = {};
  const table = kind === "node" ? EXPRESSION_FIELDS : TRIGGER_EXPRESSION_FIELDS;
  for (const [path, mode] of Object.entries(table[type] ?? {})) {
    const last = path.split(".").pop()?.replace("[]", "") ?? path;
    setIn(ui, uiParts(path), {
      "ui:widget": "expression",
      "ui:options": { mode, multiline: LONG_FIELDS.has(last) },
    });
  }
  if (kind === "node") {
    for (const field of JSON_FIELDS[type] ?? []) setIn(ui, [field], { "ui:field": "json" });
  } else {
    setIn(ui, ["type"], { "ui:widget": "hidden" });
  }
  const shown = formSchema(schema, root);
  for (const [key, sub] of Object.entries(isRecord(shown.properties) ? shown.properties : {})) {
    if (!isRecord(sub) || sub.type !== "array" || !isRecord(sub.items)) continue;
    if (sub.uniqueItems === true) setIn(ui, [key], { "ui:widget": "checkboxes" });
    else if (sub.items.type === "object") {
      const title = typeof sub.title === "string" ? sub.title.replace(/s$/, "") : key;
      setIn(ui, [key, "items"], { "ui:title": title });
    }
  }
  for (const [key, value] of Object.entries(propertyDefaults(schema, root))) {
    if (value === null || typeof value === "object") continue;
    setIn(ui, [key], { "ui:placeholder": String(value) });
  }
  return ui;
}

/** The form data with every undefined value and empty optional container left out. */
export function pruneUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : pruneUndefined(item)));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    out[key] = pruneUndefined(item);
  }
  return out;
}

/** Deep equality of JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, index) => sameJson(item, b[index]))
    );
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a).filter((key) => a[key] !== undefined);
  const other = Object.keys(b).filter((key) => b[key] !== undefined);
  return keys.length === other.length && keys.every((key) => sameJson(a[key], b[key]));
}
