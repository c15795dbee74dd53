import { useCallback, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { useLive, type LiveState } from "../../../hooks/useLive";
import { watchWorkflowVersion } from "../../../lib/firebase/documents";
import { callableFailure } from "../../../lib/firebase/errors";
import type { Execution, ExecutionLog } from "../../../types/executions";
import type { JsonObject } from "../../../types/json";
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
import { RunDetails } from "../components/RunDetails";
import { canvasProblem } from "../canvas/graph";
import { WorkflowCanvas } from "../canvas/WorkflowCanvas";
import {
  executionActions,
  formatDuration,
  NOT_STARTED,
  runDefinition,
  runNodeDetails,
  runStatusMap,
  stepRows,
  versionDefinition,
  type ExecutionAction as Action,
} from "../utils/executions";
import "../components/automations.css";

const ACTION_VERB: Record<Action, string> = {
  pause: "pause",
  resume: "resume",
  cancel: "cancel",
  retry: "retry",
  retryFromStart: "retry from the start",
};

/** The definition the execution's workflow version saved (what the run used). */
function useWorkflowVersion(
  uid: string | undefined,
  execution: Execution | null | undefined,
): LiveState<JsonObject | null> {
  const workflowId = execution?.workflowId;
  const version = execution?.workflowVersion;
  return useLive(
    uid && workflowId && version ? `${uid}/${workflowId}/${version}` : null,
    (onData, onError) =>
      watchWorkflowVersion(
        uid ?? "",
        workflowId ?? "",
        version ?? 0,
        versionDefinition,
        onData,
        onError,
      ),
    "the workflow's definition",
  );
}

/**
 * /automations/executions/:executionId: one execution, live: its status, the run drawn
 * on the graph of the version it ran (a node opens its details), its steps (in the
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
  const [selected, setSelected] = useState<string | null>(null);
  const version = useWorkflowVersion(uid, execution);
  const embedded = execution?.definition;
  const definition = useMemo(
    () => (embedded ? runDefinition({ definition: embedded }, version.data) : null),
    [embedded, version.data],
  );

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
          <RunGraph
            execution={execution}
            definition={definition}
            version={version}
            logs={logs.data ?? []}
            selected={selected}
            onSelect={setSelected}
            pending={pending}
            onAction={(action) => void act(action)}
          />
          <StepsTable execution={execution} definition={definition} onOpen={setSelected} />
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
                      <td>
                        {log.nodeId ? <code>{log.nodeId}</code> : <span className="muted">—</span>}
                      </td>
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

interface RunGraphProps {
  execution: Execution;
  /** What the run used (see runDefinition); null: not loaded, or not stored. */
  definition: JsonObject | null;
  version: LiveState<JsonObject | null>;
  logs: readonly ExecutionLog[];
  selected: string | null;
  onSelect: (nodeId: string | null) => void;
  pending: Action | null;
  onAction: (action: Action) => void;
}

const NODE_SELECTOR = ".react-flow__node[data-id]";

/** The run on the canvas (read-only, badges live), and the picked node's details beside it. */
function RunGraph({
  execution,
  definition,
  version,
  logs,
  selected,
  onSelect,
  pending,
  onAction,
}: RunGraphProps) {
  const problem = definition ? canvasProblem(definition) : null;
  const steps = execution.steps;
  const run = useMemo(() => runStatusMap({ steps }), [steps]);
  const wrapper = useRef<HTMLDivElement>(null);

  // A node opens its details when clicked, or with Enter / Space when focused (also when
  // it is already the canvas's selection, which the canvas would not report again).
  const nodeIdOf = (target: EventTarget): string | null => {
    const element = target instanceof Element ? target.closest<HTMLElement>(NODE_SELECTOR) : null;
    const id = element?.dataset.id ?? null;
    return id && !id.startsWith("@") ? id : null;
  };
  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const id = nodeIdOf(event.target);
    if (id) onSelect(id);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    const id = nodeIdOf(event.target);
    if (id) onSelect(id);
  };
  const close = useCallback(() => {
    const id = selected;
    onSelect(null);
    if (!id) return;
    // Back to the node the panel was about (or the canvas, if it is not drawn).
    window.requestAnimationFrame(() => {
      const node = wrapper.current?.querySelector<HTMLElement>(
        `.react-flow__node[data-id="${CSS.escape(id)}"]`,
      );
      (node ?? wrapper.current?.querySelector<HTMLElement>(".workflow-canvas"))?.focus();
    });
  }, [selected, onSelect]);

  const details = selected ? runNodeDetails(execution, definition, selected, logs) : null;
  return (
    <section aria-labelledby="execution-graph-heading">
      <h2 id="execution-graph-heading">Graph</h2>
      <p className="muted">Version {execution.workflowVersion}, as this run used it.</p>
      <LoadError what="the workflow's definition" error={version.error} />
      <div className="run-graph with-details">
        {definition && !problem ? (
          <div ref={wrapper} onClick={onClick} onKeyDown={onKeyDown} data-testid="run-graph">
            <WorkflowCanvas
              definition={definition}
              run={run}
              label={`Run graph of version ${execution.workflowVersion}`}
            />
          </div>
        ) : version.data === undefined && !version.error && !definition ? (
          <Loading>Loading the graph…</Loading>
        ) : (
          <p className="muted" data-testid="run-graph-missing">
            {problem
              ? `The graph cannot be drawn: ${problem}`
              : `Version ${execution.workflowVersion}'s definition is not stored; the steps are listed below.`}
          </p>
        )}
        {!details && (
          <p className="run-details card muted" data-testid="run-details-hint">
            Pick a step (click it, or Tab to it and press Enter) to see its input, output, error and
            log.
          </p>
        )}
        {details && (
          <RunDetails
            details={details}
            executionStatus={execution.status}
            pending={pending}
            onAction={onAction}
            onClose={close}
          />
        )}
      </div>
    </section>
  );
}

function StepsTable({
  execution,
  definition,
  onOpen,
}: {
  execution: Execution;
  definition: JsonObject | null;
  onOpen: (nodeId: string) => void;
}) {
  const rows = stepRows(execution, definition);
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
                  <button type="button" className="step-open" onClick={() => onOpen(id)}>
                    <code>{id}</code>
                    <span className="visually-hidden"> (details)</span>
                  </button>
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
