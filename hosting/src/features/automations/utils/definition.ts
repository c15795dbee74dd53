/**
 * The definition JSON the editor shows and sends: the starter for a new workflow, the
 * text for a stored one, parsing what the user typed, and pointing at what a server
 * error names (`nodes[1].config.url`, `edges[3]`) in it.
 */
import type { JsonObject, JsonValue } from "../../../types/json";
import {
  DEFINITION_KEYS,
  type Workflow,
  type WorkflowDefinition,
  type WorkflowNode,
} from "../../../types/workflows";
import { formatJson, parseJson, type JsonSpan, type JsonSyntaxError } from "./json";

/** A new workflow's definition, valid as it is: transform -> condition -> notify. */
export const STARTER_DEFINITION: WorkflowDefinition = {
  nodes: [
    {
      id: "greet",
      type: "transform",
      name: "Write the greeting",
      config: { template: "Hello {{ input.name }}", output: "text" },
    },
    {
      id: "check",
      type: "condition",
      name: "Big amount?",
      config: { cases: [{ branch: "big", when: "input.amount > 100" }], default: "small" },
    },
    {
      id: "tell",
      type: "notify",
      name: "Tell me",
      config: { title: "Heads up", body: "{{ nodes.greet.output }}" },
    },
  ],
  edges: [
    { from: "greet", to: "check" },
    { from: "check", to: "tell", branch: "big" },
  ],
  variables: {},
  triggers: [{ type: "manual" }],
  settings: {},
};

/** The editor's text for a definition. */
export function definitionText(definition: WorkflowDefinition): string {
  // The definition's types are all JSON; TypeScript cannot see that of interfaces.
  return `${formatJson(definition as unknown as JsonValue)}\n`;
}

const DEFAULT_RETRY = { attempts: 1, backoffSeconds: 5 };

/**
 * A stored workflow's definition as the editor shows it: the fields the server filled
 * with their defaults (no retry, continueOnError false, unset options) are left out, so
 * the text reads like what was written. Saving it back means the same thing.
 */
export function storedDefinition(workflow: Workflow): WorkflowDefinition {
  return {
    nodes: workflow.nodes.map((node) => {
      const shown: WorkflowNode = {
        id: node.id,
        type: node.type,
        ...(node.name !== undefined ? { name: node.name } : {}),
        config: withoutNulls(node.config),
      };
      if (
        node.retry &&
        (node.retry.attempts !== DEFAULT_RETRY.attempts ||
          node.retry.backoffSeconds !== DEFAULT_RETRY.backoffSeconds)
      ) {
        shown.retry = node.retry;
      }
      if (node.continueOnError) shown.continueOnError = true;
      if (node.position) shown.position = node.position;
      return shown;
    }),
    edges: workflow.edges,
    variables: workflow.variables,
    triggers: workflow.triggers,
    settings: workflow.settings,
  };
}

/** A config's own keys without those set to null (null there means "not set"). */
function withoutNulls(config: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== null));
}

// --- parsing what the user typed ----------------------------------------------------------

export type DefinitionParse =
  | { ok: true; definition: JsonObject; spans: ReadonlyMap<string, JsonSpan> }
  | { ok: false; syntax: JsonSyntaxError }
  | { ok: false; syntax?: undefined; message: string };

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The editor's text as a definition object, or why it is not one. Only JSON syntax and
 * the top-level shape are checked here; the server checks everything else.
 */
export function parseDefinition(text: string): DefinitionParse {
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, syntax: parsed.error };
  const { value } = parsed;
  if (!isObject(value)) {
    return { ok: false, message: `The definition must be a JSON object: { "nodes": [...], … }.` };
  }
  const allowed: readonly string[] = DEFINITION_KEYS;
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    return {
      ok: false,
      message:
        `Unknown key ${unknown.map((key) => `"${key}"`).join(", ")} in the definition ` +
        `(it may have ${DEFINITION_KEYS.map((key) => `"${key}"`).join(", ")}; ` +
        "name, description and status have fields of their own).",
    };
  }
  if (!("nodes" in value)) {
    return { ok: false, message: 'The definition needs "nodes": a list of steps.' };
  }
  return { ok: true, definition: value, spans: parsed.spans };
}

// --- what a server error points at --------------------------------------------------------

export interface Problem {
  /** The part of the definition the path names, with its index. */
  section: "nodes" | "edges" | "triggers";
  index: number;
  /** For a person: "node 'check' (condition)", "edge greet → check", "trigger 1 (manual)". */
  label: string;
}

function item(definition: JsonObject, section: string, index: number): JsonValue | undefined {
  const list = definition[section];
  return Array.isArray(list) ? list[index] : undefined;
}

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function edgeLabel(edge: JsonValue | undefined): string {
  if (!isObject(edge)) return "?";
  const branch = text(edge.branch);
  return `${text(edge.from) ?? "?"} → ${text(edge.to) ?? "?"}${branch ? ` [${branch}]` : ""}`;
}

/**
 * The node, edge or trigger a server error's `field` names (`nodes[1].config.url`,
 * `edges[3]`, `triggers[0].cron`), looked up in the definition that was sent.
 */
export function locateProblem(field: string, definition: JsonObject): Problem | null {
  const match = /^(nodes|edges|triggers)\[(\d+)\]/.exec(field);
  if (!match) return null;
  const section = match[1] as Problem["section"];
  const index = Number(match[2]);
  const value = item(definition, section, index);
  if (value === undefined) return null;
  if (section === "nodes") {
    const node = isObject(value) ? value : {};
    const id = text(node.id);
    const type = text(node.type);
    return {
      section,
      index,
      label: `${id ? `node “${id}”` : `node ${index + 1}`}${type ? ` (${type})` : ""}`,
    };
  }
  if (section === "edges") return { section, index, label: `edge ${edgeLabel(value)}` };
  return { section, index, label: `trigger ${index + 1} (${describeTrigger(value)})` };
}

/**
 * Where, in the text, the value a server path names starts and ends: the path itself if
 * it is there, else the nearest enclosing value (a missing key points at its object).
 */
export function spanFor(field: string, spans: ReadonlyMap<string, JsonSpan>): JsonSpan | null {
  for (let path = field; path !== ""; ) {
    const span = spans.get(path);
    if (span) return span;
    const cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
    path = cut > 0 ? path.slice(0, cut) : "";
  }
  return null;
}

// --- summaries -------------------------------------------------------------------------------

/** "Manual", "Webhook", "Schedule 0 9 * * 1-5 (Europe/Berlin)", "Event task.*", … */
export function describeTrigger(trigger: unknown): string {
  if (typeof trigger !== "object" || trigger === null || Array.isArray(trigger)) return "?";
  const value = trigger as Record<string, unknown>;
  const field = (key: string): string => {
    const item = value[key];
    return typeof item === "string" ? item : "?";
  };
  switch (value.type) {
    case "manual":
      return "Manual";
    case "webhook":
      return "Webhook";
    case "schedule":
      return `Schedule ${field("cron")} (${field("timezone")})`;
    case "event": {
      const filtered = typeof value.filter === "string" ? " (filtered)" : "";
      return `Event ${field("typePattern")}${filtered}`;
    }
    case "firestore": {
      const ops = Array.isArray(value.on) ? value.on.filter((op) => typeof op === "string") : [];
      return `Firestore ${field("collection")}${ops.length ? ` (${ops.join(", ")})` : ""}`;
    }
    default:
      return typeof value.type === "string" ? value.type : "?";
  }
}

export interface SummaryNode {
  id: string;
  type: string;
  name: string | null;
}

export interface Summary {
  nodes: SummaryNode[];
  edges: string[];
  triggers: string[];
}

/** Nodes, edges and triggers of a parsed definition, tolerant of anything malformed. */
export function summarise(definition: JsonObject): Summary {
  const list = (key: string): JsonValue[] => {
    const value = definition[key];
    return Array.isArray(value) ? value : [];
  };
  return {
    nodes: list("nodes").map((node) => {
      const value = isObject(node) ? node : {};
      return {
        id: text(value.id) ?? "?",
        type: text(value.type) ?? "?",
        name: text(value.name) ?? null,
      };
    }),
    edges: list("edges").map(edgeLabel),
    triggers: list("triggers").map(describeTrigger),
  };
}
