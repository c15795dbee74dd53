/**
 * Error paths between the server, the JSON Schema validators and the forms: a save error's
 * `field` (`nodes[2].config.url`) split into the node it is about and the field in that
 * node's form, ajv's instance paths (`/cases/0/when`) in the same dotted form, those
 * paths as the error tree a form shows, and the position in a template or condition that
 * the save-time check's message names. Pure.
 */

/** A path as the server writes it: `config.cases[0].when`. */
export type FieldPath = string;

/** Errors of one node or trigger: path inside it (`config.url`, `name`, `cron`) → messages. */
export type FieldErrors = Record<FieldPath, string[]>;

export type ErrorTarget =
  | { kind: "node"; index: number; nodeId: string | null; path: FieldPath }
  | { kind: "trigger"; index: number; path: FieldPath }
  | { kind: "definition"; path: FieldPath };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The path's parts: `config.cases[0].when` → ["config", "cases", 0, "when"]. */
export function pathParts(path: FieldPath): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) parts.push(Number(match[2]));
    else if (match[1] !== undefined) parts.push(match[1]);
  }
  return parts;
}

/** Parts back into a path: ["cases", 0, "when"] → `cases[0].when`. */
export function joinPath(parts: readonly (string | number)[]): FieldPath {
  return parts
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : index === 0 ? part : `.${part}`,
    )
    .join("");
}

/** What a server error's `field` names: a node (by index and id), a trigger, or the rest. */
export function errorTarget(field: FieldPath, definition: { nodes?: unknown }): ErrorTarget {
  const match = /^(nodes|triggers)\[(\d+)\](?:\.(.*))?$/.exec(field);
  if (!match) return { kind: "definition", path: field };
  const index = Number(match[2]);
  const path = match[3] ?? "";
  if (match[1] === "triggers") return { kind: "trigger", index, path };
  const nodes = Array.isArray(definition.nodes) ? definition.nodes : [];
  const node: unknown = nodes[index];
  const id = isRecord(node) && typeof node.id === "string" ? node.id : null;
  return { kind: "node", index, nodeId: id, path };
}

/** The server's message without the path it starts with (`nodes[1].config.url: …`). */
export function messageWithoutPath(field: FieldPath, message: string): string {
  const prefix = `${field}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/**
 * A save error as per-node errors, the shape the canvas badges and the inspector take:
 * `{ [nodeId]: { "config.url": ["invalid template: …"] } }`; a trigger's under
 * `trigger:<index>`. Null when the error is about no node or trigger.
 */
export function errorsByItem(
  field: FieldPath,
  message: string,
  definition: { nodes?: unknown },
): { key: string; errors: FieldErrors } | null {
  const target = errorTarget(field, definition);
  const text = messageWithoutPath(field, message);
  if (target.kind === "node") {
    return { key: target.nodeId ?? `node:${target.index}`, errors: { [target.path]: [text] } };
  }
  if (target.kind === "trigger") return { key: `trigger:${target.index}`, errors: { [target.path]: [text] } };
  return null;
}

/**
 * An ajv error's place as a dotted path: `instancePath` `/cases/0/when` → `cases[0].when`;
 * a missing required property is the property's own path (`url`), so it lands on its field.
 */
export function ajvPath(instancePath: string, params?: Record<string, unknown>): FieldPath {
  const parts: (string | number)[] = instancePath
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const missing = params?.missingProperty;
  if (typeof missing === "string") parts.push(missing);
  return joinPath(parts);
}

/** An rjsf error tree (`{cases: {0: {when: {__errors: [...]}}}}`) from paths under `prefix`. */
export interface ErrorTree {
  __errors?: string[];
  [key: string]: ErrorTree | string[] | undefined;
}

export function errorTree(errors: FieldErrors, prefix = ""): ErrorTree {
  const tree: ErrorTree = {};
  const base = prefix === "" ? [] : pathParts(prefix);
  for (const [path, messages] of Object.entries(errors)) {
    const parts = pathParts(path);
    if (base.some((part, index) => parts[index] !== part)) continue;
    let node = tree;
    for (const part of parts.slice(base.length)) {
      const key = String(part);
      const next = node[key];
      if (next === undefined || Array.isArray(next)) {
        const child: ErrorTree = {};
        node[key] = child;
        node = child;
      } else {
        node = next;
      }
    }
    node.__errors = [...(node.__errors ?? []), ...messages];
  }
  return tree;
}

/** Errors at `prefix` and under it, with `prefix` taken off their paths. */
export function errorsUnder(errors: FieldErrors, prefix: FieldPath): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, messages] of Object.entries(errors)) {
    if (path === prefix) out[""] = [...(out[""] ?? []), ...messages];
    else if (path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`)) {
      const rest = path.slice(prefix.length).replace(/^\./, "");
      out[rest] = [...(out[rest] ?? []), ...messages];
    }
  }
  return out;
}

export interface SourceRange {
  from: number;
  to: number;
}

/** Offset of 1-based `line` and `column` in `source`, clamped to the text. */
function offsetOf(source: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current += 1) {
    const next = source.indexOf("\n", offset);
    if (next < 0) return source.length;
    offset = next + 1;
  }
  const end = source.indexOf("\n", offset);
  const lineEnd = end < 0 ? source.length : end;
  return Math.min(offset + Math.max(0, column - 1), lineEnd);
}

/**
 * Where in `source` the save-time check's message points: a condition's `L:C:` (CEL's
 * position, 1-based) as that character; a template's `(line N)` as that whole line.
 * Null when the message names no position.
 */
export function diagnosticRange(message: string, source: string): SourceRange | null {
  const cel = /invalid condition: (\d+):(\d+):/.exec(message);
  if (cel) {
    const from = offsetOf(source, Number(cel[1]), Number(cel[2]));
    return { from, to: Math.min(source.length, from + 1) };
  }
  const line = /\(line (\d+)\)\s*$/.exec(message);
  if (line) {
    const from = offsetOf(source, Number(line[1]), 1);
    const end = source.indexOf("\n", from);
    return { from, to: end < 0 ? source.length : end };
  }
  return null;
}

/** The first line of a message (CEL's adds the source and a caret below it). */
export function firstLine(message: string): string {
  return message.split("\n", 1)[0] ?? message;
}

/**
 * The inspector's `errors` prop in one shape: a map of path → message(s), or a list of
 * messages that start with their path (`config.url: invalid template …`, as the server
 * writes them; a message without one is about the whole node).
 */
export type InspectorErrors = Readonly<Record<string, string | readonly string[]>> | readonly string[];

export function normalizeErrors(errors: InspectorErrors | null | undefined): FieldErrors {
  const out: FieldErrors = {};
  const add = (full: string, message: string) => {
    // A path from the definition's root (`nodes[2].config.url`) is made the node's own.
    const path = full.replace(/^(?:nodes|triggers)\[\d+\]\.?/, "");
    const list = out[path] ?? [];
    if (!list.includes(message)) list.push(message);
    out[path] = list;
  };
  if (!errors) return out;
  if (Array.isArray(errors)) {
    for (const message of errors as readonly string[]) {
      const match = /^((?:[A-Za-z_][\w-]*|\[\d+\])(?:\.[A-Za-z_][\w-]*|\[\d+\])*): ([\s\S]*)$/.exec(message);
      if (match) add(match[1] as string, match[2] as string);
      else add("", message);
    }
    return out;
  }
  for (const [path, value] of Object.entries(errors as Record<string, string | readonly string[]>)) {
    for (const message of typeof value === "string" ? [value] : value) add(path, message);
  }
  return out;
}
