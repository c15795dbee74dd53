import { describe, expect, it } from "vitest";
import type { AuditEntryPublic } from "../../../wire/audit";
import {
  actionLabel,
  appendPage,
  auditRequest,
  detailsSummary,
  emptyFilters,
  endOfDay,
  startOfDay,
} from "./audit";

function entry(id: string): AuditEntryPublic {
  return {
    id,
    actor: "admin",
    action: "role.set",
    target: "users/u1",
    targetUid: "u1",
    time: "2026-12-01T10:00:00Z",
    details: {},
  };
}

describe("auditRequest", () => {
  it("asks for the first page of everything by default", () => {
    expect(auditRequest(emptyFilters())).toEqual({ ok: true, request: { limit: 50 } });
  });

  it("sends the one chosen filter, trimmed, and the cursor", () => {
    const check = auditRequest({ ...emptyFilters(), by: "targetUid", value: "  u1 " }, "c1", 10);
    expect(check).toEqual({ ok: true, request: { limit: 10, targetUid: "u1", cursor: "c1" } });
    const byActor = auditRequest({ ...emptyFilters(), by: "actor", value: "admin" });
    expect(byActor).toEqual({ ok: true, request: { limit: 50, actor: "admin" } });
  });

  it("refuses an empty value, an unknown action and a long value", () => {
    expect(auditRequest({ ...emptyFilters(), by: "actor", value: " " })).toMatchObject({
      ok: false,
      field: "value",
    });
    expect(auditRequest({ ...emptyFilters(), by: "action", value: "secret.read" })).toMatchObject({
      ok: false,
      field: "value",
    });
    expect(
      auditRequest({ ...emptyFilters(), by: "actor", value: "x".repeat(129) }),
    ).toMatchObject({ ok: false, field: "value" });
  });

  it("turns the dates into a range that includes both days", () => {
    const check = auditRequest({ ...emptyFilters(), fromDate: "2026-12-01", toDate: "2026-12-01" });
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.request.from).toBe(new Date(2026, 11, 1).toISOString());
    expect(check.request.to).toBe(new Date(2026, 11, 2).toISOString());
  });

  it("refuses an end before the start and a date that is not one", () => {
    expect(
      auditRequest({ ...emptyFilters(), fromDate: "2026-12-02", toDate: "2026-12-01" }),
    ).toMatchObject({ ok: false, field: "toDate" });
    expect(auditRequest({ ...emptyFilters(), fromDate: "2026-02-30" })).toMatchObject({
      ok: false,
      field: "fromDate",
    });
  });
});

describe("dates", () => {
  it("reads only real calendar dates", () => {
    expect(startOfDay("2026-13-01")).toBeNull();
    expect(startOfDay("yesterday")).toBeNull();
    expect(endOfDay("2026-12-31")).toBe(new Date(2027, 0, 1).toISOString());
  });
});

describe("appendPage", () => {
  it("appends the next page without repeating entries already shown", () => {
    const shown = [entry("a"), entry("b")];
    expect(appendPage(shown, [entry("b"), entry("c")]).map((e) => e.id)).toEqual(["a", "b", "c"]);
  });
});

describe("labels", () => {
  it("names known actions and shows unknown ones as stored", () => {
    expect(actionLabel("webhook.secret.rotated")).toBe("Webhook secret rotated");
    expect(actionLabel("set_role")).toBe("set_role");
  });

  it("summarises from/to first, then the other details by key", () => {
    expect(detailsSummary({ to: "admin", from: "user" })).toBe("user → admin");
    expect(detailsSummary({ workflowId: "w1", version: 2 })).toBe("version: 2; workflowId: w1");
    expect(detailsSummary({ from: null, to: { enabled: true }, version: 1 })).toBe(
      'none → {"enabled":true}; version: 1',
    );
    expect(detailsSummary({})).toBe("");
  });
});
