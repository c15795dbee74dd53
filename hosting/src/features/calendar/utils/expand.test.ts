import { describe, expect, it } from "vitest";
import { toCalendarEvent, type CalendarEvent } from "../models";
import { expandAll, MAX_OCCURRENCES, occurrencesBetween } from "./expand";

function event(id: string, data: Record<string, unknown>): CalendarEvent {
  const loaded = toCalendarEvent({ id, data: { title: id, version: 1, ...data }, pending: false });
  if (!loaded) throw new Error("unreadable event");
  return loaded;
}

const at = (date: string, time: string | null, timezone: string | null = null) => ({
  date,
  time,
  timezone,
});
const iso = (list: { start: Date }[]) => list.map((item) => item.start.toISOString());

const WEEKLY = event("weekly", {
  start: at("2026-03-02", "09:00"),
  end: at("2026-03-02", "10:00"),
  allDay: false,
  timezone: "Europe/Berlin",
  recurrence: "FREQ=WEEKLY;BYDAY=MO",
});

describe("occurrencesBetween", () => {
  it("keeps 09:00 local across a daylight-saving change", () => {
    const found = occurrencesBetween(
      WEEKLY,
      new Date("2026-03-20T00:00:00Z"),
      new Date("2026-04-01T00:00:00Z"),
      "UTC",
    );
    // 23 March is CET (+1), 30 March CEST (+2): both 09:00 in Berlin.
    expect(iso(found)).toEqual(["2026-03-23T08:00:00.000Z", "2026-03-30T07:00:00.000Z"]);
    expect(found.map((item) => item.key)).toEqual(["2026-03-23T09:00", "2026-03-30T09:00"]);
    expect(found[0]?.end.toISOString()).toBe("2026-03-23T09:00:00.000Z");
  });

  it("leaves out a cancelled occurrence and shows a moved one at its new time", () => {
    const changed = {
      ...WEEKLY,
      exceptions: {
        "2026-03-09T09:00": { cancelled: true as const },
        "2026-03-16T09:00": { start: at("2026-03-17", "14:00"), end: at("2026-03-17", "15:00") },
      },
    };
    const found = occurrencesBetween(
      changed,
      new Date("2026-03-01T00:00:00Z"),
      new Date("2026-03-24T00:00:00Z"),
      "UTC",
    );
    expect(iso(found)).toEqual([
      "2026-03-02T08:00:00.000Z",
      "2026-03-17T13:00:00.000Z",
      "2026-03-23T08:00:00.000Z",
    ]);
    expect(found.map((item) => item.moved)).toEqual([false, true, false]);
    expect(found[1]?.key).toBe("2026-03-16T09:00");
  });

  it("reads a floating event in the user's zone", () => {
    const floating = event("f", {
      start: at("2026-12-05", "09:00"),
      end: at("2026-12-05", "09:30"),
      allDay: false,
      timezone: null,
    });
    const window = [new Date("2026-12-01T00:00:00Z"), new Date("2026-12-10T00:00:00Z")] as const;
    expect(iso(occurrencesBetween(floating, ...window, "Asia/Tokyo"))).toEqual([
      "2026-12-05T00:00:00.000Z",
    ]);
    expect(iso(occurrencesBetween(floating, ...window, "America/New_York"))).toEqual([
      "2026-12-05T14:00:00.000Z",
    ]);
  });

  it("expands an all-day series with its exclusive end, keyed at T00:00", () => {
    const daily = event("d", {
      start: at("2026-12-05", null),
      end: at("2026-12-06", null),
      allDay: true,
      timezone: null,
      recurrence: "FREQ=DAILY;COUNT=3",
      exceptions: { "2026-12-06T00:00": { cancelled: true } },
    });
    const found = occurrencesBetween(
      daily,
      new Date("2026-12-01T00:00:00Z"),
      new Date("2026-12-31T00:00:00Z"),
      "UTC",
    );
    expect(found.map((item) => item.key)).toEqual(["2026-12-05T00:00", "2026-12-07T00:00"]);
    expect(found.every((item) => item.allDay)).toBe(true);
    expect(found[0]?.end.toISOString()).toBe("2026-12-06T00:00:00.000Z");
  });

  it("counts an occurrence that overlaps the window's start, not one that ends there", () => {
    const single = event("s", {
      start: at("2026-12-05", "23:00"),
      end: at("2026-12-06", "01:00"),
      allDay: false,
      timezone: "UTC",
    });
    expect(
      occurrencesBetween(
        single,
        new Date("2026-12-06T00:00:00Z"),
        new Date("2026-12-07T00:00:00Z"),
        "UTC",
      ),
    ).toHaveLength(1);
    expect(
      occurrencesBetween(
        single,
        new Date("2026-12-06T01:00:00Z"),
        new Date("2026-12-07T00:00:00Z"),
        "UTC",
      ),
    ).toHaveLength(0);
  });

  it("is bounded for a rule without end", () => {
    const daily = event("forever", {
      start: at("2000-01-01", "08:00"),
      end: at("2000-01-01", "08:15"),
      allDay: false,
      timezone: "UTC",
      recurrence: "FREQ=DAILY",
    });
    const found = occurrencesBetween(
      daily,
      new Date("2000-01-01T00:00:00Z"),
      new Date("2010-01-01T00:00:00Z"),
      "UTC",
    );
    expect(found).toHaveLength(MAX_OCCURRENCES);
  });

  it("shows an unreadable rule's first occurrence alone", () => {
    const odd = { ...WEEKLY, recurrence: "FREQ=SOMETIMES" };
    expect(
      occurrencesBetween(
        odd,
        new Date("2026-03-01T00:00:00Z"),
        new Date("2026-04-01T00:00:00Z"),
        "UTC",
      ),
    ).toHaveLength(1);
  });
});

describe("expandAll", () => {
  it("merges every event's occurrences by start", () => {
    const other = event("o", {
      start: at("2026-03-03", "07:00"),
      end: at("2026-03-03", "08:00"),
      allDay: false,
      timezone: "UTC",
    });
    const found = expandAll(
      [WEEKLY, other],
      new Date("2026-03-01T00:00:00Z"),
      new Date("2026-03-10T00:00:00Z"),
      "UTC",
    );
    expect(found.map((item) => item.eventId)).toEqual(["weekly", "o", "weekly"]);
  });
});
