import { describe, expect, it } from "vitest";
import {
  addDays,
  describeWallTime,
  formatInZone,
  offsetMinutes,
  parseWall,
  safeZone,
  todayIn,
  toInstant,
  toWall,
  wallKey,
  wallTimeInstant,
} from "./localtime";

const wall = (date: string, time: string) => {
  const parsed = parseWall(date, time);
  if (!parsed) throw new Error(`bad wall ${date} ${time}`);
  return parsed;
};

describe("toInstant", () => {
  it("reads a plain wall time in its zone", () => {
    expect(toInstant(wall("2026-07-01", "09:00"), "Europe/Berlin").toISOString()).toBe(
      "2026-07-01T07:00:00.000Z",
    );
    expect(toInstant(wall("2026-12-05", "15:00"), "Europe/Berlin").toISOString()).toBe(
      "2026-12-05T14:00:00.000Z",
    );
    expect(toInstant(wall("2026-12-05", "15:00"), "UTC").toISOString()).toBe(
      "2026-12-05T15:00:00.000Z",
    );
  });

  it("moves a wall time in a spring-forward gap forward by the gap", () => {
    // Berlin skips 02:00-03:00 on 29 March 2026: 02:30 reads as 03:30 CEST.
    const instant = toInstant(wall("2026-03-29", "02:30"), "Europe/Berlin");
    expect(instant.toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(wallKey(toWall(instant, "Europe/Berlin"))).toBe("2026-03-29T03:30");
  });

  it("takes the first of a wall time that happens twice", () => {
    // Berlin repeats 02:00-03:00 on 25 October 2026: the first 02:30 is CEST (+2).
    expect(toInstant(wall("2026-10-25", "02:30"), "Europe/Berlin").toISOString()).toBe(
      "2026-10-25T00:30:00.000Z",
    );
  });

  it("round-trips with toWall across zones with odd offsets", () => {
    const instant = toInstant(wall("2026-01-15", "23:45"), "Asia/Kathmandu");
    expect(offsetMinutes(instant, "Asia/Kathmandu")).toBe(345);
    expect(wallKey(toWall(instant, "Asia/Kathmandu"))).toBe("2026-01-15T23:45");
  });
});

describe("stored wall times", () => {
  it("float in the user's zone, or keep their own", () => {
    const floating = { date: "2026-12-05", time: "09:00", timezone: null };
    expect(wallTimeInstant(floating, "America/New_York")?.toISOString()).toBe(
      "2026-12-05T14:00:00.000Z",
    );
    const fixed = { ...floating, timezone: "Asia/Tokyo" };
    expect(wallTimeInstant(fixed, "America/New_York")?.toISOString()).toBe(
      "2026-12-05T00:00:00.000Z",
    );
    expect(wallTimeInstant({ date: "nope", time: null, timezone: null }, "UTC")).toBeNull();
  });

  it("are described for a person, with the zone only when it is not theirs", () => {
    const time = { date: "2026-12-05", time: "15:00", timezone: null };
    expect(describeWallTime(time, "Europe/Berlin")).toBe("Sat 5 Dec 2026, 15:00");
    expect(describeWallTime({ ...time, timezone: "Asia/Tokyo" }, "Europe/Berlin")).toBe(
      "Sat 5 Dec 2026, 15:00 Asia/Tokyo",
    );
    expect(describeWallTime({ ...time, time: null }, "Europe/Berlin")).toBe("Sat 5 Dec 2026");
  });
});

describe("dates in a zone", () => {
  it("know today where the user is", () => {
    const now = new Date("2026-12-05T23:30:00Z");
    expect(todayIn("UTC", now)).toBe("2026-12-05");
    expect(todayIn("Europe/Berlin", now)).toBe("2026-12-06");
    expect(todayIn("America/Los_Angeles", now)).toBe("2026-12-05");
  });

  it("add days across months and years", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("format an instant in a zone", () => {
    const instant = new Date("2026-12-05T23:30:00Z");
    expect(formatInZone(instant, "Europe/Berlin")).toBe("Sun 6 Dec 2026, 00:30");
    expect(formatInZone(instant, "Europe/Berlin", false)).toBe("Sun 6 Dec 2026");
  });

  it("fall back to UTC for a zone the browser does not know", () => {
    expect(safeZone("Mars/Olympus")).toBe("UTC");
    expect(safeZone(null)).toBe("UTC");
    expect(safeZone("Asia/Tokyo")).toBe("Asia/Tokyo");
  });
});
