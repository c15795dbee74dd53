/**
 * Stored documents as the app's models (`src/types`). The server validated what it wrote,
 * so these only guard the types: a missing or mistyped field gets its default, and an
 * item of a list that cannot be read is left out. Pure: unit-tested in Node.
 */
import type { Profile } from "../../types/accounts";
import type {
  AssistantMessage,
  ChatMessage,
  Conversation,
  Entity,
  Intent,
  ReplyStatus,
  Usage,
  UserMessage,
} from "../../types/chat";
import {
  EXECUTION_STATUSES,
  STEP_STATUSES,
  type Execution,
  type ExecutionLog,
  type ExecutionStep,
  type ExecutionTrigger,
} from "../../types/executions";
import {
  NODE_TYPES,
  WORKFLOW_STATUSES,
  type NodeType,
  type Workflow,
  type WorkflowEdge,
  type WorkflowNode,
  type WorkflowTrigger,
} from "../../types/workflows";
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
import type { StoredDoc } from "./watch";

// --- Accounts -----------------------------------------------------------------------

/** `users/{uid}`. */
export function toProfile({ data }: StoredDoc): Profile {
  const settings: Record<string, unknown> = isRecord(data.settings) ? data.settings : {};
  const briefing: Record<string, unknown> = isRecord(settings.briefing) ? settings.briefing : {};
  const memory: Record<string, unknown> = isRecord(settings.memory) ? settings.memory : {};
  const decisions: Record<string, unknown> = isRecord(settings.decisions) ? settings.decisions : {};
  const email: Record<string, unknown> = isRecord(settings.email) ? settings.email : {};
  const kinds: Record<string, unknown> = isRecord(email.kinds) ? email.kinds : {};
  const flag = (value: unknown, fallback: boolean) => (typeof value === "boolean" ? value : fallback);
  return {
    email: stringOrNull(data.email),
    displayName: stringOrNull(data.displayName),
    photoURL: stringOrNull(data.photoURL),
    role: data.role === "admin" ? "admin" : "user",
    plan: data.plan === "pro" ? "pro" : "free",
    settings: {
      timezone: stringOr(settings.timezone, "UTC"),
      preferredModel: stringOr(settings.preferredModel, "auto"),
      briefing: {
        enabled: typeof briefing.enabled === "boolean" ? briefing.enabled : true,
        time: stringOr(briefing.time, "07:00"),
      },
      memory: {
        autoExtract: typeof memory.autoExtract === "boolean" ? memory.autoExtract : true,
      },
      decisions: { askThreshold: numberOr(decisions.askThreshold, 0.6) },
      // The server's defaults (shared/accounts/models.py EmailSettings): off until turned on.
      email: {
        enabled: flag(email.enabled, false),
        kinds: {
          reminders: flag(kinds.reminders, true),
          briefing: flag(kinds.briefing, true),
          exports: flag(kinds.exports, true),
          workflows: flag(kinds.workflows, false),
        },
      },
    },
    createdAt: dateOrNull(data.createdAt),
    lastSeenAt: dateOrNull(data.lastSeenAt),
  };
}

// --- Chat ---------------------------------------------------------------------------

/** `users/{uid}/conversations/{cid}`. */
export function toConversation({ id, data }: StoredDoc): Conversation {
  return {
    id,
    title: nonEmptyStringOrNull(data.title),
    createdAt: dateOrNull(data.createdAt),
    updatedAt: dateOrNull(data.updatedAt),
    messageCount: numberOr(data.messageCount, 0),
    summary: stringOrNull(data.summary),
    usage: toUsage(data.usage) ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  };
}

const REPLY_STATUSES: readonly ReplyStatus[] = ["pending", "streaming", "done", "error"];

/** `…/messages/{mid}`; null for a role the app does not know. */
export function toMessage({ id, data, pending }: StoredDoc): ChatMessage | null {
  const text = stringOr(data.text, "");
  if (data.role === "user") {
    const message: UserMessage = {
      id,
      role: "user",
      text,
      createdAt: dateOrNull(data.createdAt),
      intent: toIntent(data.intent),
      entities: Array.isArray(data.entities) ? data.entities.flatMap(toEntity) : [],
      sending: pending,
    };
    return message;
  }
  if (data.role === "assistant") {
    const status = REPLY_STATUSES.find((value) => value === data.status) ?? "pending";
    const error = isRecord(data.error)
      ? {
          code: stringOr(data.error.code, "unknown"),
          message:
            typeof data.error.message === "string" && data.error.message
              ? data.error.message
              : "Aura could not write a reply.",
        }
      : null;
    const message: AssistantMessage = {
      id,
      role: "assistant",
      replyTo: stringOr(data.replyTo, id.replace(/^a_/, "")),
      text,
      status,
      provider: stringOrNull(data.provider),
      model: stringOrNull(data.model),
      usage: toUsage(data.usage),
      error,
      createdAt: dateOrNull(data.createdAt),
      updatedAt: dateOrNull(data.updatedAt),
      stopRequested: data.stopRequested === true,
      stopped: data.stopped === true,
      truncated: data.truncated === true,
      memoryIds: Array.isArray(data.memoryIds)
        ? data.memoryIds.filter((item): item is string => typeof item === "string" && item !== "")
        : [],
    };
    return message;
  }
  return null;
}

function toUsage(value: unknown): Usage | null {
  if (!isRecord(value)) return null;
  return {
    inputTokens: numberOr(value.inputTokens, 0),
    outputTokens: numberOr(value.outputTokens, 0),
    costUsd: numberOr(value.costUsd, 0),
  };
}

function toIntent(value: unknown): Intent | null {
  if (!isRecord(value) || typeof value.label !== "string") return null;
  return { label: value.label, confidence: numberOr(value.confidence, 0) };
}

function toEntity(value: unknown): Entity[] {
  if (!isRecord(value) || typeof value.type !== "string") return [];
  const text = typeof value.value === "string" ? value.value : String(value.value);
  return [{ type: value.type, value: text }];
}

// --- Automations --------------------------------------------------------------------

/** `users/{uid}/workflows/{wid}`; unset optional fields (nulls) are left out. */
export function toWorkflow({ id, data }: StoredDoc): Workflow {
  const settings: Record<string, unknown> = isRecord(data.settings) ? data.settings : {};
  return {
    id,
    name: stringOr(data.name, ""),
    description: stringOr(data.description, ""),
    status: WORKFLOW_STATUSES.find((item) => item.value === data.status)?.value ?? "draft",
    version: numberOr(data.version, 0),
    nodes: Array.isArray(data.nodes) ? data.nodes.flatMap(toWorkflowNode) : [],
    edges: Array.isArray(data.edges) ? data.edges.flatMap(toWorkflowEdge) : [],
    variables: toJsonObject(data.variables),
    triggers: Array.isArray(data.triggers) ? data.triggers.flatMap(toWorkflowTrigger) : [],
    settings: {
      maxSteps: numberOr(settings.maxSteps, 100),
      deadlineSeconds: numberOr(settings.deadlineSeconds, 3600),
      maxConcurrentExecutions: numberOr(settings.maxConcurrentExecutions, 5),
    },
    createdAt: dateOrNull(data.createdAt),
    updatedAt: dateOrNull(data.updatedAt),
  };
}

function isNodeType(value: unknown): value is NodeType {
  return NODE_TYPES.some((type) => type === value);
}

function toWorkflowNode(value: unknown): WorkflowNode[] {
  if (!isRecord(value) || typeof value.id !== "string" || !isNodeType(value.type)) return [];
  const node: WorkflowNode = { id: value.id, type: value.type, config: toJsonObject(value.config) };
  if (typeof value.name === "string") node.name = value.name;
  if (isRecord(value.retry)) {
    node.retry = {
      attempts: numberOr(value.retry.attempts, 1),
      backoffSeconds: numberOr(value.retry.backoffSeconds, 5),
    };
  }
  if (typeof value.continueOnError === "boolean") node.continueOnError = value.continueOnError;
  if (
    isRecord(value.position) &&
    typeof value.position.x === "number" &&
    typeof value.position.y === "number"
  ) {
    node.position = { x: value.position.x, y: value.position.y };
  }
  return [node];
}

function toWorkflowEdge(value: unknown): WorkflowEdge[] {
  if (!isRecord(value) || typeof value.from !== "string" || typeof value.to !== "string") {
    return [];
  }
  const edge: WorkflowEdge = { from: value.from, to: value.to };
  if (typeof value.branch === "string") edge.branch = value.branch;
  return [edge];
}

function toWorkflowTrigger(value: unknown): WorkflowTrigger[] {
  if (!isRecord(value)) return [];
  const text = (key: string): string | undefined => {
    const item = value[key];
    return typeof item === "string" ? item : undefined;
  };
  switch (value.type) {
    case "manual":
    case "webhook":
      return [{ type: value.type }];
    case "schedule": {
      const cron = text("cron");
      const timezone = text("timezone");
      return cron !== undefined && timezone !== undefined
        ? [{ type: "schedule", cron, timezone }]
        : [];
    }
    case "event": {
      const typePattern = text("typePattern");
      const filter = text("filter");
      if (typePattern === undefined) return [];
      return [
        filter === undefined ? { type: "event", typePattern } : { type: "event", typePattern, filter },
      ];
    }
    case "firestore": {
      const name = text("collection");
      const on = Array.isArray(value.on)
        ? value.on.filter((op): op is string => typeof op === "string")
        : [];
      return name === undefined ? [] : [{ type: "firestore", collection: name, on }];
    }
    default:
      return [];
  }
}

// --- Executions ---------------------------------------------------------------------

/** `users/{uid}/executions/{eid}`. */
export function toExecution({ id, data }: StoredDoc): Execution {
  const definition: Record<string, unknown> = isRecord(data.definition) ? data.definition : {};
  const steps: Record<string, ExecutionStep> = {};
  if (isRecord(data.steps)) {
    for (const [nodeId, step] of Object.entries(data.steps)) {
      if (isRecord(step)) steps[nodeId] = toExecutionStep(step);
    }
  }
  const error = isRecord(data.error)
    ? {
        nodeId: nonEmptyStringOrNull(data.error.nodeId),
        message:
          typeof data.error.message === "string" && data.error.message
            ? data.error.message
            : "The execution failed.",
      }
    : null;
  return {
    id,
    workflowId: stringOr(data.workflowId, ""),
    workflowVersion: numberOr(data.workflowVersion, 0),
    workflowName: stringOr(data.workflowName, ""),
    status: EXECUTION_STATUSES.find((status) => status === data.status) ?? "queued",
    trigger: toExecutionTrigger(data.trigger),
    input: toJsonObject(data.input),
    output: data.output === undefined ? null : toJsonValue(data.output),
    steps,
    definition: {
      nodes: Array.isArray(definition.nodes) ? definition.nodes.flatMap(toWorkflowNode) : [],
      edges: Array.isArray(definition.edges) ? definition.edges.flatMap(toWorkflowEdge) : [],
      variables: toJsonObject(definition.variables),
      settings: toJsonObject(definition.settings),
    },
    correlationId: stringOr(data.correlationId, id),
    startedAt: dateOrNull(data.startedAt),
    finishedAt: dateOrNull(data.finishedAt),
    error,
    retryOf: nonEmptyStringOrNull(data.retryOf),
  };
}

function toExecutionStep(step: Record<string, unknown>): ExecutionStep {
  return {
    status: STEP_STATUSES.find((status) => status === step.status) ?? "waiting",
    attempts: numberOr(step.attempts, 0),
    startedAt: dateOrNull(step.startedAt),
    finishedAt: dateOrNull(step.finishedAt),
    output: step.output === undefined ? undefined : toJsonValue(step.output),
    error:
      step.error === undefined || step.error === null
        ? null
        : typeof step.error === "string"
          ? step.error
          : JSON.stringify(toJsonValue(step.error)),
    branch: nonEmptyStringOrNull(step.branch),
  };
}

function toExecutionTrigger(value: unknown): ExecutionTrigger {
  const fields = toJsonObject(value);
  return { ...fields, type: typeof fields.type === "string" ? fields.type : "unknown" };
}

/** `users/{uid}/executions/{eid}/logs/{lid}`. */
export function toExecutionLog({ id, data }: StoredDoc): ExecutionLog {
  return {
    id,
    time: dateOrNull(data.time),
    nodeId: nonEmptyStringOrNull(data.nodeId),
    level: data.level === "error" ? "error" : "info",
    message: stringOr(data.message, ""),
  };
}
