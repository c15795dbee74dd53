/** Workflows: the live definitions, and saving and deleting them (`save_workflow`, …). */
import { useLive, type LiveState } from "../../../hooks/useLive";
import { callable } from "../../../lib/firebase/callables";
import { watchWorkflow, watchWorkflows } from "../../../lib/firebase/documents";
import type { JsonValue } from "../../../types/json";
import type { DefinitionKey, Workflow } from "../../../types/workflows";
import type { SaveWorkflow, SaveWorkflowResult } from "../../../wire/workflows";

/** The user's most recently updated workflows, newest first (uid undefined: not yet). */
export function useWorkflows(uid: string | undefined): LiveState<Workflow[]> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchWorkflows(uid ?? "", onData, onError),
    "your workflows",
  );
}

/** One workflow; data is null when it does not exist (never saved, or deleted). */
export function useWorkflow(
  uid: string | undefined,
  workflowId: string | undefined,
): LiveState<Workflow | null> {
  return useLive(
    uid && workflowId ? `${uid}/${workflowId}` : null,
    (onData, onError) => watchWorkflow(uid ?? "", workflowId ?? "", onData, onError),
    "the workflow",
  );
}

/**
 * What the editor sends: `SaveWorkflow`, but the definition's parts as the user wrote
 * them (any JSON). The server is what validates them: its `invalid-argument` names the
 * first bad field ("edges[3]", "nodes[1].config.url"), which the editor points at.
 */
export type SaveWorkflowRequest = Omit<SaveWorkflow, DefinitionKey> & {
  nodes: JsonValue;
} & Partial<Record<Exclude<DefinitionKey, "nodes">, JsonValue>>;

const save = callable("save_workflow");

/**
 * Create (no `id`) or replace a workflow definition. A stale `expectedVersion` is
 * `failed-precondition`.
 */
export function saveWorkflow(request: SaveWorkflowRequest): Promise<SaveWorkflowResult> {
  // Unchecked on purpose: the server checks the user's JSON (see SaveWorkflowRequest).
  return save(request as unknown as SaveWorkflow);
}

/** Remove a workflow definition (and its webhook secret); idempotent. */
export const deleteWorkflow = callable("delete_workflow");

/**
 * Test one node of a definition (saved or not) against sample data: templates, conditions,
 * transforms and delays evaluated as a run would; other nodes say what they would do.
 */
export const testWorkflowNode = callable("test_workflow_node");
