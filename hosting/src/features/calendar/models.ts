/**
 * The calendar feature's models: a stored event (`users/{uid}/calendar/{evid}`) as the
 * page reads it, and the requests and results of its callables.
 *
 * The callables' requests and results are the server's models (`src/wire/calendar`).
 */
import { dateOrNull, isRecord, numberOr, stringOr, stringOrNull } from "../../lib/firebase/fields";
import type { StoredDoc } from "../../lib/firebase/watch";
import type { WallTime } from "../../lib/localtime";

export const MAX_TITLE_CHARS = 200;

/** One changed occurrence: cancelled, or moved to a new start and end. */
export type EventException = { cancelled: true } | { start: WallTime; end: WallTime };

/** An event as the page shows it. */
export interface CalendarEvent {
  id: string;
  title: string;
  start: WallTime;
  end: WallTime;
  allDay: boolean;
  /** Its own zone (fixed), or null: it floats in the user's zone. */
  timezone: string | null;
  location: string | null;
  attendees: string[];
  notes: string | null;
  recurrence: string | null;
  /** By original local start, "YYYY-MM-DDTHH:MM". */
  exceptions: Record<string, EventException>;
  reminders: number[];
  version: number;
  updatedAt: Date | null;
}

function toWallTime(value: unknown): WallTime | null {
  if (!isRecord(value) || typeof value.date !== "string") return null;
  return {
    date: value.date,
    time: stringOrNull(value.time),
    timezone: stringOrNull(value.timezone),
  };
}

function toException(value: unknown): EventException | null {
  if (!isRecord(value)) return null;
  if (value.cancelled === true) return { cancelled: true };
  const start = toWallTime(value.start);
  const end = toWallTime(value.end);
  return start && end ? { start, end } : null;
}

/** `users/{uid}/calendar/{evid}`; null without a readable start and end. */
export function toCalendarEvent({ id, data }: StoredDoc): CalendarEvent | null {
  const start = toWallTime(data.start);
  const end = toWallTime(data.end);
  if (!start || !end) return null;
  const exceptions: Record<string, EventException> = {};
  if (isRecord(data.exceptions) && !Array.isArray(data.exceptions)) {
    for (const [key, value] of Object.entries(data.exceptions)) {
      const exception = toException(value);
      if (exception) exceptions[key] = exception;
    }
  }
  return {
    id,
    title: stringOr(data.title, ""),
    start,
    end,
    allDay: typeof data.allDay === "boolean" ? data.allDay : start.time === null,
    timezone: stringOrNull(data.timezone),
    location: stringOrNull(data.location),
    attendees: Array.isArray(data.attendees)
      ? data.attendees.filter((item): item is string => typeof item === "string")
      : [],
    notes: stringOrNull(data.notes),
    recurrence: stringOrNull(data.recurrence),
    exceptions,
    reminders: Array.isArray(data.reminders)
      ? data.reminders.filter((item): item is number => typeof item === "number")
      : [],
    version: numberOr(data.version, 0),
    updatedAt: dateOrNull(data.updatedAt),
  };
}

// --- Callables: the server's models, generated (src/wire/calendar.ts) ---------------

export type {
  ImportCalendarResult,
  SaveCalendarEvent as SaveCalendarEventRequest,
} from "../../wire/calendar";

/** The most an `.ics` upload may be (the server's MAX_ICS_BYTES). */
export const MAX_ICS_BYTES = 1_048_576;
