import { describe, expect, it } from "vitest";
import { toCalendarEvent, type CalendarEvent } from "../models";
import { occurrencesBetween } from "./expand";
import {
  cancelOccurrenceRequest,
  formFromEvent,
  formFromSelection,
  formProblem,
  fromWidgetDate,
  moveRequest,
  requestFromForm,
  widgetDate,
  widgetRange,
} from "./form";

const BERLIN = "Europe/Berlin";
const at = (date: string, time: string | null, timezone: string | null = null) => ({
  date,
  time,
  timezone,
});

function event(data: Record<string, unknown>): CalendarEvent {
  const loaded = toCalendarEvent({
    id: "ev",
    data: { title: "Standup", version: 3, attendees: [], reminders: [10], ...data },
    pending: false,
  });
  if (!loaded) throw new Error("unreadable");
  return loaded;
}

describe("widget dates", () => {
  it("carry the user's wall clock as UTC fields, both ways", () => {
    const instant = new Date("2026-12-05T14:00:00Z");
    const shown = widgetDate(instant, BERLIN);
    expect(shown.toISOString()).toBe("2026-12-05T15:00:00.000Z");
    expect(fromWidgetDate(shown, BERLIN).toISOString()).toBe(instant.toISOString());
  });

  it("show an all-day occurrence on its own dates", () => {
    const allDay = event({
      start: at("2026-12-05", null),
      end: at("2026-12-06", null),
      allDay: true,
    });
    const [first] = occurrencesBetween(
      allDay,
      new Date("2026-12-01T00:00:00Z"),
      new Date("2026-12-10T00:00:00Z"),
      "Pacific/Auckland",
    );
    if (!first) throw new Error("no occurrence");
    const range = widgetRange(first, "America/Los_Angeles");
    expect(range.start.toISOString()).toBe("2026-12-05T00:00:00.000Z");
    expect(range.end.toISOString()).toBe("2026-12-06T00:00:00.000Z");
  });
});

describe("the event form", () => {
  it("starts from a selected slot", () => {
    const form = formFromSelection(
      new Date("2026-12-07T09:00:00Z"),
      new Date("2026-12-07T10:30:00Z"),
      false,
      BERLIN,
    );
    expect(form).toMatchObject({
      startDate: "2026-12-07",
      startTime: "09:00",
      endDate: "2026-12-07",
      endTime: "10:30",
      allDay: false,
      zone: BERLIN,
    });
    const days = formFromSelection(
      new Date("2026-12-07T00:00:00Z"),
      new Date("2026-12-09T00:00:00Z"),
      true,
      BERLIN,
    );
    expect([days.startDate, days.endDate]).toEqual(["2026-12-07", "2026-12-08"]);
  });

  it("says what is wrong", () => {
    const form = formFromSelection(
      new Date("2026-12-07T09:00:00Z"),
      new Date("2026-12-07T10:00:00Z"),
      false,
      BERLIN,
    );
    expect(formProblem(form)?.field).toBe("title");
    expect(formProblem({ ...form, title: "x", endTime: "08:00" })?.field).toBe("endDate");
    expect(formProblem({ ...form, title: "x" })).toBeNull();
  });

  it("makes a new event fixed in the user's zone, all-day with an exclusive end", () => {
    const form = {
      ...formFromSelection(
        new Date("2026-12-07T00:00:00Z"),
        new Date("2026-12-08T00:00:00Z"),
        true,
        BERLIN,
      ),
      title: " Trip ",
      recurrence: "FREQ=WEEKLY",
    };
    expect(requestFromForm(form, null)).toEqual({
      title: "Trip",
      start: at("2026-12-07", null, BERLIN),
      end: at("2026-12-08", null, BERLIN),
      timezone: BERLIN,
      location: null,
      notes: null,
      recurrence: "FREQ=WEEKLY",
    });
  });

  it("edits an event keeping its fields, its version and whether it floats", () => {
    const floating = event({
      start: at("2026-12-07", "09:00"),
      end: at("2026-12-07", "09:15"),
      allDay: false,
      timezone: null,
      recurrence: "FREQ=DAILY",
      exceptions: { "2026-12-08T09:00": { cancelled: true } },
    });
    const form = { ...formFromEvent(floating, BERLIN), title: "Daily standup" };
    const request = requestFromForm(form, floating);
    expect(request).toMatchObject({
      id: "ev",
      expectedVersion: 3,
      title: "Daily standup",
      timezone: null,
      start: at("2026-12-07", "09:00"),
      reminders: [10],
      exceptions: { "2026-12-08T09:00": { cancelled: true } },
    });
    // Another rule drops the exceptions of the old one.
    expect(requestFromForm({ ...form, recurrence: "FREQ=WEEKLY" }, floating).exceptions).toEqual(
      {},
    );
  });
});

describe("moving and cancelling", () => {
  const single = event({
    start: at("2026-12-07", "09:00", BERLIN),
    end: at("2026-12-07", "10:00", BERLIN),
    allDay: false,
    timezone: BERLIN,
  });
  const series = { ...single, recurrence: "FREQ=WEEKLY" };
  const window = [new Date("2026-12-01T00:00:00Z"), new Date("2026-12-20T00:00:00Z")] as const;

  it("moves a single event to the dropped time, in its own zone", () => {
    const [occurrence] = occurrencesBetween(single, ...window, "America/New_York");
    if (!occurrence) throw new Error("none");
    // Dropped at 05:00 New York wall time = 11:00 Berlin.
    const request = moveRequest(
      single,
      occurrence,
      new Date("2026-12-08T05:00:00Z"),
      null,
      false,
      "America/New_York",
    );
    expect(request).toMatchObject({
      expectedVersion: 3,
      start: at("2026-12-08", "11:00", BERLIN),
      end: at("2026-12-08", "12:00", BERLIN),
    });
  });

  it("moves one occurrence of a series as an exception", () => {
    const occurrence = occurrencesBetween(series, ...window, BERLIN)[1];
    if (!occurrence) throw new Error("none");
    const request = moveRequest(
      series,
      occurrence,
      new Date("2026-12-15T13:00:00Z"),
      new Date("2026-12-15T14:30:00Z"),
      false,
      BERLIN,
    );
    expect(request?.start).toEqual(series.start);
    expect(request?.exceptions).toEqual({
      "2026-12-14T09:00": {
        start: at("2026-12-15", "13:00", BERLIN),
        end: at("2026-12-15", "14:30", BERLIN),
      },
    });
    expect(
      moveRequest(series, occurrence, new Date("2026-12-15T00:00:00Z"), null, true, BERLIN),
    ).toBeNull();
  });

  it("cancels one occurrence", () => {
    expect(cancelOccurrenceRequest(series, "2026-12-14T09:00").exceptions).toEqual({
      "2026-12-14T09:00": { cancelled: true },
    });
  });
});
