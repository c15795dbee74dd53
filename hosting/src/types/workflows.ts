/**
 * Workflows as the app shows and edits them: `users/{uid}/workflows/{wid}` read by its
 * converter, and the definition the editor holds. The closed lists (statuses, node types)
 * are typed by the server's `SaveWorkflow` model (`src/wire`, generated), so a change
 * there fails the type check until they follow.
 */
import type { SaveWorkflow } from "../wire/workflows";
import type { Covers } from "./check";
import type { JsonObject } from "./json";

export type WorkflowStatus = NonNullable<SaveWorkflow["status"]>;

export const WORKFLOW_STATUSES = [
  { value: "draft", label: "Draft" },
  { value: "active", label: "Active" },
  { value: "archived", label: "Archived" },
] as const satisfies readonly { value: WorkflowStatus; label: string }[];
true satisfies Covers<WorkflowStatus, (typeof WORKFLOW_STATUSES)[number]["value"]>;

export type NodeType = SaveWorkflow["nodes"][number]["type"];

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
] as const satisfies readonly NodeType[];
true satisfies Covers<NodeType, (typeof NODE_TYPES)[number]>;

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
  /** Where the editor's canvas draws it; absent: laid out automatically. */
  position?: NodePosition;
}

/** A node's place on the editor's canvas (top-left corner, canvas units). */
export interface NodePosition {
  x: number;
  y: number;
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
export const DEFINITION_KEYS = [
  "nodes",
  "edges",
  "variables",
  "triggers",
  "settings",
] as const satisfies readonly (keyof WorkflowDefinition & keyof SaveWorkflow)[];

export type DefinitionKey = (typeof DEFINITION_KEYS)[number];
