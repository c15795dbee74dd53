/** Calendar: the live events, and saving, deleting and importing them. */
import { useLive, type LiveState } from "../../../hooks/useLive";
import { callable } from "../../../lib/firebase/callables";
import { watchCalendarEvents } from "../../../lib/firebase/documents";
import { toCalendarEvent, type CalendarEvent } from "../models";

/** The user's calendar events, live (uid undefined: not yet). */
export function useCalendarEvents(uid: string | undefined): LiveState<CalendarEvent[]> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchCalendarEvents(uid ?? "", toCalendarEvent, onData, onError),
    "your calendar",
  );
}

/** Create or replace an event (every field sent); a stale `expectedVersion` is `failed-precondition`. */
export const saveCalendarEvent = callable("save_calendar_event");
/** Remove an event (the whole series); `deleted: false` when it was already gone. */
export const deleteCalendarEvent = callable("delete_calendar_event");
/** Add or update events from an iCalendar file's text (matched by their UID). */
export const importCalendar = callable("import_calendar");
