import { describe, expect, it } from "vitest";
import { toTask, type Task } from "../models";
import {
  allTags,
  DEFAULT_FILTER,
  describeRecurrence,
  dueBucket,
  dueOf,
  saveRequest,
  visibleTasks,
} from "./filters";

const NOW = new Date("2026-12-05T10:00:00Z"); // 11:00 in Berlin, Saturday
const ZONE = "Europe/Berlin";

function task(id: string, fields: Partial<Task> = {}): Task {
  return {
    ...toTask({ id, data: { title: id, version: 1 }, pending: false }),
    ...fields,
  };
}

const wholeDay = (date: string) => ({
  due: { date, time: null, timezone: null },
  dueAt: new Date(`${date}T00:00:00+01:00`),
});
const timed = (date: string, time: string, instant: string) => ({
  due: { date, time, timezone: null },
  dueAt: new Date(instant),
});

describe("dueBucket", () => {
  it("puts whole days by their date in the user's today", () => {
    expect(dueBucket(task("a", wholeDay("2026-12-05")), NOW, ZONE)).toBe("today");
    expect(dueBucket(task("b", wholeDay("2026-12-04")), NOW, ZONE)).toBe("overdue");
    expect(dueBucket(task("c", wholeDay("2026-12-06")), NOW, ZONE)).toBe("upcoming");
    expect(dueBucket(task("d"), NOW, ZONE)).toBe("none");
  });

  it("makes a timed task overdue once its time passed today", () => {
    const earlier = task("a", timed("2026-12-05", "09:00", "2026-12-05T08:00:00Z"));
    const later = task("b", timed("2026-12-05", "15:00", "2026-12-05T14:00:00Z"));
    expect(dueBucket(earlier, NOW, ZONE)).toBe("overdue");
    expect(dueBucket(later, NOW, ZONE)).toBe("today");
    expect(dueBucket({ ...earlier, status: "done" }, NOW, ZONE)).toBe("today");
  });

  it("reads today in the user's zone, not UTC", () => {
    // 23:30 UTC on the 5th is already the 6th in Berlin.
    const night = new Date("2026-12-05T23:30:00Z");
    expect(dueBucket(task("a", wholeDay("2026-12-06")), night, ZONE)).toBe("today");
    expect(dueBucket(task("a", wholeDay("2026-12-06")), night, "UTC")).toBe("upcoming");
  });

  it("never calls a done task overdue", () => {
    expect(dueBucket(task("a", { ...wholeDay("2026-12-01"), status: "done" }), NOW, ZONE)).toBe(
      "past",
    );
  });

  it("reads a workflow-made task by its dueAt alone", () => {
    const legacy = task("a", { dueAt: new Date("2026-12-04T12:00:00Z"), version: null });
    expect(dueBucket(legacy, NOW, ZONE)).toBe("overdue");
  });
});

describe("visibleTasks", () => {
  const tasks = [
    task("done", { status: "done", tags: ["home"] }),
    task("later", { ...wholeDay("2026-12-09"), priority: 1, tags: ["work"] }),
    task("late", { ...wholeDay("2026-12-01"), tags: ["work", "home"] }),
    task("someday", { priority: 3 }),
    task("urgent", { ...wholeDay("2026-12-09"), priority: 3 }),
  ];
  const ids = (list: Task[]) => list.map((item) => item.id);

  it("shows open tasks by default, soonest first, then by priority", () => {
    expect(ids(visibleTasks(tasks, DEFAULT_FILTER, NOW, ZONE))).toEqual([
      "late",
      "urgent",
      "later",
      "someday",
    ]);
  });

  it("filters by status, tag and due", () => {
    const all = { ...DEFAULT_FILTER, status: "all" as const };
    expect(ids(visibleTasks(tasks, { ...all, status: "done" }, NOW, ZONE))).toEqual(["done"]);
    expect(ids(visibleTasks(tasks, { ...all, tag: "home" }, NOW, ZONE))).toEqual(["late", "done"]);
    expect(ids(visibleTasks(tasks, { ...all, due: "overdue" }, NOW, ZONE))).toEqual(["late"]);
    expect(ids(visibleTasks(tasks, { ...all, due: "upcoming" }, NOW, ZONE))).toEqual([
      "urgent",
      "later",
    ]);
    expect(ids(visibleTasks(tasks, { ...all, due: "none" }, NOW, ZONE))).toEqual([
      "someday",
      "done",
    ]);
  });

  it("lists the tags in use", () => {
    expect(allTags(tasks)).toEqual(["home", "work"]);
  });
});

describe("saveRequest", () => {
  it("sends every field with the version it was read at", () => {
    const item = task("a", { ...wholeDay("2026-12-05"), tags: ["x"], priority: 2, version: 4 });
    expect(saveRequest(item, { status: "done" }, ZONE)).toEqual({
      id: "a",
      expectedVersion: 4,
      title: "a",
      notes: null,
      status: "done",
      priority: 2,
      due: { date: "2026-12-05", time: null, timezone: null },
      remind: null,
      tags: ["x"],
      recurrence: null,
    });
  });

  it("keeps a workflow-made task's due time as a floating wall time", () => {
    const legacy = task("a", { dueAt: new Date("2026-12-04T12:00:00Z"), version: null });
    expect(dueOf(legacy, ZONE)).toEqual({ date: "2026-12-04", time: "13:00", timezone: null });
    expect(saveRequest(legacy, { status: "done" }, ZONE)).not.toHaveProperty("expectedVersion");
  });
});

describe("toTask", () => {
  it("loads a task a workflow created (dueAt, no due or version)", () => {
    const when = new Date("2026-12-04T12:00:00Z");
    const loaded = toTask({
      id: "w1",
      data: { title: "Call Bob", dueAt: { toDate: () => when }, priority: 9, tags: ["a", 3] },
      pending: false,
    });
    expect(loaded).toMatchObject({
      id: "w1",
      title: "Call Bob",
      status: "todo",
      priority: 3,
      due: null,
      dueAt: when,
      tags: ["a"],
      version: null,
    });
  });
});

describe("describeRecurrence", () => {
  it("names the frequency", () => {
    expect(describeRecurrence("FREQ=WEEKLY;BYDAY=MO")).toBe("Every week");
    expect(describeRecurrence("RRULE:FREQ=DAILY;INTERVAL=2")).toBe("Every 2 days");
    expect(describeRecurrence("X=1")).toBe("Repeats");
  });
});
