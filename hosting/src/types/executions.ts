/**
 * Executions as the app shows them: `users/{uid}/executions/{eid}` and its `logs`, read
 * by their converters. The engine writes them as plain maps (no pydantic model describes
 * them), so these shapes are the app's own reading of shared/workflows/executions.py.
 */
import type { JsonObject, JsonValue } from "./json";
import type { WorkflowEdge, WorkflowNode } from "./workflows";

/** The statuses the engine gives an execution and each of its steps. */
export const EXECUTION_STATUSES = [
  "queued",
  "running",
  "paused",
  "succeeded",
  "failed",
  "cancelled",
] as const;

export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const STEP_STATUSES = [
  "waiting",
  "queued",
  "running",
  "succeeded",
  "failed",
  "skipped",
] as const;

export type StepStatus = (typeof STEP_STATUSES)[number];

/** The state of one node in an execution (`steps.{nodeId}`), written by the server. */
export interface ExecutionStep {
  status: StepStatus;
  /** The attempt running or last run (0: not started). */
  attempts: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** undefined: no output recorded (yet). */
  output: JsonValue | undefined;
  /** The last failure; also set while a failed attempt waits for its retry. */
  error: string | null;
  /** For a condition node: the branch it took. */
  branch: string | null;
}

/** What started an execution: `{type: "manual", by}`, `{type: "webhook", …}`, … */
export interface ExecutionTrigger {
  type: string;
  [key: string]: JsonValue;
}

/** The workflow's graph as it was when the execution started. */
export interface ExecutionDefinition {
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  variables: JsonObject;
  settings: JsonObject;
}

export interface ExecutionError {
  /** null: the execution as a whole (deadline, step limit). */
  nodeId: string | null;
  message: string;
}

/** `users/{uid}/executions/{eid}`: written by the server only. */
export interface Execution {
  id: string;
  workflowId: string;
  workflowVersion: number;
  workflowName: string;
  status: ExecutionStatus;
  trigger: ExecutionTrigger;
  input: JsonObject;
  output: JsonValue;
  steps: Record<string, ExecutionStep>;
  definition: ExecutionDefinition;
  correlationId: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: ExecutionError | null;
  /** Set on an execution started by "Retry from start": the execution it retries. */
  retryOf: string | null;
}

export type LogLevel = "info" | "error";

/** `users/{uid}/executions/{eid}/logs/{lid}`. */
export interface ExecutionLog {
  id: string;
  time: Date | null;
  /** null: about the execution as a whole. */
  nodeId: string | null;
  level: LogLevel;
  message: string;
}
