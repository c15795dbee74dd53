/**
 * Which tasks the list shows, in which order, and what a save sends. Pure: the page's
 * logic, unit-tested in Node; "today" is the user's today, in their zone.
 */
import { dateText, todayIn, toWall, type WallTime } from "../../../lib/localtime";
import type { SaveTaskRequest, Task, TaskStatus } from "../models";

/** When a task is due, seen from now in the user's zone ("past": done, before today). */
export type DueBucket = "overdue" | "today" | "upcoming" | "none" | "past";
export type DueFilter = "all" | "today" | "overdue" | "upcoming" | "none";

export const DUE_FILTERS: readonly { value: DueFilter; label: string }[] = [
  { value: "all", label: "Any time" },
  { value: "today", label: "Today" },
  { value: "overdue", label: "Overdue" },
  { value: "upcoming", label: "Upcoming" },
  { value: "none", label: "No due date" },
];

export interface TaskFilter {
  status: TaskStatus | "all" | "open";
  tag: string | null;
  due: DueFilter;
}

export const DEFAULT_FILTER: TaskFilter = { status: "open", tag: null, due: "all" };

/** The local date a task is due on, in the user's zone; null when it has no due date. */
export function dueDate(task: Task, zone: string): string | null {
  if (task.due) {
    // A whole day is its date wherever the user is; a timed one, its instant's local date.
    if (task.due.time === null || !task.dueAt) return task.due.date;
    return dateText(toWall(task.dueAt, zone));
  }
  return task.dueAt ? dateText(toWall(task.dueAt, zone)) : null;
}

/** Which bucket a task falls in at `now`: overdue wins over today once its time passed. */
export function dueBucket(task: Task, now: Date, zone: string): DueBucket {
  const date = dueDate(task, zone);
  if (date === null) return "none";
  const today = todayIn(zone, now);
  const done = task.status === "done";
  const timed = task.due ? task.due.time !== null : task.dueAt !== null;
  if (date < today) return done ? "past" : "overdue";
  if (date > today) return "upcoming";
  if (!done && timed && task.dueAt && task.dueAt.getTime() < now.getTime()) return "overdue";
  return "today";
}

/** Whether `task` passes `filter` at `now`. */
export function matches(task: Task, filter: TaskFilter, now: Date, zone: string): boolean {
  if (filter.status === "open" && task.status === "done") return false;
  if (filter.status !== "open" && filter.status !== "all" && task.status !== filter.status) {
    return false;
  }
  if (filter.tag !== null && !task.tags.includes(filter.tag)) return false;
  return filter.due === "all" || dueBucket(task, now, zone) === filter.due;
}

/** Open tasks first; then soonest due (none last), highest priority, oldest. */
export function compareTasks(a: Task, b: Task): number {
  const done = Number(a.status === "done") - Number(b.status === "done");
  if (done !== 0) return done;
  const aDue = a.dueAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const bDue = b.dueAt?.getTime() ?? Number.POSITIVE_INFINITY;
  if (aDue !== bDue) return aDue < bDue ? -1 : 1;
  if (a.priority !== b.priority) return b.priority - a.priority;
  const aMade = a.createdAt?.getTime() ?? 0;
  const bMade = b.createdAt?.getTime() ?? 0;
  return aMade - bMade || a.id.localeCompare(b.id);
}

/** The tasks `filter` lets through, in list order. */
export function visibleTasks(
  tasks: readonly Task[],
  filter: TaskFilter,
  now: Date,
  zone: string,
): Task[] {
  return tasks.filter((task) => matches(task, filter, now, zone)).sort(compareTasks);
}

/** Every tag in use, sorted, for the tag filter. */
export function allTags(tasks: readonly Task[]): string[] {
  return [...new Set(tasks.flatMap((task) => task.tags))].sort((a, b) => a.localeCompare(b));
}

/**
 * A task made by a workflow has only `dueAt`: as a WallTime it is that instant's wall
 * time in the user's zone (floating), so a save keeps its due time.
 */
export function dueOf(task: Task, zone: string): WallTime | null {
  if (task.due) return task.due;
  if (!task.dueAt) return null;
  const wall = toWall(task.dueAt, zone);
  const hh = String(wall.hour).padStart(2, "0");
  const mm = String(wall.minute).padStart(2, "0");
  return { date: dateText(wall), time: `${hh}:${mm}`, timezone: null };
}

/**
 * The `save_task` request that replaces `task` with `changes`: every field is sent (a
 * save replaces the task), with `expectedVersion` so a stale edit is refused.
 */
export function saveRequest(
  task: Task,
  changes: Partial<Pick<SaveTaskRequest, "title" | "status" | "priority" | "tags">>,
  zone: string,
): SaveTaskRequest {
  return {
    id: task.id,
    ...(task.version !== null ? { expectedVersion: task.version } : {}),
    title: task.title,
    notes: task.notes,
    status: task.status,
    priority: task.priority,
    due: dueOf(task, zone),
    remind: task.remind,
    tags: task.tags,
    recurrence: task.recurrence,
    ...changes,
  };
}

/** "Every week" and the like for a recurring badge, from an RRULE's FREQ and INTERVAL. */
export function describeRecurrence(rule: string): string {
  const parts = new Map(
    rule
      .replace(/^RRULE:/i, "")
      .split(";")
      .map((part) => {
        const [key = "", value = ""] = part.split("=");
        return [key.toUpperCase(), value.toUpperCase()] as const;
      }),
  );
  const units: Record<string, string> = {
    DAILY: "day",
    WEEKLY: "week",
    MONTHLY: "month",
    YEARLY: "year",
  };
  const unit = units[parts.get("FREQ") ?? ""];
  if (!unit) return "Repeats";
  const interval = Number(parts.get("INTERVAL") ?? "1");
  return interval > 1 ? `Every ${interval} ${unit}s` : `Every ${unit}`;
}
