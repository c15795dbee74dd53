/**
 * The details of one node of a run, opened from the execution page's canvas: its status,
 * attempts, duration, branch, what was in scope for it (input), its output, its error and
 * its log lines; a failed step offers the retries from here.
 */
import { useEffect, useId, useRef, type KeyboardEvent } from "react";
import type { ExecutionStatus } from "../../../types/executions";
import {
  executionActions,
  formatDuration,
  type ExecutionAction,
  type RunNodeDetails,
} from "../utils/executions";
import { JsonPreview, LOG_TIME, StepStatusBadge, TextPreview, Time } from "./executions";
import "./runDetails.css";

export interface RunDetailsProps {
  details: RunNodeDetails;
  executionStatus: ExecutionStatus;
  /** The control being sent, if any (every control waits for it). */
  pending: ExecutionAction | null;
  onAction: (action: ExecutionAction) => void;
  /** Close the panel (Escape or the Close button); focus goes back to the canvas. */
  onClose: () => void;
}

function durationText(ms: number | null): string | null {
  if (ms === null) return null;
  return formatDuration(new Date(0), new Date(ms));
}

export function RunDetails({
  details,
  executionStatus,
  pending,
  onAction,
  onClose,
}: RunDetailsProps) {
  const id = useId();
  const headingId = `${id}-heading`;
  const heading = useRef<HTMLHeadingElement>(null);
  const { step, nodeId } = details;

  // Opening the panel (or another node in it) moves focus to its heading.
  useEffect(() => {
    heading.current?.focus();
  }, [nodeId]);

  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      onClose();
    }
  }

  const canRetry = executionActions(executionStatus).retry && step.status === "failed";
  const duration = durationText(details.durationMs);
  const busy = pending !== null;
  const retryButton = (action: ExecutionAction, label: string, className: string) => (
    <button
      type="button"
      className={`${className} small`}
      disabled={busy}
      aria-busy={pending === action ? true : undefined}
      onClick={() => onAction(action)}
    >
      {pending === action ? `${label}…` : label}
    </button>
  );

  return (
    <section
      className="run-details card"
      aria-labelledby={headingId}
      onKeyDown={onKeyDown}
      data-testid="run-details"
      data-node-id={nodeId}
    >
      <header className="row spread">
        <h2 id={headingId} ref={heading} tabIndex={-1}>
          {details.name ?? nodeId} <span className="muted run-details-type">({details.type})</span>
        </h2>
        <button type="button" className="secondary small" onClick={onClose}>
          Close<span className="visually-hidden"> the details of {nodeId}</span>
        </button>
      </header>
      <dl className="facts">
        {details.name && (
          <>
            <dt>Node</dt>
            <dd>
              <code>{nodeId}</code>
            </dd>
          </>
        )}
        <dt>Status</dt>
        <dd data-testid="run-details-status" data-status={step.status}>
          <StepStatusBadge status={step.status} />
        </dd>
        <dt>Attempts</dt>
        <dd data-testid="run-details-attempts">{step.attempts}</dd>
        <dt>Duration</dt>
        <dd>{duration ?? <span className="muted">—</span>}</dd>
        <dt>Started</dt>
        <dd>
          <Time date={step.startedAt} format={LOG_TIME} />
        </dd>
        {step.branch && (
          <>
            <dt>Branch</dt>
            <dd>{step.branch}</dd>
          </>
        )}
        <dt>Input</dt>
        <dd>
          <JsonPreview value={details.input} label="input" />
        </dd>
        <dt>Output</dt>
        <dd data-testid="run-details-output">
          {step.output === undefined ? (
            <span className="muted">—</span>
          ) : (
            <JsonPreview value={step.output} label="output" />
          )}
        </dd>
        <dt>Error</dt>
        <dd data-testid="run-details-error">
          {step.error ? (
            <TextPreview text={step.error} className="error" />
          ) : (
            <span className="muted">—</span>
          )}
        </dd>
      </dl>
      {canRetry && (
        <div className="row execution-controls" role="group" aria-label={`Retry ${nodeId}`}>
          {retryButton("retry", "Retry this step", "")}
          {retryButton("retryFromStart", "Retry the whole run", "secondary")}
        </div>
      )}
      <h3>Log</h3>
      {details.logs.length === 0 ? (
        <p className="muted">Nothing logged for this step.</p>
      ) : (
        <ol className="run-details-log" data-testid="run-details-log">
          {details.logs.map((log) => (
            <li key={log.id} data-level={log.level}>
              <Time date={log.time} format={LOG_TIME} />{" "}
              <span className={log.level === "error" ? "error" : "muted"}>{log.level}</span>{" "}
              <span className="log-message">{log.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
