import { useId, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { WORKFLOW_STATUSES } from "../../../types/workflows";
import { DefinitionField } from "../components/DefinitionField";
import { DefinitionSummary } from "../components/DefinitionSummary";
import { RunWorkflowForm } from "../components/RunWorkflowForm";
import { WebhookSecretNotice } from "../components/WebhookSecretNotice";
import { StatusBadge } from "../components/WorkflowList";
import { useWorkflowEditor } from "../hooks/useWorkflowEditor";
import "../components/automations.css";

/**
 * /automations/new and /automations/:workflowId/edit. Keyed by the id, so opening another
 * workflow (or the one just created) starts a fresh editor.
 */
export default function WorkflowEditorPage() {
  const { workflowId } = useParams();
  return <WorkflowEditor key={workflowId ?? "new"} workflowId={workflowId} />;
}

function WorkflowEditor({ workflowId }: { workflowId: string | undefined }) {
  const id = useId();
  const editor = useWorkflowEditor(workflowId);
  const { live, stored, view, edit, save, nameRef, definitionRef } = editor;
  const { draft, outcome, secret, running } = editor.state;
  const { saving, dirty, newerElsewhere, deletedElsewhere, definitionError } = view;
  const { problem, problemSpan, errorIsCurrent } = view;
  const { name: nameError, description: descriptionError, status: statusError } = view.fieldErrors;

  const title = workflowId ? (stored?.name ?? "Workflow") : "New workflow";
  usePageTitle(title);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save(false);
  }

  return (
    <section className="workflow-editor stack">
      <p className="back">
        <Link to="/automations">← Automations</Link>
      </p>
      <header className="row spread workflow-header">
        <h1>{title}</h1>
        {stored && (
          <span className="row">
            <StatusBadge status={stored.status} />
            <span className="muted" data-testid="stored-version">
              Version {stored.version}
            </span>
            <Link to={`/automations/${stored.id}/executions`}>Runs</Link>
            <button
              type="button"
              className="small"
              aria-expanded={running}
              onClick={editor.toggleRun}
            >
              Run
            </button>
          </span>
        )}
      </header>
      {running && stored && (
        <div className="card">
          <RunWorkflowForm
            workflowId={stored.id}
            note={
              dirty
                ? `Runs the saved version (${stored.version}), without your unsaved changes.`
                : `Runs version ${stored.version}.`
            }
            onClose={editor.closeRun}
          />
        </div>
      )}

      <SetupError />
      <LoadError what="this workflow" error={live.error} />
      {secret && <WebhookSecretNotice secret={secret} onDismiss={editor.dismissSecret} />}

      {draft === null ? (
        stored === null ? (
          <div className="card">
            <h2>Workflow not found</h2>
            <p className="muted">
              It may have been deleted. <Link to="/automations">Back to your workflows</Link>
            </p>
          </div>
        ) : (
          !live.error && <Loading>Loading workflow…</Loading>
        )
      ) : (
        <form className="stack" onSubmit={handleSubmit} noValidate>
          <div className="workflow-fields">
            <div className="field">
              <label htmlFor={`${id}-name`}>Name</label>
              <input
                id={`${id}-name`}
                ref={nameRef}
                type="text"
                required
                maxLength={100}
                autoComplete="off"
                value={draft.name}
                aria-invalid={nameError ? true : undefined}
                aria-describedby={nameError ? `${id}-name-error` : undefined}
                onChange={(event) => edit({ name: event.target.value })}
              />
              {nameError && <ErrorMessage id={`${id}-name-error`}>{nameError}</ErrorMessage>}
            </div>
            <div className="field">
              <label htmlFor={`${id}-status`}>Status</label>
              <select
                id={`${id}-status`}
                value={draft.status}
                aria-invalid={statusError ? true : undefined}
                aria-describedby={statusError ? `${id}-status-error` : undefined}
                onChange={(event) => {
                  const status = WORKFLOW_STATUSES.find((s) => s.value === event.target.value);
                  if (status) edit({ status: status.value });
                }}
              >
                {WORKFLOW_STATUSES.map((status) => (
                  <option key={status.value} value={status.value}>
                    {status.label}
                  </option>
                ))}
              </select>
              {statusError && <ErrorMessage id={`${id}-status-error`}>{statusError}</ErrorMessage>}
            </div>
          </div>
          <div className="field">
            <label htmlFor={`${id}-description`}>Description</label>
            <input
              id={`${id}-description`}
              type="text"
              maxLength={1000}
              autoComplete="off"
              value={draft.description}
              aria-invalid={descriptionError ? true : undefined}
              aria-describedby={descriptionError ? `${id}-description-error` : undefined}
              onChange={(event) => edit({ description: event.target.value })}
            />
            {descriptionError && (
              <ErrorMessage id={`${id}-description-error`}>{descriptionError}</ErrorMessage>
            )}
          </div>

          <div className="workflow-body">
            <DefinitionField
              id={`${id}-definition`}
              textareaRef={definitionRef}
              value={draft.text}
              onChange={(value) => edit({ text: value })}
              syntaxError={editor.syntaxError}
              invalid={definitionError !== null}
              describedBy={definitionError ? `${id}-definition-error` : undefined}
            />
            <DefinitionSummary summary={editor.summary} problem={problem} />
          </div>

          {definitionError && (
            <div
              id={`${id}-definition-error`}
              className="error problem-report"
              role="alert"
              data-testid="definition-error"
            >
              <p>{definitionError.message}</p>
              {definitionError.kind === "invalid" && definitionError.field && (
                <p className="problem-where">
                  At <code data-testid="error-field">{definitionError.field}</code>
                  {definitionError.problem && (
                    <>
                      {": "}
                      <span data-testid="error-target">{definitionError.problem.label}</span>
                    </>
                  )}
                  {problemSpan && (
                    <button
                      type="button"
                      className="secondary small"
                      onClick={() => editor.selectInDefinition(problemSpan)}
                    >
                      Show in JSON
                    </button>
                  )}
                </p>
              )}
              {definitionError.kind === "invalid" && !errorIsCurrent && (
                <p className="muted">
                  This is about the definition as you last saved it; you have edited it since.
                </p>
              )}
            </div>
          )}

          {(outcome.kind === "stale" || newerElsewhere || deletedElsewhere) && (
            <div className="notice warning" role="alert" data-testid="conflict">
              {stored === null ? (
                <>
                  <p>
                    <strong>This workflow was deleted since you opened it.</strong> Save it
                    as a new workflow to keep your changes.
                  </p>
                  <button type="button" disabled={saving} onClick={() => save(true)}>
                    Save as new workflow
                  </button>
                </>
              ) : (
                <>
                  <p>
                    <strong>This workflow changed since you opened it</strong> — reload to
                    get the latest version
                    {stored && newerElsewhere ? ` (version ${stored.version})` : ""}. Reloading
                    replaces your unsaved changes here: copy them first if you need them.
                  </p>
                  <button type="button" disabled={!stored} onClick={editor.reload}>
                    Reload
                  </button>
                </>
              )}
            </div>
          )}
          {outcome.kind === "failed" && <ErrorMessage>{outcome.message}</ErrorMessage>}

          <div className="row save-row">
            <button type="submit" disabled={saving}>
              {saving ? "Saving…" : "Save workflow"}
            </button>
            <p className="success" role="status" data-testid="save-status">
              {outcome.kind === "saved" ? savedMessage(outcome.version, outcome.nextRunAt) : ""}
            </p>
            {dirty && outcome.kind !== "saving" && (
              <small className="muted" data-testid="unsaved">
                Unsaved changes
              </small>
            )}
          </div>
        </form>
      )}
    </section>
  );
}

function savedMessage(version: number, nextRunAt: string | null): string {
  const saved = `Saved version ${version}`;
  return nextRunAt ? `${saved} · next scheduled run ${new Date(nextRunAt).toLocaleString()}` : saved;
}
