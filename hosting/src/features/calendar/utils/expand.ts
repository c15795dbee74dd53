/**
 * A stored event as the occurrences it has in a window, the web app's mirror of the
 * server's `shared/calendar/expand.py`: each occurrence computed on the local wall clock
 * of the event's zone (its own, or the user's when it floats) with the `rrule` package,
 * then converted on its own, so a weekly 09:00 stays 09:00 across a DST change. An
 * exception key (the original local start) hides that occurrence; a moved one appears at
 * its new time. Bounded: at most MAX_OCCURRENCES per event per window. Pure.
 */
import { rrulestr } from "rrule";
import {
  parseWall,
  safeZone,
  toInstant,
  toWall,
  wallFromMs,
  wallKey,
  wallMs,
  wallTimeInstant,
  type Wall,
} from "../../../lib/localtime";
import type { CalendarEvent } from "../models";

export const MAX_OCCURRENCES = 500;
const DAY_MS = 86_400_000;

export interface Occurrence {
  eventId: string;
  /** The original local start, "YYYY-MM-DDTHH:MM": the exception key that changes it. */
  key: string;
  start: Date;
  end: Date;
  title: string;
  allDay: boolean;
  recurring: boolean;
  /** Shown at a time an exception moved it to. */
  moved: boolean;
  /** Its start and end on the wall clock of the event's zone. */
  wallStart: Wall;
  wallEnd: Wall;
}

/** The zone an event is read in: its own, or the user's when it floats. */
export function eventZone(event: Pick<CalendarEvent, "timezone">, userZone: string): string {
  return safeZone(event.timezone ?? userZone);
}

/** The wall-clock starts of a series from `first` within [from, to] (wall ms), in order. */
function seriesWalls(rule: string | null, first: Wall, from: number, to: number): Wall[] {
  const firstMs = wallMs(first);
  if (rule === null) return firstMs >= from && firstMs <= to ? [first] : [];
  try {
    // rrule reads floating times as UTC fields: exactly a wall clock.
    const series = rrulestr(`RRULE:${rule.replace(/^RRULE:/i, "")}`, {
      dtstart: new Date(firstMs),
    });
    return series
      .between(new Date(from), new Date(to), true, (_, count) => count < MAX_OCCURRENCES)
      .map((date) => wallFromMs(date.getTime()));
  } catch {
    // A rule the browser's rrule cannot read: the first occurrence alone.
    return firstMs >= from && firstMs <= to ? [first] : [];
  }
}

/**
 * The occurrences of `event` that overlap [start, end) (a zero-length one: that start
 * in it), ordered by start, at most MAX_OCCURRENCES.
 */
export function occurrencesBetween(
  event: CalendarEvent,
  start: Date,
  end: Date,
  userZone: string,
): Occurrence[] {
  const zone = eventZone(event, userZone);
  const first = parseWall(event.start.date, event.start.time);
  const last = parseWall(event.end.date, event.end.time);
  if (!first || !last) return [];
  const length = Math.max(wallMs(last) - wallMs(first), 0);
  const recurring = event.recurrence !== null;
  const base = { eventId: event.id, title: event.title, recurring };

  // A day either side on the wall clock: wall clocks are not monotonic around DST.
  const from = wallMs(toWall(start, zone)) - length - DAY_MS;
  const to = wallMs(toWall(end, zone)) + DAY_MS;
  const regular = seriesWalls(event.recurrence, first, from, to)
    .filter((wall) => !(wallKey(wall) in event.exceptions))
    .map((wall): Occurrence => ({
      ...base,
      key: wallKey(wall),
      start: toInstant(wall, zone),
      end: toInstant(wallFromMs(wallMs(wall) + length), zone),
      allDay: event.allDay,
      moved: false,
      wallStart: wall,
      wallEnd: wallFromMs(wallMs(wall) + length),
    }));
  const moved = Object.entries(event.exceptions).flatMap(([key, change]): Occurrence[] => {
    if ("cancelled" in change) return [];
    const movedStart = wallTimeInstant(change.start, zone);
    const movedEnd = wallTimeInstant(change.end, zone);
    const wallStart = parseWall(change.start.date, change.start.time);
    const wallEnd = parseWall(change.end.date, change.end.time);
    if (!movedStart || !movedEnd || !wallStart || !wallEnd) return [];
    const allDay = change.start.time === null;
    return [
      { ...base, key, start: movedStart, end: movedEnd, allDay, moved: true, wallStart, wallEnd },
    ];
  });

  return [...regular, ...moved]
    .filter((occurrence) =>
      occurrence.end.getTime() === occurrence.start.getTime()
        ? occurrence.start >= start && occurrence.start < end
        : occurrence.end > start && occurrence.start < end,
    )
    .sort((a, b) => a.start.getTime() - b.start.getTime())
    .slice(0, MAX_OCCURRENCES);
}

/** Every event's occurrences in [start, end), ordered by start. */
export function expandAll(
  events: readonly CalendarEvent[],
  start: Date,
  end: Date,
  userZone: string,
): Occurrence[] {
  return events
    .flatMap((event) => occurrencesBetween(event, start, end, userZone))
    .sort((a, b) => a.start.getTime() - b.start.getTime());
}
