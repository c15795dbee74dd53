/**
 * Between the calendar widget, the event form and `save_calendar_event`. Pure.
 *
 * The widget runs in UTC with every time given as the user's wall clock ("fake UTC": a
 * Date whose UTC fields are the local time), so it shows the user's zone without a
 * time-zone plugin; these functions convert at the boundary.
 */
import {
  addDays,
  dateText,
  parseWall,
  timeText,
  toInstant,
  toWall,
  wallFromMs,
  wallMs,
  type Wall,
  type WallTime,
} from "../../../lib/localtime";
import type { CalendarEvent, SaveCalendarEventRequest } from "../models";
import { eventZone, type Occurrence } from "./expand";

const MINUTE_MS = 60_000;

/** The widget's Date for an instant: the user's wall clock as UTC fields. */
export function widgetDate(instant: Date, userZone: string): Date {
  return new Date(wallMs(toWall(instant, userZone)));
}

/** The instant of a widget Date (the user's wall clock). */
export function fromWidgetDate(date: Date, userZone: string): Date {
  return toInstant(wallFromMs(date.getTime()), userZone);
}

/** What the widget shows for an occurrence: all-day ones by their own dates. */
export function widgetRange(occurrence: Occurrence, userZone: string): { start: Date; end: Date } {
  if (occurrence.allDay) {
    return {
      start: new Date(wallMs({ ...occurrence.wallStart, hour: 0, minute: 0 })),
      end: new Date(wallMs({ ...occurrence.wallEnd, hour: 0, minute: 0 })),
    };
  }
  return {
    start: widgetDate(occurrence.start, userZone),
    end: widgetDate(occurrence.end, userZone),
  };
}

export const REPEATS = [
  { value: "", label: "Does not repeat" },
  { value: "FREQ=DAILY", label: "Every day" },
  { value: "FREQ=WEEKLY", label: "Every week" },
  { value: "FREQ=MONTHLY", label: "Every month" },
  { value: "FREQ=YEARLY", label: "Every year" },
] as const;

/** The event form's fields, as text; dates inclusive, times in `zone`. */
export interface EventForm {
  title: string;
  allDay: boolean;
  startDate: string;
  startTime: string;
  endDate: string;
  endTime: string;
  /** "" (none), one of REPEATS, or a rule the form keeps as it is. */
  recurrence: string;
  location: string;
  notes: string;
  /** The zone the times are in: the event's, or the user's for a new one. */
  zone: string;
}

/** A new event's form from a selected slot (widget dates, end exclusive). */
export function formFromSelection(
  start: Date,
  end: Date,
  allDay: boolean,
  zone: string,
): EventForm {
  const first = wallFromMs(start.getTime());
  const last = wallFromMs(end.getTime());
  return {
    title: "",
    allDay,
    startDate: dateText(first),
    startTime: allDay ? "09:00" : timeText(first),
    // All day: the widget's end is exclusive, the form's inclusive.
    endDate: allDay ? addDays(dateText(last), -1) : dateText(last),
    endTime: allDay ? "10:00" : timeText(last),
    recurrence: "",
    location: "",
    notes: "",
    zone,
  };
}

/** An existing event's form (its series' first occurrence, in its zone). */
export function formFromEvent(event: CalendarEvent, userZone: string): EventForm {
  return {
    title: event.title,
    allDay: event.allDay,
    startDate: event.start.date,
    startTime: event.start.time ?? "09:00",
    endDate: event.allDay ? addDays(event.end.date, -1) : event.end.date,
    endTime: event.end.time ?? "10:00",
    recurrence: event.recurrence ?? "",
    location: event.location ?? "",
    notes: event.notes ?? "",
    zone: eventZone(event, userZone),
  };
}

/** Why the form cannot be saved (field and sentence), or null. */
export function formProblem(form: EventForm): { field: keyof EventForm; message: string } | null {
  if (!form.title.trim()) return { field: "title", message: "Give the event a title." };
  const start = parseWall(form.startDate, form.allDay ? null : form.startTime);
  const end = parseWall(form.endDate, form.allDay ? null : form.endTime);
  if (!start) return { field: "startDate", message: "Enter a start date and time." };
  if (!end) return { field: "endDate", message: "Enter an end date and time." };
  if (form.allDay ? wallMs(end) < wallMs(start) : wallMs(end) <= wallMs(start)) {
    return { field: "endDate", message: "The event must end after it starts." };
  }
  return null;
}

function wallTime(wall: Wall, allDay: boolean, zone: string | null): WallTime {
  return { date: dateText(wall), time: allDay ? null : timeText(wall), timezone: zone };
}

/** Every field of a stored event, as a save sends them (a save replaces the event). */
function eventFields(event: CalendarEvent): SaveCalendarEventRequest {
  return {
    id: event.id,
    expectedVersion: event.version,
    title: event.title,
    start: event.start,
    end: event.end,
    timezone: event.timezone,
    location: event.location,
    attendees: event.attendees,
    notes: event.notes,
    recurrence: event.recurrence,
    exceptions: event.exceptions,
    reminders: event.reminders,
  };
}

/** The `save_calendar_event` request for a valid form (`base`: the event edited, if any). */
export function requestFromForm(
  form: EventForm,
  base: CalendarEvent | null,
): SaveCalendarEventRequest {
  const start = parseWall(form.startDate, form.allDay ? null : form.startTime);
  const end = parseWall(form.endDate, form.allDay ? null : form.endTime);
  if (!start || !end) throw new Error("requestFromForm needs a valid form (see formProblem)");
  // All day: the form's end date is inclusive, the stored one exclusive.
  const endWall = form.allDay ? (parseWall(addDays(dateText(end), 1)) ?? end) : end;
  // A new event is fixed in the user's zone; an edited one keeps floating or fixed.
  const zone = base ? base.timezone : form.zone;
  const changes = {
    title: form.title.trim(),
    start: wallTime(start, form.allDay, zone),
    end: wallTime(endWall, form.allDay, zone),
    timezone: zone,
    location: form.location.trim() || null,
    notes: form.notes.trim() || null,
    recurrence: form.recurrence || null,
  };
  if (!base) return changes;
  // A series whose shape changed keeps no exceptions that no longer fit it.
  const reshaped =
    base.recurrence !== changes.recurrence ||
    base.allDay !== form.allDay ||
    base.start.date !== changes.start.date;
  return { ...eventFields(base), ...changes, ...(reshaped ? { exceptions: {} } : {}) };
}

/** The request that cancels one occurrence of a series. */
export function cancelOccurrenceRequest(
  event: CalendarEvent,
  key: string,
): SaveCalendarEventRequest {
  return { ...eventFields(event), exceptions: { ...event.exceptions, [key]: { cancelled: true } } };
}

/**
 * The request that moves an occurrence dragged to widget dates `start`-`end` (end null:
 * same length): a single event moves itself, a series gets an exception for that
 * occurrence. Null when the move cannot be saved (a series' occurrence dragged between
 * all-day and timed).
 */
export function moveRequest(
  event: CalendarEvent,
  occurrence: Occurrence,
  start: Date,
  end: Date | null,
  allDay: boolean,
  userZone: string,
): SaveCalendarEventRequest | null {
  const zone = eventZone(event, userZone);
  let first: Wall;
  let last: Wall;
  if (allDay) {
    first = wallFromMs(start.getTime());
    const days = occurrence.allDay
      ? wallMs(occurrence.wallEnd) - wallMs(occurrence.wallStart)
      : 86_400_000;
    last = end ? wallFromMs(end.getTime()) : wallFromMs(wallMs(first) + Math.max(days, 86_400_000));
  } else {
    const startInstant = fromWidgetDate(start, userZone);
    const length = occurrence.allDay
      ? 60 * MINUTE_MS
      : occurrence.end.getTime() - occurrence.start.getTime();
    const endInstant = end
      ? fromWidgetDate(end, userZone)
      : new Date(startInstant.getTime() + length);
    first = toWall(startInstant, zone);
    last = toWall(endInstant, zone);
  }
  const moved = {
    start: wallTime(first, allDay, event.timezone),
    end: wallTime(last, allDay, event.timezone),
  };
  if (event.recurrence === null) return { ...eventFields(event), ...moved };
  if (allDay !== event.allDay) return null;
  return { ...eventFields(event), exceptions: { ...event.exceptions, [occurrence.key]: moved } };
}
