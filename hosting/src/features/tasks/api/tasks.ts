/** Tasks: the live list, and `save_task`, `delete_task` and `quick_add`. */
import { useLive, type LiveState } from "../../../hooks/useLive";
import { callable } from "../../../lib/firebase/callables";
import { watchTasks } from "../../../lib/firebase/documents";
import { toTask, type Task } from "../models";

/** The user's tasks, live (uid undefined: not yet). */
export function useTasks(uid: string | undefined): LiveState<Task[]> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchTasks(uid ?? "", toTask, onData, onError),
    "your tasks",
  );
}

/**
 * Create or replace a task (every field is sent). A stale `expectedVersion` is
 * `failed-precondition`; completing a recurring task answers the next one's id.
 */
export const saveTask = callable("save_task");
/** Remove a task; `deleted: false` when it was already gone. */
export const deleteTask = callable("delete_task");
/**
 * Read a sentence ("call Bob tomorrow at 3pm") as a task or an event; with `save`, store
 * it. Answers what was understood (`summary`), or a `question` when it was unclear.
 */
export const quickAdd = callable("quick_add");
