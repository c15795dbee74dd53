/**
 * The tasks feature's models: a stored task (`users/{uid}/tasks/{tid}`) as the page
 * reads it, and the requests and results of `save_task`, `delete_task` and `quick_add`.
 *
 * The callables' requests and results are the server's models (`src/wire/tasks`,
 * `src/wire/quickadd`).
 */
import { dateOrNull, isRecord, numberOr, stringOr, stringOrNull } from "../../lib/firebase/fields";
import type { StoredDoc } from "../../lib/firebase/watch";
import type { WallTime } from "../../lib/localtime";

export type TaskStatus = "todo" | "doing" | "done";
export const TASK_STATUSES: readonly { value: TaskStatus; label: string }[] = [
  { value: "todo", label: "To do" },
  { value: "doing", label: "Doing" },
  { value: "done", label: "Done" },
];
export const PRIORITIES = ["None", "Low", "Medium", "High"] as const;
export const MAX_PRIORITY = PRIORITIES.length - 1;
export const MAX_TITLE_CHARS = 200;

/** A task as the page shows it. */
export interface Task {
  id: string;
  title: string;
  notes: string | null;
  status: TaskStatus;
  priority: number;
  /** What the user meant; null for none, and for tasks a workflow made (only `dueAt`). */
  due: WallTime | null;
  dueAt: Date | null;
  remind: WallTime | null;
  remindAt: Date | null;
  tags: string[];
  recurrence: string | null;
  seriesId: string | null;
  /** null for a task a workflow created: it has never been saved by `save_task`. */
  version: number | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  completedAt: Date | null;
}

/** A stored WallTime, or null when the value is not one. */
export function toWallTime(value: unknown): WallTime | null {
  if (!isRecord(value) || typeof value.date !== "string") return null;
  return {
    date: value.date,
    time: stringOrNull(value.time),
    timezone: stringOrNull(value.timezone),
  };
}

/** `users/{uid}/tasks/{tid}`; lenient, as tasks a workflow created lack most fields. */
export function toTask({ id, data }: StoredDoc): Task {
  const status = TASK_STATUSES.find((item) => item.value === data.status)?.value ?? "todo";
  const priority = Math.min(Math.max(Math.trunc(numberOr(data.priority, 0)), 0), MAX_PRIORITY);
  return {
    id,
    title: stringOr(data.title, ""),
    notes: stringOrNull(data.notes),
    status,
    priority,
    due: toWallTime(data.due),
    dueAt: dateOrNull(data.dueAt),
    remind: toWallTime(data.remind),
    remindAt: dateOrNull(data.remindAt),
    tags: Array.isArray(data.tags)
      ? data.tags.filter((tag): tag is string => typeof tag === "string")
      : [],
    recurrence: stringOrNull(data.recurrence),
    seriesId: stringOrNull(data.seriesId),
    version: typeof data.version === "number" ? data.version : null,
    createdAt: dateOrNull(data.createdAt),
    updatedAt: dateOrNull(data.updatedAt),
    completedAt: dateOrNull(data.completedAt),
  };
}

// --- Callables: the server's models, generated (src/wire) ----------------------------

export type { SaveTask as SaveTaskRequest } from "../../wire/tasks";
export type { QuickAddResult } from "../../wire/quickadd";
