import { describe, expect, it } from "vitest";
import { toBriefing, toNotification } from "../models";
import { appLink, arrivals, badgeLabel, badgeText, linkLabel, unreadIds } from "./inbox";

describe("badgeText", () => {
  it("counts up to 99, then says 99+", () => {
    expect(badgeText(0)).toBe("");
    expect(badgeText(1)).toBe("1");
    expect(badgeText(99)).toBe("99");
    expect(badgeText(100)).toBe("99+");
    expect(badgeLabel(1)).toBe("1 unread notification");
    expect(badgeLabel(100)).toBe("more than 99 unread notifications");
    expect(badgeLabel(0)).toBe("no unread notifications");
  });
});

describe("arrivals", () => {
  const items = [
    { id: "a", read: false },
    { id: "b", read: true },
    { id: "c", read: false },
  ];

  it("are none on the first snapshot", () => {
    expect(arrivals(null, items)).toEqual([]);
  });

  it("are the unread ones not seen before", () => {
    expect(arrivals(new Set(["a"]), items).map((item) => item.id)).toEqual(["c"]);
  });
});

describe("appLink", () => {
  it("keeps addresses in the app and refuses the rest", () => {
    expect(appLink("/tasks?task=t1")).toBe("/tasks?task=t1");
    expect(appLink("https://evil.example")).toBeNull();
    expect(appLink("//evil.example/x")).toBeNull();
    expect(appLink("/\\evil.example")).toBeNull();
    expect(appLink("javascript:alert(1)")).toBeNull();
    expect(appLink(null)).toBeNull();
    expect(linkLabel("/calendar?event=e")).toBe("Open event");
  });
});

describe("converters", () => {
  it("read a notification, defaulting what is missing", () => {
    const item = toNotification({ id: "n", data: { title: "Hi", kind: "odd" }, pending: false });
    expect(item).toMatchObject({
      id: "n",
      title: "Hi",
      body: "",
      kind: "system",
      link: null,
      read: false,
    });
    expect(unreadIds([item, { ...item, id: "m", read: true }])).toEqual(["n"]);
  });

  it("read a briefing's items", () => {
    const when = new Date("2026-12-05T08:00:00Z");
    const briefing = toBriefing({
      id: "2026-12-05",
      data: {
        summary: "A calm day.",
        events: [
          { id: "e", key: "k", title: "Standup", start: { toDate: () => when }, allDay: false },
        ],
        tasks: [{ id: "t", title: "Pay", dueAt: { toDate: () => when }, overdue: true }, "junk"],
      },
      pending: false,
    });
    expect(briefing.date).toBe("2026-12-05");
    expect(briefing.events[0]).toMatchObject({ title: "Standup", at: when });
    expect(briefing.tasks).toHaveLength(1);
    expect(briefing.tasks[0]?.overdue).toBe(true);
    expect(briefing.reminders).toEqual([]);
  });
});
