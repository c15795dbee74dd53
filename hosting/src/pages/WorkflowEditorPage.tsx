import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useAuth } from "../auth";
import {
  definitionText,
  locateProblem,
  parseDefinition,
  spanFor,
  STARTER_DEFINITION,
  storedDefinition,
  summarise,
  type Problem,
} from "../components/automations/definition";
import { DefinitionField } from "../components/automations/DefinitionField";
import { DefinitionSummary } from "../components/automations/DefinitionSummary";
import { RunWorkflowForm } from "../components/automations/RunWorkflowForm";
import { lineAndColumn, type JsonSpan } from "../components/automations/json";
import { WebhookSecretNotice } from "../components/automations/WebhookSecretNotice";
import { StatusBadge } from "../components/automations/WorkflowList";
import { saveWorkflow } from "../lib/firebase/callables";
import { callableFailure } from "../lib/firebase/errors";
import {
  DEFINITION_KEYS,
  WORKFLOW_STATUSES,
  type SaveWorkflowRequest,
  type SaveWorkflowResult,
  type Workflow,
  type WorkflowStatus,
} from "../models";
import { useWorkflow } from "../useAutomations";
import { usePageTitle } from "../usePageTitle";
import "../components/automations/automations.css";

/** What the form holds; `baseVersion` is the stored version the edits started from. */
interface Draft {
  name: string;
  description: string;
  status: WorkflowStatus;
  text: string;
  /** undefined: a workflow not saved yet. */
  baseVersion: number | undefined;
}

type Outcome =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved"; version: number; nextRunAt: string | null }
  /** Refused before sending (a missing name, a definition that is not an object). */
  | { kind: "local"; field: "name" | "definition"; message: string }
  /** invalid-argument: `field` is the server's path; `sentText` what it refers to. */
  | {
      kind: "invalid";
      message: string;
      field: string | null;
      problem: Problem | null;
      sentText: string;
      span: JsonSpan | null;
    }
  /** failed-precondition: someone saved (or deleted) the workflow since it was loaded. */
  | { kind: "stale"; message: string }
  | { kind: "failed"; message: string };

/** Form fields with errors of their own; any other path is about the definition. */
const FORM_FIELDS = ["name", "description", "status"] as const;
type FormField = (typeof FORM_FIELDS)[number];

/**
 * The result of the save that created a workflow, for the editor the app opens next (at
 * the new id). Kept here rather than in history state: it may hold the webhook secret,
 * which must not outlive the page.
 */
const justCreated = new Map<string, SaveWorkflowResult>();

function newDraft(): Draft {
  return {
    name: "Untitled workflow",
    description: "",
    status: "draft",
    text: definitionText(STARTER_DEFINITION),
    baseVersion: undefined,
  };
}

function draftFrom(workflow: Workflow): Draft {
  return {
    name: workflow.name,
    description: workflow.description,
    status: workflow.status,
    text: definitionText(storedDefinition(workflow)),
    baseVersion: workflow.version,
  };
}

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
  const navigate = useNavigate();
  const { user, profileReady, setupError, retrySetup } = useAuth();
  const live = useWorkflow(profileReady ? user?.uid : undefined, workflowId);
  const stored = live.data;

  const [draft, setDraft] = useState<Draft | null>(() => (workflowId ? null : newDraft()));
  // The form as last loaded or saved, to tell whether there are unsaved changes.
  const [baseline, setBaseline] = useState<Draft | null>(draft);
  const [outcome, setOutcome] = useState<Outcome>(() => {
    const created = workflowId ? justCreated.get(workflowId) : undefined;
    return created
      ? { kind: "saved", version: created.version, nextRunAt: created.nextRunAt }
      : { kind: "idle" };
  });
  const [secret, setSecret] = useState<string | null>(
    () => (workflowId ? justCreated.get(workflowId)?.webhookSecret : null) ?? null,
  );
  const [running, setRunning] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const definitionRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (workflowId) justCreated.delete(workflowId);
  }, [workflowId]);

  // The form starts from the first snapshot of the stored workflow, then keeps the edits.
  if (draft === null && stored) {
    const loaded = draftFrom(stored);
    setDraft(loaded);
    setBaseline(loaded);
  }

  const text = draft?.text;
  const parsed = useMemo(() => (text === undefined ? null : parseDefinition(text)), [text]);
  const summary = parsed?.ok ? summarise(parsed.definition) : null;
  const syntaxError = parsed && !parsed.ok && parsed.syntax ? parsed.syntax : null;

  const title = workflowId ? (stored?.name ?? "Workflow") : "New workflow";
  usePageTitle(title);

  const saving = outcome.kind === "saving";
  const dirty =
    draft !== null &&
    baseline !== null &&
    (draft.name !== baseline.name ||
      draft.description !== baseline.description ||
      draft.status !== baseline.status ||
      draft.text !== baseline.text);
  // Someone saved a newer version elsewhere (or deleted it) while this one is open.
  const newerElsewhere =
    !saving &&
    stored != null &&
    draft?.baseVersion !== undefined &&
    stored.version > draft.baseVersion;
  const deletedElsewhere = workflowId !== undefined && stored === null && draft !== null;

  function edit(change: Partial<Draft>) {
    setDraft((current) => (current ? { ...current, ...change } : current));
    if (outcome.kind === "saved") setOutcome({ kind: "idle" });
  }

  function selectInDefinition(span: JsonSpan) {
    const textarea = definitionRef.current;
    if (!textarea) return;
    textarea.focus();
    textarea.setSelectionRange(span.start, span.end);
    // Bring the selection into view: a few lines above it (the text does not wrap).
    const lineHeight = Number.parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    const { line } = lineAndColumn(textarea.value, span.start);
    textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  function reload() {
    if (!stored) return;
    const loaded = draftFrom(stored);
    setDraft(loaded);
    setBaseline(loaded);
    setOutcome({ kind: "idle" });
  }

  async function save(asNew: boolean) {
    if (!draft || !parsed || saving) return;
    if (!parsed.ok) {
      if (parsed.syntax) {
        // The error is shown under the field, which describes it; put the caret there.
        setOutcome({ kind: "idle" });
        selectInDefinition({ start: parsed.syntax.offset, end: parsed.syntax.offset });
      } else {
        setOutcome({ kind: "local", field: "definition", message: parsed.message });
        definitionRef.current?.focus();
      }
      return;
    }
    const name = draft.name.trim();
    if (!name) {
      setOutcome({ kind: "local", field: "name", message: "Give the workflow a name." });
      nameRef.current?.focus();
      return;
    }

    const { definition, spans } = parsed;
    const request: SaveWorkflowRequest = {
      name,
      description: draft.description.trim(),
      status: draft.status,
      nodes: definition.nodes ?? [],
    };
    for (const key of DEFINITION_KEYS) {
      const value = definition[key];
      if (value !== undefined) request[key] = value;
    }
    if (workflowId && !asNew) {
      request.id = workflowId;
      if (draft.baseVersion !== undefined) request.expectedVersion = draft.baseVersion;
    }
    const sent = draft;

    setOutcome({ kind: "saving" });
    try {
      const result = await saveWorkflow(request);
      if (result.id !== workflowId) {
        // A new workflow: continue in its own editor, which shows this result.
        justCreated.set(result.id, result);
        await navigate(`/automations/${result.id}/edit`, { replace: true });
        return;
      }
      const saved = { ...sent, baseVersion: result.version };
      setDraft((current) => (current ? { ...current, baseVersion: result.version } : current));
      setBaseline(saved);
      setOutcome({ kind: "saved", version: result.version, nextRunAt: result.nextRunAt });
      if (result.webhookSecret) setSecret(result.webhookSecret);
    } catch (err) {
      const failure = callableFailure(err);
      if (failure.code === "invalid-argument") {
        const field = failure.field || null;
        setOutcome({
          kind: "invalid",
          message: failure.message,
          field,
          problem: field ? locateProblem(field, definition) : null,
          sentText: sent.text,
          span: field ? spanFor(field, spans) : null,
        });
      } else if (failure.code === "failed-precondition") {
        setOutcome({ kind: "stale", message: failure.message });
      } else {
        setOutcome({ kind: "failed", message: `Could not save: ${failure.message}` });
      }
    }
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void save(false);
  }

  // Where the last error belongs: a form field, or the definition.
  const errorField: string | null =
    outcome.kind === "local" || outcome.kind === "invalid" ? outcome.field : null;
  const fieldError = (field: FormField) =>
    errorField === field && (outcome.kind === "local" || outcome.kind === "invalid")
      ? outcome.message
      : null;
  const formFieldError = FORM_FIELDS.some((field) => field === errorField);
  const definitionError =
    (outcome.kind === "invalid" && !formFieldError) ||
    (outcome.kind === "local" && outcome.field === "definition")
      ? outcome
      : null;
  // Pointers into the text hold only while it is the text that was sent.
  const errorIsCurrent = outcome.kind === "invalid" && draft?.text === outcome.sentText;
  const problem = outcome.kind === "invalid" && errorIsCurrent ? outcome.problem : null;
  const problemSpan = outcome.kind === "invalid" && errorIsCurrent ? outcome.span : null;

  const nameError = fieldError("name");
  const descriptionError = fieldError("description");
  const statusError = fieldError("status");

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
              onClick={() => setRunning((open) => !open)}
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
            onClose={() => setRunning(false)}
          />
        </div>
      )}

      {setupError && (
        <div className="error" role="alert">
          <p>We could not set up your account: {setupError}</p>
          <button type="button" className="secondary" onClick={retrySetup}>
            Try again
          </button>
        </div>
      )}
      {live.error && (
        <p className="error" role="alert">
          Could not load this workflow: {live.error}
        </p>
      )}
      {secret && <WebhookSecretNotice secret={secret} onDismiss={() => setSecret(null)} />}

      {draft === null ? (
        stored === null ? (
          <div className="card">
            <h2>Workflow not found</h2>
            <p className="muted">
              It may have been deleted. <Link to="/automations">Back to your workflows</Link>
            </p>
          </div>
        ) : (
          !live.error && (
            <p className="muted" role="status">
              Loading workflow…
            </p>
          )
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
              {nameError && (
                <p id={`${id}-name-error`} className="error" role="alert">
                  {nameError}
                </p>
              )}
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
              {statusError && (
                <p id={`${id}-status-error`} className="error" role="alert">
                  {statusError}
                </p>
              )}
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
              <p id={`${id}-description-error`} className="error" role="alert">
                {descriptionError}
              </p>
            )}
          </div>

          <div className="workflow-body">
            <DefinitionField
              id={`${id}-definition`}
              textareaRef={definitionRef}
              value={draft.text}
              onChange={(value) => edit({ text: value })}
              syntaxError={syntaxError}
              invalid={definitionError !== null}
              describedBy={definitionError ? `${id}-definition-error` : undefined}
            />
            <DefinitionSummary summary={summary} problem={problem} />
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
                      onClick={() => selectInDefinition(problemSpan)}
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
                  <button type="button" disabled={saving} onClick={() => void save(true)}>
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
                  <button type="button" disabled={!stored} onClick={reload}>
                    Reload
                  </button>
                </>
              )}
            </div>
          )}
          {outcome.kind === "failed" && (
            <p className="error" role="alert">
              {outcome.message}
            </p>
          )}

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
