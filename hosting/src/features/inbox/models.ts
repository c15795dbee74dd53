/**
 * The inbox feature's models: a notification (`users/{uid}/notifications/{nid}`), a
 * daily briefing (`users/{uid}/briefings/{YYYY-MM-DD}`). `mark_notifications_read` takes
 * and answers the server's models (`src/wire/notifications`).
 */
import { dateOrNull, isRecord, stringOr, stringOrNull } from "../../lib/firebase/fields";
import type { StoredDoc } from "../../lib/firebase/watch";

export type NotificationKind = "reminder" | "workflow" | "briefing" | "system";
const KINDS: readonly NotificationKind[] = ["reminder", "workflow", "briefing", "system"];

export interface InboxNotification {
  id: string;
  title: string;
  body: string;
  kind: NotificationKind;
  /** An address in the app ("/tasks?task=…"), or null. */
  link: string | null;
  read: boolean;
  createdAt: Date | null;
}

/** `users/{uid}/notifications/{nid}`. */
export function toNotification({ id, data }: StoredDoc): InboxNotification {
  return {
    id,
    title: stringOr(data.title, ""),
    body: stringOr(data.body, ""),
    kind: KINDS.find((kind) => kind === data.kind) ?? "system",
    link: stringOrNull(data.link),
    read: data.read === true,
    createdAt: dateOrNull(data.createdAt),
  };
}

export interface BriefingItem {
  id: string;
  title: string;
  /** An event's start, a task's due time, a reminder's time. */
  at: Date | null;
  allDay: boolean;
  overdue: boolean;
}

export interface Briefing {
  /** The local day, "YYYY-MM-DD". */
  date: string;
  timezone: string;
  summary: string;
  events: BriefingItem[];
  tasks: BriefingItem[];
  reminders: BriefingItem[];
  createdAt: Date | null;
}

function toItems(value: unknown, at: string): BriefingItem[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): BriefingItem[] => {
    if (!isRecord(item) || typeof item.id !== "string") return [];
    return [
      {
        id: item.id,
        title: stringOr(item.title, ""),
        at: dateOrNull(item[at]),
        allDay: item.allDay === true,
        overdue: item.overdue === true,
      },
    ];
  });
}

/** `users/{uid}/briefings/{day}`. */
export function toBriefing({ id, data }: StoredDoc): Briefing {
  return {
    date: stringOr(data.date, id),
    timezone: stringOr(data.timezone, "UTC"),
    summary: stringOr(data.summary, ""),
    events: toItems(data.events, "start"),
    tasks: toItems(data.tasks, "dueAt"),
    reminders: toItems(data.reminders, "remindAt"),
    createdAt: dateOrNull(data.createdAt),
  };
}
