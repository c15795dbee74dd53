/**
 * The "Test step" request and what its answer says, for the inspector. Pure.
 * The callable (`test_workflow_node`) evaluates transform, condition and delay nodes with
 * the engine's evaluators and limits, and only describes what the other nodes would do.
 */
import { parseJson } from "../utils/json";

export interface SampleTexts {
  /** The sample run input, as JSON text ("" for none). */
  input: string;
  /** Upstream outputs by node id, as JSON text ("" for none). */
  nodes: string;
}

export type SampleParse =
  | { ok: true; input: Record<string, unknown>; nodes: Record<string, unknown> }
  | { ok: false; field: "input" | "nodes"; message: string };

type Parsed =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; field: "input" | "nodes"; message: string };

function objectOf(text: string, field: "input" | "nodes"): Parsed {
  if (text.trim() === "") return { ok: true, value: {} };
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const { line, column, message } = parsed.error;
    return { ok: false, field, message: `Not valid JSON: line ${line}, column ${column}: ${message}` };
  }
  const value = parsed.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, field, message: "Must be a JSON object: { … }" };
  }
  return { ok: true, value };
}

/** The sample texts as the request's `input` and `nodes`, or which one is not JSON. */
export function parseSamples(texts: SampleTexts): SampleParse {
  const input = objectOf(texts.input, "input");
  if (!input.ok) return input;
  const nodes = objectOf(texts.nodes, "nodes");
  if (!nodes.ok) return nodes;
  return { ok: true, input: input.value, nodes: nodes.value };
}

/**
 * The definition to send: the editor's own (saved or not), with a name if it has none
 * (the JSON view leaves name, description and status to their own fields).
 */
export function definitionForTest<D extends object>(definition: D): D & { name: string } {
  const name = (definition as { name?: unknown }).name;
  return { ...definition, name: typeof name === "string" && name.trim() !== "" ? name : "Test" };
}

/** A starter for the upstream outputs: `{ "<id>": null }` for each node that runs before. */
export function upstreamTemplate(ids: readonly string[]): string {
  if (ids.length === 0) return "";
  return `{\n${ids.map((id) => `  ${JSON.stringify(id)}: null`).join(",\n")}\n}`;
}

/** Node types a test may run for real (`live`): the server refuses it for any other. */
export const LIVE_TYPES = ["http", "ai"] as const;

/** What running node `type` for real does, for the checkbox's label; null if it cannot. */
export function liveLabel(type: string | undefined): string | null {
  if (type === "http") return "Send the request for real";
  if (type === "ai") return "Ask the model for real (counts against your AI quota)";
  return null;
}
