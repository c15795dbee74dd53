/**
 * What a template or condition can read, taken from the definition being edited, and the
 * completions the expression editor offers at a position. Pure: no CodeMirror here.
 *
 * The run-time scope (shared/workflows/executions.py `_context`): `input` (the run's
 * input), `vars` (the definition's variables), `nodes.<id>.output` and `.status` (steps
 * that ran before), `trigger` (what started the run). An event trigger's `filter` sees
 * only `event` (shared/workflows/triggers.py).
 */

export type ExpressionMode = "template" | "cel";

/** A node, as far as this module needs one. */
interface NodeLike {
  id?: unknown;
  type?: unknown;
  name?: unknown;
  config?: unknown;
}

/** A definition, as far as this module needs one (tolerant of anything malformed). */
export interface DefinitionLike {
  nodes?: unknown;
  edges?: unknown;
  variables?: unknown;
  triggers?: unknown;
}

export interface ScopeNode {
  id: string;
  type: string;
  name: string | null;
  /** The keys of its output, where its type says what they are. */
  output: string[];
}

export interface Scope {
  /** The names a source may start with. */
  roots: string[];
  /** Keys of each root that are known, by root ("vars" → the variable names). */
  fields: Record<string, string[]>;
  /** The nodes whose output this source may read (those that run before it). */
  nodes: ScopeNode[];
}

export interface Completion {
  label: string;
  /** What is inserted (differs from the label for ids that need brackets). */
  apply: string;
  detail: string;
  type: "variable" | "property";
}

export interface CompletionResult {
  /** Where the replaced text starts. */
  from: number;
  options: Completion[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** Output keys by node type (shared/workflows/nodes.py); ai and transform vary. */
const OUTPUT_KEYS: Record<string, string[]> = {
  condition: ["branch"],
  notify: ["notificationId"],
  task: ["taskId"],
  event: ["eventId"],
  delay: ["until"],
  http: ["status", "body"],
  decision: ["decisionId", "action", "confidence", "ask", "reasoning"],
};

/** What `trigger` holds, for each kind of trigger (the union of them all). */
const TRIGGER_KEYS: Record<string, string[]> = {
  manual: ["by"],
  webhook: ["receivedAt"],
  schedule: ["fireAt", "cron"],
  event: ["eventId", "eventType", "depth", "correlationId", "data"],
  firestore: ["eventId", "eventType", "depth", "correlationId", "data"],
};

/** An event envelope's fields, as an event filter reads them. */
export const EVENT_KEYS = [
  "id",
  "type",
  "source",
  "subject",
  "time",
  "uid",
  "correlationId",
  "causationId",
  "depth",
  "data",
];

function outputKeys(node: NodeLike): string[] {
  const type = text(node.type) ?? "";
  if (type === "ai" && isRecord(node.config) && node.config.output === "json") {
    const schema = node.config.schema;
    if (isRecord(schema) && isRecord(schema.properties)) return Object.keys(schema.properties);
  }
  return OUTPUT_KEYS[type] ?? [];
}

/**
 * The ids of the nodes that run before `nodeId` (its ancestors along the edges), in
 * definition order; every other node id when `nodeId` is not in the definition.
 */
export function upstreamIds(definition: DefinitionLike, nodeId: string | null): string[] {
  const ids = list(definition.nodes).flatMap((node) => {
    const id = isRecord(node) ? text(node.id) : null;
    return id === null ? [] : [id];
  });
  if (nodeId === null || !ids.includes(nodeId)) return ids.filter((id) => id !== nodeId);
  const parents = new Map<string, string[]>();
  for (const edge of list(definition.edges)) {
    if (!isRecord(edge)) continue;
    const from = text(edge.from);
    const to = text(edge.to);
    if (from === null || to === null) continue;
    parents.set(to, [...(parents.get(to) ?? []), from]);
  }
  const seen = new Set<string>();
  const queue = [nodeId];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const parent of parents.get(current) ?? []) {
      if (parent === nodeId || seen.has(parent)) continue;
      seen.add(parent);
      queue.push(parent);
    }
  }
  return ids.filter((id) => seen.has(id));
}

/**
 * What a source in node `nodeId` can read ("trigger" for an event trigger's filter, which
 * sees only `event`). `sample` is a sample run input: its keys complete `input.`.
 */
export function scopeFor(
  definition: DefinitionLike,
  nodeId: string | "trigger",
  sample?: unknown,
): Scope {
  if (nodeId === "trigger") {
    return { roots: ["event"], fields: { event: EVENT_KEYS }, nodes: [] };
  }
  const byId = new Map<string, NodeLike>();
  for (const node of list(definition.nodes)) {
    const id = isRecord(node) ? text(node.id) : null;
    if (id !== null && isRecord(node) && !byId.has(id)) byId.set(id, node);
  }
  const nodes = upstreamIds(definition, nodeId).map((id): ScopeNode => {
    const node = byId.get(id) ?? {};
    return { id, type: text(node.type) ?? "?", name: text(node.name), output: outputKeys(node) };
  });
  const triggerKeys = new Set<string>(["type", "retryOf"]);
  for (const trigger of list(definition.triggers)) {
    const type = isRecord(trigger) ? text(trigger.type) : null;
    for (const key of TRIGGER_KEYS[type ?? ""] ?? []) triggerKeys.add(key);
  }
  return {
    roots: ["input", "vars", "nodes", "trigger"],
    fields: {
      input: isRecord(sample) ? Object.keys(sample) : [],
      vars: isRecord(definition.variables) ? Object.keys(definition.variables) : [],
      trigger: [...triggerKeys],
    },
    nodes,
  };
}

/**
 * Whether `offset` in a template is inside an expression or statement (`{{ … }}` or
 * `{% … %}`, not yet closed before the offset): only there do names mean anything.
 */
export function insideTemplateCode(source: string, offset: number): boolean {
  const before = source.slice(0, offset);
  const open = Math.max(before.lastIndexOf("{{"), before.lastIndexOf("{%"));
  if (open < 0) return false;
  const close = Math.max(before.lastIndexOf("}}"), before.lastIndexOf("%}"));
  return close < open;
}

/** Access to `key` after a dot: `.key`, or `['a-b']` for keys that are not identifiers. */
function member(key: string): string {
  return IDENTIFIER.test(key) ? key : `['${key.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}']`;
}

/** The path before the cursor: `nodes.fetch.output.` → ["nodes", "fetch", "output"], "". */
const PATH_BEFORE = /([A-Za-z_][A-Za-z0-9_]*(?:(?:\.[A-Za-z_][A-Za-z0-9_]*)|\[(?:'[^']*'|"[^"]*")\])*\.?)$/;

function splitPath(path: string): { parts: string[]; partial: string } {
  const parts: string[] = [];
  const token = /([A-Za-z_][A-Za-z0-9_]*)|\[(?:'([^']*)'|"([^"]*)")\]|(\.)/g;
  let last = "";
  for (const match of path.matchAll(token)) {
    if (match[4] !== undefined) {
      last = "";
      continue;
    }
    const key = match[1] ?? match[2] ?? match[3] ?? "";
    parts.push(key);
    last = match[1] ?? "";
  }
  // The last identifier is what is being typed, unless the path ends with a dot or `]`.
  if (path.endsWith(".") || path.endsWith("]")) return { parts, partial: "" };
  parts.pop();
  return { parts, partial: last };
}

function keyOptions(keys: string[], detail: string): Completion[] {
  return keys.map((key) => ({
    label: key,
    apply: IDENTIFIER.test(key) ? key : member(key),
    detail,
    type: "property" as const,
  }));
}

/** The names that may follow `parts` (["nodes"] → the node ids, …). */
function candidates(scope: Scope, parts: string[]): Completion[] {
  const [root, second, third] = parts;
  if (root === undefined) {
    return scope.roots.map((name) => ({ label: name, apply: name, detail: "", type: "variable" }));
  }
  if (!scope.roots.includes(root)) return [];
  if (root === "nodes") {
    if (parts.length === 1) {
      return scope.nodes.map((node) => ({
        label: node.id,
        apply: member(node.id),
        detail: node.name ? `${node.type} · ${node.name}` : node.type,
        type: "property",
      }));
    }
    const node = scope.nodes.find((item) => item.id === second);
    if (!node) return [];
    if (parts.length === 2) return keyOptions(["output", "status"], `${node.id}`);
    if (parts.length === 3 && third === "output") return keyOptions(node.output, `${node.id} output`);
    return [];
  }
  if (parts.length === 1) return keyOptions(scope.fields[root] ?? [], root);
  return [];
}

/**
 * The completions at `offset` of `source`: after `nodes.` the ids of the nodes that ran
 * before, after `vars.` the variable names, and so on; null where nothing is offered.
 */
export function completeAt(
  source: string,
  offset: number,
  mode: ExpressionMode,
  scope: Scope,
): CompletionResult | null {
  if (mode === "template" && !insideTemplateCode(source, offset)) return null;
  const before = source.slice(0, offset);
  const match = PATH_BEFORE.exec(before);
  if (!match) {
    // Nothing typed yet: offer the roots right after `{{ `, an operator or a bracket.
    if (/(^|[\s({[,!&|=<>+\-*/%?:~])$/.test(before)) {
      return { from: offset, options: candidates(scope, []) };
    }
    return null;
  }
  const path = match[1] ?? "";
  const start = offset - path.length;
  // A name right after a dot or a quote is a member of something we do not follow.
  const preceding = before[start - 1];
  if (preceding === "." || preceding === "'" || preceding === '"') return null;
  const { parts, partial } = splitPath(path);
  const all = candidates(scope, parts);
  const options = all.filter((option) => option.label.startsWith(partial));
  if (options.length === 0) return null;
  return { from: offset - partial.length, options };
}

/**
 * Apply text for a completion at `from`: bracketed keys (`['a-b']`) replace the dot
 * before them, since `nodes.['a-b']` is not valid.
 */
export function applyCompletion(
  source: string,
  from: number,
  option: Completion,
): { from: number; insert: string } {
  if (option.apply.startsWith("[") && source[from - 1] === ".") {
    return { from: from - 1, insert: option.apply };
  }
  return { from, insert: option.apply };
}
