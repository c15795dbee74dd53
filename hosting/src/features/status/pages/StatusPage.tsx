import { useCallback, useEffect, useState } from "react";
import { ErrorMessage, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { fetchHealth, type HealthReport } from "../api/health";

type State =
  | { kind: "loading" }
  | { kind: "loaded"; report: HealthReport; at: Date }
  | { kind: "failed"; message: string };

export default function StatusPage() {
  usePageTitle("Status");
  const [state, setState] = useState<State>({ kind: "loading" });

  const load = useCallback((signal?: AbortSignal) => {
    setState({ kind: "loading" });
    fetchHealth(signal).then(
      (report) => setState({ kind: "loaded", report, at: new Date() }),
      (err: unknown) => {
        if (signal?.aborted) return;
        setState({ kind: "failed", message: err instanceof Error ? err.message : String(err) });
      },
    );
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal);
    return () => controller.abort();
  }, [load]);

  return (
    <section className="stack">
      <div className="row spread">
        <h1>Status</h1>
        <button
          type="button"
          className="secondary"
          disabled={state.kind === "loading"}
          onClick={() => load()}
        >
          Refresh
        </button>
      </div>
      {state.kind === "loading" && <Loading>Checking…</Loading>}
      {state.kind === "failed" && (
        <ErrorMessage>Could not check Aura's health: {state.message}</ErrorMessage>
      )}
      {state.kind === "loaded" && <Report report={state.report} at={state.at} />}
    </section>
  );
}

function Report({ report, at }: { report: HealthReport; at: Date }) {
  const checks = Object.entries(report.checks).sort(([a], [b]) => a.localeCompare(b));
  return (
    <>
      <div className="card">
        <dl className="facts">
          <dt>Overall</dt>
          <dd>
            <span data-testid="health-status" className={`badge ${report.status === "ok" ? "ok" : "bad"}`}>
              {report.status}
            </span>
          </dd>
          <dt>Version</dt>
          <dd data-testid="health-version">{report.version}</dd>
          <dt>Environment</dt>
          <dd>{report.environment}</dd>
          <dt>Checked</dt>
          <dd>{at.toLocaleTimeString()}</dd>
        </dl>
      </div>
      <table>
        <caption>Dependency checks</caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Result</th>
            <th scope="col">Latency</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {checks.map(([name, check]) => (
            <tr key={name}>
              <th scope="row">
                {name}
                {check.critical === false && <span className="muted"> (informational)</span>}
              </th>
              <td>
                <span className={`badge ${check.ok ? "ok" : "bad"}`}>{check.ok ? "ok" : "failing"}</span>
              </td>
              <td>{check.latencyMs === undefined ? "—" : `${Math.round(check.latencyMs)} ms`}</td>
              <td>{check.detail ?? ""}</td>
            </tr>
          ))}
          {checks.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No checks reported.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
