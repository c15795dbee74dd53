/**
 * The server's callable functions, one typed function each (request and result models
 * in `models.ts`). A failure reads through `callableFailure` in `./errors`.
 */
import { httpsCallable } from "firebase/functions";
import type {
  DeleteConversationRequest,
  DeleteConversationResult,
  DeleteWorkflowRequest,
  DeleteWorkflowResult,
  EnsureProfileRequest,
  EnsureProfileResult,
  ExecutionControlResult,
  ExecutionRequest,
  RetryExecutionRequest,
  RetryExecutionResult,
  RetryReplyRequest,
  RetryReplyResult,
  RunWorkflowRequest,
  RunWorkflowResult,
  SaveWorkflowRequest,
  SaveWorkflowResult,
  UpdateSettingsRequest,
  UpdateSettingsResult,
} from "../../models";
import { firebaseReady } from "./app";

/** The callable `name` as a function of its request, resolving with its result. */
export function callable<Request, Response>(name: string): (data: Request) => Promise<Response> {
  return async (data) => {
    const { functions } = await firebaseReady();
    const result = await httpsCallable<Request, Response>(functions, name)(data);
    return result.data;
  };
}

// --- Accounts -----------------------------------------------------------------------

export const ensureProfile = callable<EnsureProfileRequest, EnsureProfileResult>("ensure_profile");
export const updateSettings = callable<UpdateSettingsRequest, UpdateSettingsResult>(
  "update_settings",
);

// --- Chat ---------------------------------------------------------------------------

/** Remove a conversation and all its messages. */
export const deleteConversation = callable<DeleteConversationRequest, DeleteConversationResult>(
  "delete_conversation",
);
/** Ask the server to write a failed reply again (messageId: the user message it answers). */
export const retryReply = callable<RetryReplyRequest, RetryReplyResult>("retry_reply");

// --- Automations --------------------------------------------------------------------

/**
 * Create (no `id`) or replace a workflow definition. `invalid-argument` carries the path
 * of the first problem as `field` ("edges[3]", "nodes[1].config.url"); a stale
 * `expectedVersion` is `failed-precondition`.
 */
export const saveWorkflow = callable<SaveWorkflowRequest, SaveWorkflowResult>("save_workflow");
/** Remove a workflow definition (and its webhook secret); idempotent. */
export const deleteWorkflow = callable<DeleteWorkflowRequest, DeleteWorkflowResult>(
  "delete_workflow",
);

// --- Executions ---------------------------------------------------------------------

/**
 * Start an execution of a saved workflow (its stored version). `not-found`,
 * `failed-precondition` (archived), `resource-exhausted` (too many running).
 */
export const runWorkflow = callable<RunWorkflowRequest, RunWorkflowResult>("run_workflow");
/** Stop a queued or running execution after the steps in flight; `failed-precondition` if ended. */
export const pauseExecution = callable<ExecutionRequest, ExecutionControlResult>(
  "pause_execution",
);
export const resumeExecution = callable<ExecutionRequest, ExecutionControlResult>(
  "resume_execution",
);
export const cancelExecution = callable<ExecutionRequest, ExecutionControlResult>(
  "cancel_execution",
);
/**
 * Run a failed execution again: from its failed step (the same execution id), or with
 * `fromStart` as a new execution whose `retryOf` names this one.
 */
export const retryExecution = callable<RetryExecutionRequest, RetryExecutionResult>(
  "retry_execution",
);
