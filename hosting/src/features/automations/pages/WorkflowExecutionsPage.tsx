import { useState } from "react";
import { Link, useParams } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { useExecutions } from "../api/executions";
import { useWorkflow } from "../api/workflows";
import { ExecutionStatusBadge, Time } from "../components/executions";
import { RunWorkflowForm } from "../components/RunWorkflowForm";
import { formatDuration } from "../utils/executions";
import "../components/automations.css";

/** /automations/:workflowId/executions: a workflow's latest runs, newest first, live. */
export default function WorkflowExecutionsPage() {
  const { workflowId } = useParams();
  return <WorkflowExecutions key={workflowId} workflowId={workflowId} />;
}

function WorkflowExecutions({ workflowId }: { workflowId: string | undefined }) {
  const uid = useReadyUid();
  const workflow = useWorkflow(uid, workflowId);
  const executions = useExecutions(uid, workflowId);
  const [running, setRunning] = useState(false);

  // The workflow may be gone while its runs remain: they carry its name too.
  const name = workflow.data?.name ?? executions.data?.[0]?.workflowName ?? "Workflow";
  usePageTitle(`Runs of ${name}`);

  return (
    <section className="executions stack">
      <p className="back">
        <Link to="/automations">← Automations</Link>
      </p>
      <header className="row spread workflow-header">
        <h1>Runs of {name}</h1>
        <span className="row">
          {workflow.data && <Link to={`/automations/${workflowId}/edit`}>Edit</Link>}
          {workflow.data && !running && (
            <button type="button" onClick={() => setRunning(true)}>
              Run
            </button>
          )}
        </span>
      </header>
      <SetupError />
      {running && workflowId && workflow.data && (
        <div className="card">
          <RunWorkflowForm
            workflowId={workflowId}
            note={`Runs version ${workflow.data.version}.`}
            onClose={() => setRunning(false)}
          />
        </div>
      )}
      <LoadError what="the runs" error={executions.error} />
      {executions.data === undefined && !executions.error && <Loading>Loading runs…</Loading>}
      {executions.data?.length === 0 && (
        <p className="muted" data-testid="no-executions">
          No runs yet.
        </p>
      )}
      {executions.data !== undefined && executions.data.length > 0 && (
        <table className="execution-list">
          <caption className="visually-hidden">Latest runs</caption>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Trigger</th>
              <th scope="col">Version</th>
              <th scope="col">
                <span className="visually-hidden">Open</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {executions.data.map((execution) => (
              <tr
                key={execution.id}
                data-testid="execution-item"
                data-execution-id={execution.id}
                data-status={execution.status}
              >
                <td>
                  <ExecutionStatusBadge status={execution.status} />
                </td>
                <td>
                  <Time date={execution.startedAt} />
                </td>
                <td>
                  {formatDuration(execution.startedAt, execution.finishedAt) ?? (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>{execution.trigger.type}</td>
                <td>v{execution.workflowVersion}</td>
                <td className="workflow-actions">
                  <Link
                    to={`/automations/executions/${execution.id}`}
                    aria-label={`Open the run started ${execution.startedAt?.toLocaleString() ?? ""}`.trim()}
                  >
                    View
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
