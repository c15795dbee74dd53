/** Shapes shared with the backend (see shared/accounts/models.py) and the one list of models. */

/** Models a user may prefer; "auto" lets the AI gateway choose. Keep in step with ALLOWED_MODELS. */
export const PREFERRED_MODELS = [
  { value: "auto", label: "Auto (Aura chooses)" },
  { value: "gpt-4o-mini", label: "GPT-4o mini" },
  { value: "gpt-4o", label: "GPT-4o" },
  { value: "claude-haiku-4-5", label: "Claude Haiku 4.5" },
  { value: "claude-sonnet-4-6", label: "Claude Sonnet 4.6" },
] as const;

export type PreferredModel = (typeof PREFERRED_MODELS)[number]["value"];

export type Role = "user" | "admin";
export type Plan = "free" | "pro";

export interface Settings {
  timezone: string;
  preferredModel: string;
}

/** The document at `users/{uid}`, as the client sees it. */
export interface Profile {
  email: string | null;
  displayName: string | null;
  photoURL: string | null;
  role: Role;
  plan: Plan;
  settings: Settings;
  createdAt: Date | null;
  lastSeenAt: Date | null;
}

export interface EnsureProfileRequest {
  timezone?: string;
}

export interface EnsureProfileResult {
  /** The profile as JSON (ISO dates); the app renders the live `users/{uid}` doc instead. */
  profile: Record<string, unknown>;
  created: boolean;
  claimsUpdated: boolean;
}

export interface UpdateSettingsRequest {
  timezone?: string;
  preferredModel?: string;
}

export interface UpdateSettingsResult {
  settings: Settings;
}

export function modelLabel(value: string): string {
  return PREFERRED_MODELS.find((model) => model.value === value)?.label ?? value;
}

// --- Chat ----------------------------------------------------------------------------

/** The most characters a user message may have (the security rules enforce it too). */
export const MAX_MESSAGE_CHARS = 8000;

/** Tokens and cost, of one reply or (summed) of a whole conversation. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** `users/{uid}/conversations/{cid}`: created and kept up to date by the server. */
export interface Conversation {
  id: string;
  /** Set by the server once it has named the conversation. */
  title: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  messageCount: number;
  summary: string | null;
  usage: Usage;
}

export interface Intent {
  label: string;
  confidence: number;
}

export interface Entity {
  type: string;
  value: string;
}

/** A message the user wrote (`role: "user"`); the server adds intent and entities later. */
export interface UserMessage {
  id: string;
  role: "user";
  text: string;
  /** Estimated by the SDK until the server has stamped it. */
  createdAt: Date | null;
  intent: Intent | null;
  entities: Entity[];
  /** True while the write has not reached the server yet. */
  sending: boolean;
}

export type ReplyStatus = "pending" | "streaming" | "done" | "error";

export interface ReplyError {
  code: string;
  message: string;
}

/** Aura's reply to the user message `replyTo`, stored as `a_{replyTo}` and written by the server. */
export interface AssistantMessage {
  id: string;
  role: "assistant";
  replyTo: string;
  /** Grows while the reply streams. */
  text: string;
  status: ReplyStatus;
  provider: string | null;
  model: string | null;
  usage: Usage | null;
  error: ReplyError | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  /** The user pressed Stop; the server ends the reply shortly with `stopped: true`. */
  stopRequested: boolean;
  stopped: boolean;
  truncated: boolean;
}

export type ChatMessage = UserMessage | AssistantMessage;

/** The id of the reply the server writes for the user message `messageId`. */
export function replyIdFor(messageId: string): string {
  return `a_${messageId}`;
}

export interface DeleteConversationRequest {
  conversationId: string;
}

export interface DeleteConversationResult {
  deleted: number;
}

export interface RetryReplyRequest {
  conversationId: string;
  /** The user message whose reply failed. */
  messageId: string;
}

export interface RetryReplyResult {
  replyId: string;
}

/** "120 tokens · $0.000450": the tokens in and out, and the cost in US dollars. */
export function formatUsage(usage: Usage): string {
  const tokens = usage.inputTokens + usage.outputTokens;
  const unit = tokens === 1 ? "token" : "tokens";
  return `${tokens.toLocaleString("en-US")} ${unit} · $${usage.costUsd.toFixed(6)}`;
}

// --- Automations ---------------------------------------------------------------------

/** Any JSON value: what the definition editor parses and the server validates. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Keep in step with `Status` in shared/workflows/models.py. */
export const WORKFLOW_STATUSES = [
  { value: "draft", label: "Draft" },
  { value: "active", label: "Active" },
  { value: "archived", label: "Archived" },
] as const;

export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number]["value"];

/** Keep in step with NODE_TYPES in shared/workflows/models.py. */
export const NODE_TYPES = [
  "ai",
  "http",
  "delay",
  "condition",
  "transform",
  "task",
  "notify",
  "event",
  "decision",
] as const;

export type NodeType = (typeof NODE_TYPES)[number];

export interface RetryPolicy {
  attempts: number;
  backoffSeconds: number;
}

/** One step of a workflow; `config` depends on `type` (the server checks it). */
export interface WorkflowNode {
  id: string;
  type: NodeType;
  name?: string;
  config: JsonObject;
  retry?: RetryPolicy;
  continueOnError?: boolean;
}

/** `from` -> `to`; edges out of a condition node name the `branch` they follow. */
export interface WorkflowEdge {
  from: string;
  to: string;
  branch?: string;
}

export type WorkflowTrigger =
  | { type: "manual" }
  | { type: "webhook" }
  | { type: "schedule"; cron: string; timezone: string }
  | { type: "event"; typePattern: string; filter?: string }
  | { type: "firestore"; collection: string; on: string[] };

export interface WorkflowSettings {
  maxSteps: number;
  deadlineSeconds: number;
  maxConcurrentExecutions: number;
}

/** The graph part of a workflow: what the editor's JSON holds. */
export interface WorkflowDefinition {
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  variables: JsonObject;
  triggers: WorkflowTrigger[];
  settings: Partial<WorkflowSettings>;
}

/** `users/{uid}/workflows/{wid}`: written by `save_workflow` only (defaults filled in). */
export interface Workflow extends WorkflowDefinition {
  id: string;
  name: string;
  description: string;
  status: WorkflowStatus;
  /** 1 on creation, +1 on every save. */
  version: number;
  settings: WorkflowSettings;
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** The top-level keys of the definition JSON, in the order the editor writes them. */
export const DEFINITION_KEYS = ["nodes", "edges", "variables", "triggers", "settings"] as const;

export interface SaveWorkflowRequest {
  /** Absent: a new workflow (the server picks the id). */
  id?: string;
  name: string;
  description?: string;
  status?: WorkflowStatus;
  /** The definition as the user wrote it; the server validates every part. */
  nodes: JsonValue;
  edges?: JsonValue;
  variables?: JsonValue;
  triggers?: JsonValue;
  settings?: JsonValue;
  /** The version the editor loaded; a save over a newer one is refused. */
  expectedVersion?: number;
}

export interface SaveWorkflowResult {
  id: string;
  version: number;
  /** Set only by the save that first adds a webhook trigger: shown once, never again. */
  webhookSecret: string | null;
  /** When the schedule trigger next starts it (ISO time); null without an active schedule. */
  nextRunAt: string | null;
}

export interface DeleteWorkflowRequest {
  id: string;
}

export interface DeleteWorkflowResult {
  /** False when there was nothing to delete (already gone). */
  deleted: boolean;
}

// --- Executions ------------------------------------------------------------------------

/** Keep in step with shared/workflows/executions.py. */
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

export interface RunWorkflowRequest {
  workflowId: string;
  input?: JsonObject;
}

export interface RunWorkflowResult {
  executionId: string;
}

/** pause_execution, resume_execution and cancel_execution. */
export interface ExecutionRequest {
  executionId: string;
}

export interface ExecutionControlResult {
  status: ExecutionStatus;
}

export interface RetryExecutionRequest {
  executionId: string;
  /** True: a new execution (linked by `retryOf`); else the failed step again, same id. */
  fromStart?: boolean;
}

export interface RetryExecutionResult {
  executionId: string;
}

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
