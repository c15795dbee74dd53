import { useCallback, useState } from "react";
import { callableFailure } from "../../../lib/firebase/errors";
import { deleteTask, saveTask } from "../api/tasks";
import type { SaveTaskRequest, Task } from "../models";
import { saveRequest } from "../utils/filters";

/** What the list says after a save or delete: a conflict, a failure, or the next task. */
export type TaskNotice =
  | { kind: "conflict"; title: string }
  | { kind: "failed"; message: string }
  | { kind: "next"; title: string };

/**
 * Saving and deleting tasks from the list, one call per task at a time. A stale version
 * (`failed-precondition`: the task changed in another tab) is reported as a conflict;
 * the live listener has already brought the newer task, so the row shows it as it is.
 */
export function useTaskSave(zone: string) {
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [notice, setNotice] = useState<TaskNotice | null>(null);

  const run = useCallback(async (task: Task, call: () => Promise<void>): Promise<boolean> => {
    setBusy((current) => new Set(current).add(task.id));
    setNotice(null);
    try {
      await call();
      return true;
    } catch (err) {
      const failure = callableFailure(err);
      setNotice(
        failure.code === "failed-precondition"
          ? { kind: "conflict", title: task.title }
          : { kind: "failed", message: failure.message },
      );
      return false;
    } finally {
      setBusy((current) => {
        const next = new Set(current);
        next.delete(task.id);
        return next;
      });
    }
  }, []);

  const save = useCallback(
    (task: Task, changes: Parameters<typeof saveRequest>[1]) =>
      run(task, async () => {
        const request: SaveTaskRequest = saveRequest(task, changes, zone);
        const result = await saveTask(request);
        if (result.nextId) setNotice({ kind: "next", title: task.title });
      }),
    [run, zone],
  );

  const remove = useCallback(
    (task: Task) =>
      run(task, async () => {
        await deleteTask({
          id: task.id,
          ...(task.version !== null ? { expectedVersion: task.version } : {}),
        });
      }),
    [run],
  );

  return { busy, notice, save, remove, dismiss: () => setNotice(null) };
}
