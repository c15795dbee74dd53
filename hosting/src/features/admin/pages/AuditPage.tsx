import { useCallback, useEffect, useState, type FormEvent } from "react";
import { ErrorMessage, Loading } from "../../../components/Status";
import { useIsAdmin } from "../../../hooks/useIsAdmin";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { callableFailure } from "../../../lib/firebase/errors";
import type { AuditEntryPublic } from "../../../wire/audit";
import { queryAudit } from "../api/audit";
import {
  AUDIT_ACTIONS,
  FILTER_LABELS,
  actionLabel,
  appendPage,
  auditRequest,
  detailsSummary,
  emptyFilters,
  formatTime,
  type AuditFilters,
  type FilterBy,
} from "../utils/audit";
import "../components/audit.css";

type Listing =
  | { kind: "loading" }
  | { kind: "loaded"; entries: AuditEntryPublic[]; nextCursor: string | null }
  | { kind: "failed"; message: string };

/**
 * /admin/audit: the audit log, newest first (`query_audit`), filtered by one of actor,
 * action or target user and a date range, with "Load more" following the server's cursor.
 * Only admins reach it from the nav; the server refuses everyone else (shown as an error).
 */
export default function AuditPage() {
  usePageTitle("Audit log");
  const uid = useReadyUid();
  const isAdmin = useIsAdmin();
  const [form, setForm] = useState<AuditFilters>(emptyFilters);
  const [applied, setApplied] = useState<AuditFilters>(emptyFilters);
  const [formError, setFormError] = useState<{ field: string; message: string } | null>(null);
  const [listing, setListing] = useState<Listing>({ kind: "loading" });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState("");

  const loadFirst = useCallback(async (filters: AuditFilters) => {
    const check = auditRequest(filters);
    if (!check.ok) return;
    setListing({ kind: "loading" });
    setMoreError("");
    try {
      const page = await queryAudit(check.request);
      setListing({ kind: "loaded", entries: page.entries, nextCursor: page.nextCursor });
    } catch (err) {
      setListing({ kind: "failed", message: callableFailure(err).message });
    }
  }, []);

  useEffect(() => {
    if (uid) void loadFirst(applied);
  }, [uid, applied, loadFirst]);

  function apply(event: FormEvent) {
    event.preventDefault();
    const check = auditRequest(form);
    if (!check.ok) {
      setFormError({ field: check.field, message: check.message });
      return;
    }
    setFormError(null);
    setApplied({ ...form });
  }

  async function loadMore() {
    if (listing.kind !== "loaded" || listing.nextCursor === null) return;
    const check = auditRequest(applied, listing.nextCursor);
    if (!check.ok) return;
    setLoadingMore(true);
    setMoreError("");
    try {
      const page = await queryAudit(check.request);
      setListing({
        kind: "loaded",
        entries: appendPage(listing.entries, page.entries),
        nextCursor: page.nextCursor,
      });
    } catch (err) {
      setMoreError(callableFailure(err).message);
    } finally {
      setLoadingMore(false);
    }
  }

  const valueInvalid = formError?.field === "value";
  return (
    <section className="stack audit-page">
      <h1>Audit log</h1>
      {!isAdmin && uid && (
        <p className="muted">Only admins can read the audit log; the server checks your role.</p>
      )}
      <form className="audit-filters" onSubmit={apply} aria-label="Filter the audit log">
        <label>
          Filter by
          <select
            value={form.by}
            aria-label="Filter by"
            data-testid="audit-filter-by"
            onChange={(event) => {
              setForm({ ...form, by: event.target.value as FilterBy, value: "" });
              setFormError(null);
            }}
          >
            {(Object.keys(FILTER_LABELS) as FilterBy[]).map((by) => (
              <option key={by} value={by}>
                {FILTER_LABELS[by]}
              </option>
            ))}
          </select>
        </label>
        {form.by === "action" && (
          <label>
            Action
            <select
              value={form.value}
              aria-label="Action"
              data-testid="audit-filter-action"
              aria-invalid={valueInvalid}
              aria-describedby={valueInvalid ? "audit-form-error" : undefined}
              onChange={(event) => setForm({ ...form, value: event.target.value })}
            >
              <option value="">Choose an action…</option>
              {Object.entries(AUDIT_ACTIONS).map(([action, label]) => (
                <option key={action} value={action}>
                  {label} ({action})
                </option>
              ))}
            </select>
          </label>
        )}
        {(form.by === "actor" || form.by === "targetUid") && (
          <label>
            {form.by === "actor" ? "Actor uid" : "Target user uid"}
            <input
              type="text"
              value={form.value}
              data-testid="audit-filter-value"
              aria-invalid={valueInvalid}
              aria-describedby={valueInvalid ? "audit-form-error" : undefined}
              onChange={(event) => setForm({ ...form, value: event.target.value })}
            />
          </label>
        )}
        <label>
          From
          <input
            type="date"
            value={form.fromDate}
            data-testid="audit-from"
            aria-invalid={formError?.field === "fromDate"}
            onChange={(event) => setForm({ ...form, fromDate: event.target.value })}
          />
        </label>
        <label>
          To
          <input
            type="date"
            value={form.toDate}
            data-testid="audit-to"
            aria-invalid={formError?.field === "toDate"}
            onChange={(event) => setForm({ ...form, toDate: event.target.value })}
          />
        </label>
        <button type="submit" data-testid="audit-apply">
          Apply
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setForm(emptyFilters());
            setFormError(null);
            setApplied(emptyFilters());
          }}
        >
          Clear
        </button>
      </form>
      {formError && (
        <p className="error" role="alert" id="audit-form-error" data-testid="audit-form-error">
          {formError.message}
        </p>
      )}
      {listing.kind === "loading" && <Loading>Loading the audit log…</Loading>}
      {listing.kind === "failed" && (
        <ErrorMessage testId="audit-error">
          Could not load the audit log: {listing.message}
        </ErrorMessage>
      )}
      {listing.kind === "loaded" && (
        <>
          <p className="muted" role="status" data-testid="audit-count">
            {listing.entries.length === 0
              ? "No entries match."
              : `Showing ${listing.entries.length} ${listing.entries.length === 1 ? "entry" : "entries"}, newest first${listing.nextCursor ? "; there are more" : ""}.`}
          </p>
          {listing.entries.length > 0 && (
            <table className="audit-table" data-testid="audit-table">
              <caption className="visually-hidden">Audit entries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {listing.entries.map((entry) => (
                  <tr key={entry.id} data-testid="audit-row" data-entry-id={entry.id}>
                    <td>
                      <time dateTime={entry.time}>{formatTime(entry.time)}</time>
                    </td>
                    <td>
                      <code>{entry.actor}</code>
                    </td>
                    <td>
                      {actionLabel(entry.action)}
                      <div className="muted small-text">
                        <code>{entry.action}</code>
                      </div>
                    </td>
                    <td>
                      <code>{entry.target}</code>
                    </td>
                    <td className="audit-details">{detailsSummary(entry.details)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {moreError && (
            <ErrorMessage testId="audit-more-error">Could not load more: {moreError}</ErrorMessage>
          )}
          {listing.nextCursor !== null && (
            <div>
              <button
                type="button"
                data-testid="audit-load-more"
                disabled={loadingMore}
                onClick={() => void loadMore()}
              >
                {loadingMore ? "Loading…" : "Load more"}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
