/** Executions: the live runs and their logs, and starting and controlling them. */
import { useLive, type LiveState } from "../../../hooks/useLive";
import { callable } from "../../../lib/firebase/callables";
import {
  watchExecution,
  watchExecutionLogs,
  watchExecutions,
} from "../../../lib/firebase/documents";
import type { Execution, ExecutionLog } from "../../../types/executions";

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

/**
 * Start an execution of a saved workflow (its stored version). `not-found`,
 * `failed-precondition` (archived), `resource-exhausted` (too many running).
 */
export const runWorkflow = callable("run_workflow");
/** Stop a queued or running execution after the steps in flight; `failed-precondition` if ended. */
export const pauseExecution = callable("pause_execution");
export const resumeExecution = callable("resume_execution");
export const cancelExecution = callable("cancel_execution");
/**
 * Run a failed execution again: from its failed step (the same execution id), or with
 * `fromStart` as a new execution whose `retryOf` names this one.
 */
export const retryExecution = callable("retry_execution");
