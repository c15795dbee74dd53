import { toJsonObject, toJsonValue } from "../../../lib/firebase/fields";
import type { StoredDoc } from "../../../lib/firebase/watch";
import type {
  Execution,
  ExecutionLog,
  ExecutionStatus,
  ExecutionStep,
  StepStatus,
} from "../../../types/executions";
import type { JsonObject } from "../../../types/json";

/** What the run's controls ask the server for. */
export type ExecutionAction = "pause" | "resume" | "cancel" | "retry" | "retryFromStart";

/** Which controls an execution in `status` accepts. */
export function executionActions(status: ExecutionStatus): {
  pause: boolean;
  resume: boolean;
  cancel: boolean;
  retry: boolean;
} {
  return {
    pause: status === "queued" || status === "running",
    resume: status === "paused",
    cancel: status === "queued" || status === "running" || status === "paused",
    retry: status === "failed",
  };
}

/** "850 ms", "12.4 s", "3 min 05 s", "2 h 01 min"; null without both ends. */
export function formatDuration(start: Date | null, end: Date | null): string | null {
  if (!start || !end) return null;
  const ms = Math.max(0, end.getTime() - start.getTime());
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
  }
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

// --- The run drawn on the canvas ----------------------------------------------------------

/** One node's state as the canvas badges it (WorkflowCanvas's `run` prop). */
export interface RunNodeState {
  status: StepStatus;
  attempts: number;
  /** Start to finish; null until it has finished (or if it never started). */
  durationMs: number | null;
}

/** The step statuses drawn on the canvas; a node still `waiting` has no badge. */
const DRAWN: ReadonlySet<StepStatus> = new Set<StepStatus>([
  "queued",
  "running",
  "succeeded",
  "failed",
  "skipped",
]);

function durationMs(start: Date | null, end: Date | null): number | null {
  return start && end ? Math.max(0, end.getTime() - start.getTime()) : null;
}

/**
 * The execution's steps as the canvas's run map: by node id, each step that has been
 * reached (queued, running, succeeded, failed or skipped) with its attempts and duration.
 */
export function runStatusMap(execution: Pick<Execution, "steps">): Record<string, RunNodeState> {
  const run: Record<string, RunNodeState> = {};
  for (const [nodeId, step] of Object.entries(execution.steps)) {
    if (!DRAWN.has(step.status)) continue;
    run[nodeId] = {
      status: step.status,
      attempts: step.attempts,
      durationMs: durationMs(step.startedAt, step.finishedAt),
    };
  }
  return run;
}

/**
 * `versions/{version}` as a definition the canvas draws (nodes, edges, variables,
 * settings: what the run used; no triggers, which a snapshot does not keep). The page
 * checks it with the canvas's `canvasProblem` before drawing it.
 */
export function versionDefinition(doc: StoredDoc): JsonObject {
  const definition: JsonObject = {
    nodes: toJsonValue(Array.isArray(doc.data.nodes) ? doc.data.nodes : []),
    edges: toJsonValue(Array.isArray(doc.data.edges) ? doc.data.edges : []),
    variables: toJsonObject(doc.data.variables),
    settings: toJsonObject(doc.data.settings),
  };
  return definition;
}

/**
 * The definition to draw for an execution: its version's snapshot when it has loaded,
 * else the definition an older execution embedded (before snapshots); null: none yet.
 */
export function runDefinition(
  execution: Pick<Execution, "definition">,
  version: JsonObject | null | undefined,
): JsonObject | null {
  if (version) return version;
  const embedded = execution.definition;
  return embedded.nodes.length ? toJsonObject(embedded) : null;
}

/**
 * The steps table's rows: the definition's nodes in its order (with their types), then
 * any step of the execution the definition does not name (should not happen), typed "?".
 */
export function stepRows(
  execution: Pick<Execution, "steps">,
  definition: JsonObject | null,
): { id: string; type: string }[] {
  const rows: { id: string; type: string }[] = [];
  const known = new Set<string>();
  for (const node of Array.isArray(definition?.nodes) ? definition.nodes : []) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) continue;
    if (typeof node.id !== "string" || known.has(node.id)) continue;
    known.add(node.id);
    rows.push({ id: node.id, type: typeof node.type === "string" ? node.type : "?" });
  }
  for (const id of Object.keys(execution.steps)) {
    if (!known.has(id)) rows.push({ id, type: "?" });
  }
  return rows;
}

/** What one node of a run shows in its details panel. */
export interface RunNodeDetails {
  nodeId: string;
  /** The node's type in the definition ("?" when the definition does not name it). */
  type: string;
  name: string | null;
  step: ExecutionStep;
  durationMs: number | null;
  /**
   * What was in scope for it: the run's `input` and `trigger`, and `nodes`: the outputs
   * (and statuses) of the steps with an edge into it, as its templates read them.
   */
  input: JsonObject;
  /** Its log lines, in the log's order. */
  logs: ExecutionLog[];
}

/** A step that has not started: what a node the execution does not mention shows. */
export const NOT_STARTED: ExecutionStep = {
  status: "waiting",
  attempts: 0,
  startedAt: null,
  finishedAt: null,
  output: undefined,
  error: null,
  branch: null,
};

function predecessors(definition: JsonObject | null, nodeId: string): string[] {
  const edges = Array.isArray(definition?.edges) ? definition.edges : [];
  const from: string[] = [];
  for (const edge of edges) {
    if (typeof edge !== "object" || edge === null || Array.isArray(edge)) continue;
    if (edge.to === nodeId && typeof edge.from === "string" && !from.includes(edge.from)) {
      from.push(edge.from);
    }
  }
  return from;
}

/** Everything the details panel shows about `nodeId` in this run. */
export function runNodeDetails(
  execution: Pick<Execution, "steps" | "input" | "trigger">,
  definition: JsonObject | null,
  nodeId: string,
  logs: readonly ExecutionLog[] = [],
): RunNodeDetails {
  const nodes = Array.isArray(definition?.nodes) ? definition.nodes : [];
  const node = nodes.find(
    (item): item is JsonObject =>
      typeof item === "object" && item !== null && !Array.isArray(item) && item.id === nodeId,
  );
  const step = execution.steps[nodeId] ?? NOT_STARTED;
  const upstream: JsonObject = {};
  for (const id of predecessors(definition, nodeId)) {
    const before = execution.steps[id];
    upstream[id] = {
      output: before?.output === undefined ? null : before.output,
      status: before?.status ?? "waiting",
    };
  }
  return {
    nodeId,
    type: typeof node?.type === "string" ? node.type : "?",
    name: typeof node?.name === "string" && node.name ? node.name : null,
    step,
    durationMs: durationMs(step.startedAt, step.finishedAt),
    input: {
      input: execution.input,
      trigger: execution.trigger,
      nodes: upstream,
    },
    logs: logs.filter((log) => log.nodeId === nodeId),
  };
}
