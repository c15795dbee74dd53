import { Fragment, useState } from "react";
import { Link } from "react-router";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { WORKFLOW_STATUSES, type Workflow, type WorkflowStatus } from "../../../types/workflows";
import { deleteWorkflow } from "../api/workflows";
import { describeTrigger } from "../utils/definition";
import { RunWorkflowForm } from "./RunWorkflowForm";

const UPDATED = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

const BADGE: Record<WorkflowStatus, string> = {
  draft: "badge neutral",
  active: "badge ok",
  archived: "badge muted",
};

export function statusLabel(status: WorkflowStatus): string {
  return WORKFLOW_STATUSES.find((item) => item.value === status)?.label ?? status;
}

export function StatusBadge({ status }: { status: WorkflowStatus }) {
  return (
    <span className={BADGE[status]} data-testid="workflow-status">
      {statusLabel(status)}
    </span>
  );
}

/** "Manual, Schedule 0 9 * * 1-5 (Europe/Berlin)", or "No triggers". */
export function triggersSummary(workflow: Workflow): string {
  if (workflow.triggers.length === 0) return "No triggers";
  return workflow.triggers.map((trigger) => describeTrigger(trigger)).join(", ");
}

interface WorkflowListProps {
  /** undefined while loading. */
  workflows: readonly Workflow[] | undefined;
  error: string | null;
}

/**
 * The user's workflows, most recently updated first, each with Edit, Runs, Run (an inline
 * input form under its row) and a two-step Delete.
 */
export function WorkflowList({ workflows, error }: WorkflowListProps) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [running, setRunning] = useState<string | null>(null);

  async function remove(workflow: Workflow) {
    setDeleting(workflow.id);
    setDeleteError(null);
    try {
      // `deleted: false` means it was already gone: the list shows that either way.
      await deleteWorkflow({ id: workflow.id });
      setConfirming(null);
    } catch (err) {
      setDeleteError(`Could not delete “${workflow.name}”: ${callableFailure(err).message}`);
    } finally {
      setDeleting(null);
    }
  }

  return (
    <div className="workflow-list">
      <LoadError what="your workflows" error={error} />
      {deleteError && <ErrorMessage>{deleteError}</ErrorMessage>}
      {workflows === undefined && !error && <Loading>Loading workflows…</Loading>}
      {workflows !== undefined && workflows.length === 0 && (
        <p className="muted" data-testid="no-workflows">
          No workflows yet. Choose “New workflow” to start from an example.
        </p>
      )}
      {workflows !== undefined && workflows.length > 0 && (
        <table>
          <caption className="visually-hidden">Your workflows</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Version</th>
              <th scope="col">Triggers</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {workflows.map((workflow) => {
              const busy = deleting === workflow.id;
              return (
                <Fragment key={workflow.id}>
                  <tr data-testid="workflow-item" data-workflow-id={workflow.id}>
                    <td>
                      <span className="workflow-name" data-testid="workflow-name">
                        {workflow.name}
                      </span>
                      {workflow.description && (
                        <small className="muted workflow-description">{workflow.description}</small>
                      )}
                    </td>
                    <td>
                      <StatusBadge status={workflow.status} />
                    </td>
                    <td data-testid="workflow-version">v{workflow.version}</td>
                    <td data-testid="workflow-triggers">{triggersSummary(workflow)}</td>
                    <td>
                      {workflow.updatedAt && (
                        <time dateTime={workflow.updatedAt.toISOString()}>
                          {UPDATED.format(workflow.updatedAt)}
                        </time>
                      )}
                    </td>
                    <td className="workflow-actions">
                      {confirming === workflow.id ? (
                        <div
                          className="confirm"
                          role="group"
                          aria-label={`Delete “${workflow.name}”?`}
                        >
                          <span>Delete this workflow?</span>
                          <button
                            type="button"
                            className="danger small"
                            disabled={busy}
                            onClick={() => void remove(workflow)}
                          >
                            {busy ? "Deleting…" : "Delete"}
                          </button>
                          <button
                            type="button"
                            className="secondary small"
                            disabled={busy}
                            onClick={() => setConfirming(null)}
                          >
                            Cancel
                          </button>
                        </div>
                      ) : (
                        <>
                          <Link
                            to={`/automations/${workflow.id}/edit`}
                            aria-label={`Edit workflow “${workflow.name}”`}
                          >
                            Edit
                          </Link>
                          <Link
                            to={`/automations/${workflow.id}/executions`}
                            aria-label={`Runs of workflow “${workflow.name}”`}
                          >
                            Runs
                          </Link>
                          <button
                            type="button"
                            className="small"
                            aria-label={`Run workflow “${workflow.name}”`}
                            aria-expanded={running === workflow.id}
                            onClick={() =>
                              setRunning((current) => (current === workflow.id ? null : workflow.id))
                            }
                          >
                            Run
                          </button>
                          <button
                            type="button"
                            className="secondary small"
                            aria-label={`Delete workflow “${workflow.name}”`}
                            onClick={() => {
                              setConfirming(workflow.id);
                              setDeleteError(null);
                            }}
                          >
                            Delete
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                  {running === workflow.id && (
                    <tr className="run-row" data-testid="run-row">
                      <td colSpan={6}>
                        <RunWorkflowForm
                          workflowId={workflow.id}
                          note={`Runs version ${workflow.version}.`}
                          onClose={() => setRunning(null)}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
