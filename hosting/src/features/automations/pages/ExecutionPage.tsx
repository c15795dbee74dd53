import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { callableFailure } from "../../../lib/firebase/errors";
import type { Execution, ExecutionStep } from "../../../types/executions";
import {
  cancelExecution,
  pauseExecution,
  resumeExecution,
  retryExecution,
  useExecution,
  useExecutionLogs,
} from "../api/executions";
import {
  ExecutionStatusBadge,
  JsonPreview,
  LOG_TIME,
  StepStatusBadge,
  TextPreview,
  Time,
} from "../components/executions";
import { executionActions, formatDuration } from "../utils/executions";
import "../components/automations.css";

type Action = "pause" | "resume" | "cancel" | "retry" | "retryFromStart";

const ACTION_VERB: Record<Action, string> = {
  pause: "pause",
  resume: "resume",
  cancel: "cancel",
  retry: "retry",
  retryFromStart: "retry from the start",
};

const NOT_STARTED: ExecutionStep = {
  status: "waiting",
  attempts: 0,
  startedAt: null,
  finishedAt: null,
  output: undefined,
  error: null,
  branch: null,
};

/**
 * /automations/executions/:executionId: one execution, live: its status, steps (in the
 * definition's node order), log, and the controls its status allows.
 */
export default function ExecutionPage() {
  const { executionId } = useParams();
  return <ExecutionView key={executionId} executionId={executionId} />;
}

function ExecutionView({ executionId }: { executionId: string | undefined }) {
  const navigate = useNavigate();
  const uid = useReadyUid();
  const live = useExecution(uid, executionId);
  const logs = useExecutionLogs(uid, executionId);
  const execution = live.data;
  const [pending, setPending] = useState<Action | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  usePageTitle(execution ? `Run of ${execution.workflowName || "a workflow"}` : "Run");

  async function act(action: Action) {
    if (!executionId || pending) return;
    setPending(action);
    setActionError(null);
    try {
      const request = { executionId };
      if (action === "pause") await pauseExecution(request);
      else if (action === "resume") await resumeExecution(request);
      else if (action === "cancel") await cancelExecution(request);
      else {
        const result = await retryExecution(
          action === "retryFromStart" ? { executionId, fromStart: true } : request,
        );
        if (result.executionId !== executionId) {
          await navigate(`/automations/executions/${result.executionId}`);
          return;
        }
      }
      // The new status arrives through the listener.
    } catch (err) {
      setActionError(`Could not ${ACTION_VERB[action]} this run: ${callableFailure(err).message}`);
    } finally {
      setPending(null);
    }
  }

  return (
    <section className="execution stack">
      <p className="back">
        {execution ? (
          <Link to={`/automations/${execution.workflowId}/executions`}>← Runs</Link>
        ) : (
          <Link to="/automations">← Automations</Link>
        )}
      </p>
      <SetupError />
      <LoadError what="this run" error={live.error} />
      {execution === null && (
        <div className="card">
          <h1>Run not found</h1>
          <p className="muted">
            It may have been deleted. <Link to="/automations">Back to your workflows</Link>
          </p>
        </div>
      )}
      {execution === undefined && !live.error && <Loading>Loading run…</Loading>}
      {execution && (
        <>
          <ExecutionHeader execution={execution} />
          <Controls
            execution={execution}
            pending={pending}
            onAction={(action) => void act(action)}
          />
          {actionError && <ErrorMessage testId="action-error">{actionError}</ErrorMessage>}
          <StepsTable execution={execution} />
          <section aria-labelledby="execution-log-heading">
            <h2 id="execution-log-heading">Log</h2>
            <LoadError what="the log" error={logs.error} />
            {logs.data === undefined && !logs.error && <Loading>Loading log…</Loading>}
            {logs.data?.length === 0 && <p className="muted">Nothing logged yet.</p>}
            {logs.data !== undefined && logs.data.length > 0 && (
              <table className="execution-log">
                <caption className="visually-hidden">Log</caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Node</th>
                    <th scope="col">Level</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {logs.data.map((log) => (
                    <tr key={log.id} data-testid="log-entry" data-level={log.level}>
                      <td>
                        <Time date={log.time} format={LOG_TIME} />
                      </td>
                      <td>{log.nodeId ? <code>{log.nodeId}</code> : <span className="muted">—</span>}</td>
                      <td className={log.level === "error" ? "error" : "muted"}>{log.level}</td>
                      <td className="log-message">{log.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </section>
  );
}

function ExecutionHeader({ execution }: { execution: Execution }) {
  const duration = formatDuration(execution.startedAt, execution.finishedAt);
  return (
    <>
      <header className="row spread workflow-header">
        <h1>{execution.workflowName || "Workflow run"}</h1>
        <ExecutionStatusBadge status={execution.status} testId="execution-status" />
      </header>
      <dl className="facts">
        <dt>Workflow</dt>
        <dd>
          <Link to={`/automations/${execution.workflowId}/edit`}>
            {execution.workflowName || execution.workflowId}
          </Link>{" "}
          <span className="muted">(version {execution.workflowVersion})</span>
        </dd>
        <dt>Trigger</dt>
        <dd>{execution.trigger.type}</dd>
        <dt>Started</dt>
        <dd data-testid="execution-started">
          <Time date={execution.startedAt} />
        </dd>
        <dt>Finished</dt>
        <dd data-testid="execution-finished">
          <Time date={execution.finishedAt} />
          {duration && <span className="muted"> ({duration})</span>}
        </dd>
        {execution.retryOf && (
          <>
            <dt>Retry of</dt>
            <dd>
              <Link to={`/automations/executions/${execution.retryOf}`}>
                <code>{execution.retryOf}</code>
              </Link>
            </dd>
          </>
        )}
        <dt>Input</dt>
        <dd>
          <JsonPreview value={execution.input} label="input" />
        </dd>
        {execution.status === "succeeded" && (
          <>
            <dt>Output</dt>
            <dd>
              <JsonPreview value={execution.output} label="output" />
            </dd>
          </>
        )}
      </dl>
      {execution.status === "failed" && (
        <div className="error problem-report" role="alert" data-testid="execution-error">
          <p>
            {execution.error?.nodeId ? (
              <>
                Step <code>{execution.error.nodeId}</code> failed:{" "}
              </>
            ) : (
              "The run failed: "
            )}
            {execution.error?.message ?? "no reason was recorded."}
          </p>
        </div>
      )}
    </>
  );
}

interface ControlsProps {
  execution: Execution;
  pending: Action | null;
  onAction: (action: Action) => void;
}

function Controls({ execution, pending, onAction }: ControlsProps) {
  const allowed = executionActions(execution.status);
  const busy = pending !== null;
  const button = (action: Action, label: string, enabled: boolean, className = "secondary") => (
    <button
      type="button"
      className={[className, "small"].filter(Boolean).join(" ")}
      disabled={!enabled || busy}
      aria-busy={pending === action ? true : undefined}
      onClick={() => onAction(action)}
    >
      {pending === action ? `${label}…` : label}
    </button>
  );
  return (
    <div className="row execution-controls" role="group" aria-label="Run controls">
      {button("pause", "Pause", allowed.pause)}
      {button("resume", "Resume", allowed.resume)}
      {button("cancel", "Cancel", allowed.cancel, "danger")}
      {button("retry", "Retry", allowed.retry, "")}
      {button("retryFromStart", "Retry from start", allowed.retry)}
    </div>
  );
}

function StepsTable({ execution }: { execution: Execution }) {
  // The definition's order; any step it does not name (should not happen) goes last.
  const known = new Set(execution.definition.nodes.map((node) => node.id));
  const rows = [
    ...execution.definition.nodes.map((node) => ({ id: node.id, type: node.type as string })),
    ...Object.keys(execution.steps)
      .filter((id) => !known.has(id))
      .map((id) => ({ id, type: "?" })),
  ];
  return (
    <section aria-labelledby="execution-steps-heading">
      <h2 id="execution-steps-heading">Steps</h2>
      <table className="execution-steps">
        <caption className="visually-hidden">Steps</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Duration</th>
            <th scope="col">Branch</th>
            <th scope="col">Output / error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ id, type }) => {
            const step = execution.steps[id] ?? NOT_STARTED;
            const duration = formatDuration(step.startedAt, step.finishedAt);
            return (
              <tr key={id} data-testid={`step-${id}`} data-status={step.status}>
                <td>
                  <code>{id}</code>
                </td>
                <td>
                  <span className="badge neutral">{type}</span>
                </td>
                <td>
                  <StepStatusBadge status={step.status} />
                </td>
                <td>{step.attempts}</td>
                <td>{duration ?? <span className="muted">—</span>}</td>
                <td>{step.branch ?? <span className="muted">—</span>}</td>
                <td className="step-result">
                  {step.error && <TextPreview text={step.error} className="error" />}
                  {step.output !== undefined && <JsonPreview value={step.output} label="output" />}
                  {!step.error && step.output === undefined && <span className="muted">—</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
