/**
 * Times as the user meant them, in the browser: the web app's half of the server's
 * `shared/localtime.py`. A stored time is a `WallTime` (a local date, an optional
 * "HH:MM", an optional IANA zone: without one it floats in the user's zone); instants
 * are `Date`s. Conversions follow the server's rules (RFC 5545 §3.3.5): a wall time in a
 * daylight-saving gap moves forward by the gap, one that happens twice is the first.
 * Pure (Intl only), so it is unit-tested in Node.
 */

/** `{date: "2026-12-05", time: "15:00" | null, timezone: "Europe/Berlin" | null}`. */
export interface WallTime {
  date: string;
  time: string | null;
  timezone: string | null;
}

/** A naive local date and time, as numbers (month 1-12). */
export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Whether the browser knows `zone` as an IANA time zone. */
export function isKnownZone(zone: string): boolean {
  try {
    partsFormatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** `zone` if the browser knows it, else "UTC" (a profile written by an older server). */
export function safeZone(zone: string | null | undefined): string {
  return zone && isKnownZone(zone) ? zone : "UTC";
}

/** The wall clock in `zone` at `instant` (to the minute). */
export function toWall(instant: Date, zone: string): Wall {
  const fields: Record<string, number> = {};
  for (const part of partsFormatter(zone).formatToParts(instant)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? 1970,
    month: fields.month ?? 1,
    day: fields.day ?? 1,
    hour: fields.hour ?? 0,
    minute: fields.minute ?? 0,
  };
}

/** A wall time's fields as if it were UTC, in ms: what arithmetic on the wall clock uses. */
export function wallMs(wall: Wall): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
}

/** The wall time whose `wallMs` is `ms`. */
export function wallFromMs(ms: number): Wall {
  const date = new Date(ms);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
  };
}

/** Minutes `zone` is ahead of UTC at `instant`. */
export function offsetMinutes(instant: Date, zone: string): number {
  const floored = Math.floor(instant.getTime() / MINUTE_MS) * MINUTE_MS;
  return (wallMs(toWall(instant, zone)) - floored) / MINUTE_MS;
}

/**
 * The instant of a naive wall time in `zone`: in a gap (spring forward) it moves forward
 * by the gap; in a fold (fall back) it is the first of the two.
 */
export function toInstant(wall: Wall, zone: string): Date {
  const naive = wallMs(wall);
  // Offsets a day either side: zones change offset at most once in two days.
  const before = offsetMinutes(new Date(naive - DAY_MS), zone);
  const after = offsetMinutes(new Date(naive + DAY_MS), zone);
  const candidates = [...new Set([before, after])]
    .map((offset) => naive - offset * MINUTE_MS)
    .filter((ms) => wallMs(toWall(new Date(ms), zone)) === naive)
    .sort((a, b) => a - b);
  const first = candidates[0];
  // No candidate: a gap. The offset before it reads the wall time forward by the gap.
  return new Date(first ?? naive - before * MINUTE_MS);
}

/** A `Wall` from "YYYY-MM-DD" and "HH:MM" (or midnight); null for a malformed one. */
export function parseWall(date: string, time: string | null = null): Wall | null {
  const day = DATE.exec(date);
  const clock = time === null ? ["", "00", "00"] : HHMM.exec(time);
  if (!day || !clock) return null;
  return {
    year: Number(day[1]),
    month: Number(day[2]),
    day: Number(day[3]),
    hour: Number(clock[1]),
    minute: Number(clock[2]),
  };
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** "YYYY-MM-DD" of a wall time. */
export function dateText(wall: Wall): string {
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
}

/** "HH:MM" of a wall time. */
export function timeText(wall: Wall): string {
  return `${pad(wall.hour)}:${pad(wall.minute)}`;
}

/** "YYYY-MM-DDTHH:MM": an occurrence's key (its original local start). */
export function wallKey(wall: Wall): string {
  return `${dateText(wall)}T${timeText(wall)}`;
}

/** The zone a stored time is read in: its own, or the user's when it floats. */
export function zoneOf(time: WallTime, userZone: string): string {
  return safeZone(time.timezone ?? userZone);
}

/** The instant of a stored time (a whole day: its local midnight); null if malformed. */
export function wallTimeInstant(time: WallTime, userZone: string): Date | null {
  const wall = parseWall(time.date, time.time);
  return wall ? toInstant(wall, zoneOf(time, userZone)) : null;
}

/** Today's date in `zone`, "YYYY-MM-DD". */
export function todayIn(zone: string, now: Date): string {
  return dateText(toWall(now, zone));
}

/** The date `days` after "YYYY-MM-DD" (negative: before). */
export function addDays(date: string, days: number): string {
  const wall = parseWall(date);
  if (!wall) return date;
  return dateText(wallFromMs(wallMs(wall) + days * DAY_MS));
}

/** "Fri 5 Dec 2026, 15:00" of an instant as read in `zone` (`withTime` false: no time),
 * as the server's `describe` writes it. */
export function formatInZone(instant: Date, zone: string, withTime = true): string {
  const fields: Record<string, string> = {};
  const formatter = new Intl.DateTimeFormat("en-GB", {
    timeZone: safeZone(zone),
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  for (const part of formatter.formatToParts(instant)) fields[part.type] = part.value;
  const day = `${fields.weekday} ${fields.day} ${fields.month} ${fields.year}`;
  return withTime ? `${day}, ${fields.hour}:${fields.minute}` : day;
}

/**
 * A stored time for a person: "Fri 5 Dec 2026" (a whole day), "Fri 5 Dec 2026, 15:00"
 * (in the user's zone), or with the zone's name when it is fixed in another one.
 */
export function describeWallTime(time: WallTime, userZone: string): string {
  const wall = parseWall(time.date, time.time);
  if (!wall) return time.date;
  if (time.time === null) {
    return formatInZone(new Date(wallMs(wall)), "UTC", false);
  }
  const zone = zoneOf(time, userZone);
  const text = formatInZone(new Date(wallMs(wall)), "UTC");
  return zone === safeZone(userZone) ? text : `${text} ${zone}`;
}
