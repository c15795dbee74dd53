/**
 * The audit viewer's pure parts: the `query_audit` request from the filter form (checked
 * the way the server checks it: one filter at a time, a date range in order), page
 * merging, and labels. The server (`shared/audit.py`) stays the judge.
 */
import type { AuditEntryPublic, QueryAudit } from "../../../wire/audit";

export const PAGE_SIZE = 50;
export const MAX_FILTER_CHARS = 128;

/** Every action the server writes (`ACTIONS` in shared/audit.py), with a short label. */
export const AUDIT_ACTIONS: Record<string, string> = {
  "role.set": "Role changed",
  "flag.set": "Flag changed",
  "webhook.secret.created": "Webhook secret created",
  "webhook.secret.rotated": "Webhook secret rotated",
  "webhook.secret.deleted": "Webhook secret deleted",
  "calendar.feed.created": "Calendar feed created",
  "calendar.feed.rotated": "Calendar feed rotated",
  "calendar.feed.revoked": "Calendar feed revoked",
};

/** The one field the log may be filtered by at a time (the server's indexes allow no more). */
export type FilterBy = "none" | "actor" | "action" | "targetUid";

export const FILTER_LABELS: Record<FilterBy, string> = {
  none: "Everything",
  actor: "Actor (uid)",
  action: "Action",
  targetUid: "Target user (uid)",
};

/** What the form holds; dates are the `<input type="date">` values (`YYYY-MM-DD`, local). */
export interface AuditFilters {
  by: FilterBy;
  value: string;
  fromDate: string;
  toDate: string;
}

export function emptyFilters(): AuditFilters {
  return { by: "none", value: "", fromDate: "", toDate: "" };
}

export type RequestCheck =
  | { ok: true; request: QueryAudit }
  | { ok: false; field: "value" | "fromDate" | "toDate"; message: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Local midnight starting `date` (`YYYY-MM-DD`), as ISO 8601 in UTC; null if not a date. */
export function startOfDay(date: string): string | null {
  if (!DATE.test(date)) return null;
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const local = new Date(year, month - 1, day);
  if (local.getFullYear() !== year || local.getMonth() !== month - 1 || local.getDate() !== day) {
    return null;
  }
  return local.toISOString();
}

/** Local midnight after `date`: the exclusive end of a range that includes `date`. */
export function endOfDay(date: string): string | null {
  const start = startOfDay(date);
  if (start === null) return null;
  const next = new Date(start);
  next.setDate(next.getDate() + 1);
  return next.toISOString();
}

/**
 * The `query_audit` request for `filters` (one page of `limit`, after `cursor`), or the
 * form field that is wrong. The date range includes both days (local time).
 */
export function auditRequest(
  filters: AuditFilters,
  cursor: string | null = null,
  limit: number = PAGE_SIZE,
): RequestCheck {
  const request: QueryAudit = { limit };
  const value = filters.value.trim();
  if (filters.by !== "none") {
    if (value === "") return { ok: false, field: "value", message: "Enter a value to filter by." };
    if (value.length > MAX_FILTER_CHARS) {
      return { ok: false, field: "value", message: `At most ${MAX_FILTER_CHARS} characters.` };
    }
    if (filters.by === "action" && !(value in AUDIT_ACTIONS)) {
      return { ok: false, field: "value", message: "Choose one of the listed actions." };
    }
    request[filters.by] = value;
  }
  if (filters.fromDate) {
    const from = startOfDay(filters.fromDate);
    if (from === null) return { ok: false, field: "fromDate", message: "Not a date." };
    request.from = from;
  }
  if (filters.toDate) {
    const to = endOfDay(filters.toDate);
    if (to === null) return { ok: false, field: "toDate", message: "Not a date." };
    if (request.from && to <= request.from) {
      return { ok: false, field: "toDate", message: "The end date is before the start date." };
    }
    request.to = to;
  }
  if (cursor) request.cursor = cursor;
  return { ok: true, request };
}

/** `page` after `shown`, leaving out entries already shown (a retried "Load more"). */
export function appendPage(
  shown: AuditEntryPublic[],
  page: AuditEntryPublic[],
): AuditEntryPublic[] {
  const seen = new Set(shown.map((entry) => entry.id));
  return [...shown, ...page.filter((entry) => !seen.has(entry.id))];
}

export function actionLabel(action: string): string {
  return AUDIT_ACTIONS[action] ?? action;
}

function short(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  return JSON.stringify(value);
}

/** The details as `key: value` pairs; `from`/`to` as one `from → to` pair. */
export function detailsSummary(details: Record<string, unknown>): string {
  const parts: string[] = [];
  const keys = Object.keys(details).sort();
  if ("from" in details || "to" in details) {
    parts.push(`${short(details.from)} → ${short(details.to)}`);
  }
  for (const key of keys) {
    if (key === "from" || key === "to") continue;
    parts.push(`${key}: ${short(details[key])}`);
  }
  return parts.join("; ");
}

/** An entry's time for the table, in the viewer's locale and zone. */
export function formatTime(iso: string, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(locale, { dateStyle: "medium", timeStyle: "medium" });
}
