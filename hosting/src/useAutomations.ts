import { watchWorkflow, watchWorkflows } from "./firebase";
import type { Workflow } from "./models";
import { useLive, type LiveState } from "./useLive";

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
