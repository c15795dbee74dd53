/** Small pieces shared by the runs list and the execution page. */
import type { ExecutionStatus, StepStatus } from "../../../types/executions";
import type { JsonValue } from "../../../types/json";
import { formatJson } from "../utils/json";

export const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "medium",
});
export const LOG_TIME = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
});

const EXECUTION_BADGE: Record<ExecutionStatus, string> = {
  queued: "badge neutral",
  running: "badge info",
  paused: "badge warning",
  succeeded: "badge ok",
  failed: "badge bad",
  cancelled: "badge muted",
};

const STEP_BADGE: Record<StepStatus, string> = {
  waiting: "badge neutral",
  queued: "badge neutral",
  running: "badge info",
  succeeded: "badge ok",
  failed: "badge bad",
  skipped: "badge muted",
};

/** The status word itself (tests and people read "succeeded", "failed", …). */
export function ExecutionStatusBadge({ status, testId }: { status: ExecutionStatus; testId?: string }) {
  return (
    <span className={EXECUTION_BADGE[status]} data-testid={testId}>
      {status}
    </span>
  );
}

export function StepStatusBadge({ status }: { status: StepStatus }) {
  return <span className={STEP_BADGE[status]}>{status}</span>;
}

export function Time({ date, format = DATE_TIME }: { date: Date | null; format?: Intl.DateTimeFormat }) {
  if (!date) return <span className="muted">—</span>;
  return <time dateTime={date.toISOString()}>{format.format(date)}</time>;
}

const PREVIEW_CHARS = 60;

/** A value on one short line, expandable to the whole of it, indented. */
export function JsonPreview({ value, label }: { value: JsonValue; label: string }) {
  const full = formatJson(value);
  const flat = JSON.stringify(value);
  if (full === flat && flat.length <= PREVIEW_CHARS) return <code>{flat}</code>;
  const preview = flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
  return (
    <details className="json-preview">
      <summary>
        <code>{preview}</code>
        <span className="visually-hidden"> (show the whole {label})</span>
      </summary>
      <pre>{full}</pre>
    </details>
  );
}

/** An error message, shortened the same way. */
export function TextPreview({ text, className }: { text: string; className?: string }) {
  if (text.length <= PREVIEW_CHARS && !text.includes("\n")) {
    return <span className={className}>{text}</span>;
  }
  const preview = `${text.split("\n", 1)[0]?.slice(0, PREVIEW_CHARS - 1) ?? ""}…`;
  return (
    <details className={`json-preview ${className ?? ""}`}>
      <summary>{preview}</summary>
      <pre>{text}</pre>
    </details>
  );
}
