import {
  watchExecution,
  watchExecutionLogs,
  watchExecutions,
  watchWorkflow,
  watchWorkflows,
} from "./lib/firebase/documents";
import type { Execution, ExecutionLog, Workflow } from "./models";
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

/** A workflow's most recent executions, newest first. */
export function useExecutions(
  uid: string | undefined,
  workflowId: string | undefined,
): LiveState<Execution[]> {
  return useLive(
    uid && workflowId ? `${uid}/${workflowId}` : null,
    (onData, onError) => watchExecutions(uid ?? "", workflowId ?? "", onData, onError),
    "the runs",
  );
}

/** One execution; data is null when it does not exist. */
export function useExecution(
  uid: string | undefined,
  executionId: string | undefined,
): LiveState<Execution | null> {
  return useLive(
    uid && executionId ? `${uid}/${executionId}` : null,
    (onData, onError) => watchExecution(uid ?? "", executionId ?? "", onData, onError),
    "the execution",
  );
}

/** An execution's log entries, oldest first. */
export function useExecutionLogs(
  uid: string | undefined,
  executionId: string | undefined,
): LiveState<ExecutionLog[]> {
  return useLive(
    uid && executionId ? `${uid}/${executionId}` : null,
    (onData, onError) => watchExecutionLogs(uid ?? "", executionId ?? "", onData, onError),
    "the log",
  );
}
