import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { ErrorMessage, Loading } from "../../../components/Status";
import { useIsAdmin } from "../../../hooks/useIsAdmin";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { callableFailure } from "../../../lib/firebase/errors";
import type { DayUsagePublic } from "../../../wire/analytics";
import { queryAnalytics } from "../api/analytics";
import { AnalyticsCharts, AnalyticsTable } from "../components/AnalyticsCharts";
import { analyticsRequest, lastDays } from "../utils/analytics";
import "../components/analytics.css";

type Report =
  | { kind: "loading" }
  | { kind: "loaded"; days: DayUsagePublic[] }
  | { kind: "failed"; message: string };

type Range = { from: string; to: string };

/**
 * /admin/analytics: usage per UTC day over a range (`query_analytics`, at most 92 days):
 * calls per function, AI cost per model, active users, as charts and as a table. Only
 * admins reach it from the nav; the server refuses everyone else (shown as an error).
 */
export default function AnalyticsPage() {
  usePageTitle("Usage analytics");
  const uid = useReadyUid();
  const isAdmin = useIsAdmin();
  const tableId = `${useId()}-table`;
  const [form, setForm] = useState<Range>(() => lastDays(30));
  const [applied, setApplied] = useState<Range>(form);
  const [formError, setFormError] = useState<{
    field: string;
    message: string;
  } | null>(null);
  const [report, setReport] = useState<Report>({ kind: "loading" });

  const load = useCallback(async (range: Range) => {
    const check = analyticsRequest(range.from, range.to);
    if (!check.ok) return;
    setReport({ kind: "loading" });
    try {
      const result = await queryAnalytics(check.request);
      setReport({ kind: "loaded", days: result.days });
    } catch (err) {
      setReport({ kind: "failed", message: callableFailure(err).message });
    }
  }, []);

  useEffect(() => {
    if (uid) void load(applied);
  }, [uid, applied, load]);

  function apply(event: FormEvent) {
    event.preventDefault();
    const check = analyticsRequest(form.from, form.to);
    if (!check.ok) {
      setFormError({ field: check.field, message: check.message });
      return;
    }
    setFormError(null);
    setApplied({ ...form });
  }

  return (
    <section className="stack analytics-page">
      <h1>Usage analytics</h1>
      {!isAdmin && uid && (
        <p className="muted">Only admins can read usage analytics; the server checks your role.</p>
      )}
      <form className="analytics-filters" onSubmit={apply} aria-label="Choose the days">
        <label>
          From (UTC)
          <input
            type="date"
            value={form.from}
            data-testid="analytics-from"
            aria-invalid={formError?.field === "from"}
            aria-describedby={formError?.field === "from" ? "analytics-form-error" : undefined}
            onChange={(event) => setForm({ ...form, from: event.target.value })}
          />
        </label>
        <label>
          To (UTC)
          <input
            type="date"
            value={form.to}
            data-testid="analytics-to"
            aria-invalid={formError?.field === "to"}
            aria-describedby={formError?.field === "to" ? "analytics-form-error" : undefined}
            onChange={(event) => setForm({ ...form, to: event.target.value })}
          />
        </label>
        <button type="submit" data-testid="analytics-apply">
          Show
        </button>
      </form>
      {formError && (
        <p
          className="error"
          role="alert"
          id="analytics-form-error"
          data-testid="analytics-form-error"
        >
          {formError.message}
        </p>
      )}
      {report.kind === "loading" && <Loading>Loading usage…</Loading>}
      {report.kind === "failed" && (
        <ErrorMessage testId="analytics-error">Could not load usage: {report.message}</ErrorMessage>
      )}
      {report.kind === "loaded" && (
        <>
          <AnalyticsCharts days={report.days} tableId={tableId} />
          <div className="analytics-table-wrap">
            <AnalyticsTable days={report.days} tableId={tableId} />
          </div>
        </>
      )}
    </section>
  );
}
