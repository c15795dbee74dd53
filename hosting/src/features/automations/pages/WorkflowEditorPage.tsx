import { useCallback, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { flushSync } from "react-dom";
import { Link, useParams, useSearchParams } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { WORKFLOW_STATUSES } from "../../../types/workflows";
import { DefinitionField } from "../components/DefinitionField";
import { DefinitionSummary } from "../components/DefinitionSummary";
import { RunWorkflowForm } from "../components/RunWorkflowForm";
import { WebhookSecretNotice } from "../components/WebhookSecretNotice";
import { StatusBadge } from "../components/WorkflowList";
import { sameJson } from "../forms/formSchema";
import { JsonView } from "../forms/JsonView";
import { NodeInspector } from "../forms/NodeInspector";
import { useWorkflowEditor } from "../hooks/useWorkflowEditor";
import { findTemplate, templateDraft } from "../gallery/gallery";
import { canvasProblem, edgeElementId, itemAt, replaceItem, triggerNodeId } from "../canvas/graph";
import { useTextHistory } from "../canvas/useHistory";
import { WorkflowCanvas } from "../canvas/WorkflowCanvas";
import type { JsonObject } from "../../../types/json";
import { parseDefinition, type Problem } from "../utils/definition";
import { formatJson } from "../utils/json";
import "../components/automations.css";

/**
 * /automations/new (`?template=<id>`: a new draft from that gallery template) and
 * /automations/:workflowId/edit. Keyed by the id (and template), so opening another
 * workflow (or the one just created) starts a fresh editor.
 */
export default function WorkflowEditorPage() {
  const { workflowId } = useParams();
  const [search] = useSearchParams();
  const template = workflowId ? null : search.get("template");
  return (
    <WorkflowEditor
      key={workflowId ?? `new:${template ?? ""}`}
      workflowId={workflowId}
      template={template}
    />
  );
}

function WorkflowEditor({
  workflowId,
  template,
}: {
  workflowId: string | undefined;
  template: string | null;
}) {
  const id = useId();
  // A new workflow from the gallery starts as its template (an unknown id: the starter).
  const start = useMemo(() => {
    const chosen = findTemplate(template);
    return chosen ? templateDraft(chosen) : null;
  }, [template]);
  const editor = useWorkflowEditor(workflowId, start);
  const { live, stored, view, edit, save, nameRef, definitionRef } = editor;
  const { draft, outcome, secret, running } = editor.state;
  const { saving, dirty, newerElsewhere, deletedElsewhere, definitionError } = view;
  const { problem, problemSpan, errorIsCurrent } = view;
  const { name: nameError, description: descriptionError, status: statusError } = view.fieldErrors;

  const [mode, setMode] = useState<"canvas" | "json">("canvas");
  const [selected, setSelected] = useState<string | null>(null);
  const text = draft?.text ?? "";
  const history = useTextHistory(text, (value) => edit({ text: value }));
  const definition = editor.definition;
  const canvasError = definition ? canvasProblem(definition) : null;
  const errorMessage = definitionError?.message ?? null;
  const errors = useMemo(
    () => (definition ? canvasErrors(definition, problem, errorMessage) : undefined),
    [definition, problem, errorMessage],
  );
  const onSelect = useCallback((next: string | null) => setSelected(next), []);
  const errorField = definitionError?.kind === "invalid" ? definitionError.field : null;
  const inspectorErrors = useMemo(
    () =>
      selected && errors?.[selected] && errorField && errorMessage
        ? { [errorField]: errorMessage }
        : undefined,
    [selected, errors, errorField, errorMessage],
  );

  const [importError, setImportError] = useState<string | null>(null);
  const [plainOpen, setPlainOpen] = useState(false);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [saveBlocked, setSaveBlocked] = useState(false);
  // What the JSON editor shows: the definition, or the last one that parsed.
  const lastDefinition = useRef<JsonObject>(definition ?? {});
  if (definition) lastDefinition.current = definition;
  const shownDefinition = definition ?? lastDefinition.current;

  function exportDefinition() {
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `${fileName(draft?.name ?? "")}.json`;
    link.click();
    window.setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  async function importDefinition(file: File) {
    if (file.size > MAX_IMPORT_BYTES) {
      setImportError(`“${file.name}” is too large for a workflow definition (at most 1 MB).`);
      return;
    }
    const content = await file.text();
    const parsed = parseDefinition(content);
    if (!parsed.ok) {
      setImportError(
        `“${file.name}” is not a workflow definition: ${
          parsed.syntax
            ? `not valid JSON (line ${parsed.syntax.line}, column ${parsed.syntax.column}: ${parsed.syntax.message})`
            : parsed.message
        }`,
      );
      return;
    }
    setImportError(null);
    history.change(content.endsWith("\n") ? content : `${content}\n`);
  }

  function showInJson(span: NonNullable<typeof problemSpan>) {
    flushSync(() => {
      setMode("json");
      setPlainOpen(true);
    });
    editor.selectInDefinition(span);
  }

  const title = workflowId ? (stored?.name ?? "Workflow") : "New workflow";
  usePageTitle(title);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // The JSON editor holds text that does not parse: saving would drop it.
    if (mode === "json" && jsonError) {
      setSaveBlocked(true);
      return;
    }
    setSaveBlocked(false);
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

          <div className="row spread">
            <h2 className="visually-hidden">Definition</h2>
            <div className="editor-view-switch" role="group" aria-label="Edit the definition as">
              <button
                type="button"
                className="small"
                aria-pressed={mode === "canvas"}
                onClick={() => {
                  // The JSON editor's unparsed text goes; the last valid definition stays.
                  setJsonError(null);
                  setMode("canvas");
                }}
              >
                Canvas
              </button>
              <button
                type="button"
                className="small"
                aria-pressed={mode === "json"}
                onClick={() => setMode("json")}
              >
                JSON
              </button>
            </div>
            <span className="row definition-files">
              <button type="button" className="secondary small" onClick={exportDefinition}>
                Export JSON
              </button>
              <input
                id={`${id}-import`}
                className="visually-hidden"
                type="file"
                accept="application/json,.json"
                onChange={(event) => {
                  const file = event.target.files?.[0];
                  event.target.value = "";
                  if (file) void importDefinition(file);
                }}
              />
              <label className="file-button" htmlFor={`${id}-import`}>
                Import JSON
              </label>
            </span>
          </div>
          {importError && (
            <ErrorMessage>
              <span data-testid="import-error">{importError}</span>
            </ErrorMessage>
          )}

          {mode === "canvas" ? (
            definition === null || canvasError !== null ? (
              <div className="notice warning" data-testid="canvas-unavailable">
                <p>
                  {definition === null
                    ? "The definition is not valid JSON, so the canvas cannot show it."
                    : `The canvas cannot show this definition: ${canvasError}`}{" "}
                  Fix it in the JSON view.
                </p>
                <button type="button" className="small" onClick={() => setMode("json")}>
                  Open the JSON view
                </button>
              </div>
            ) : (
              <div className="workflow-canvas-body">
                <WorkflowCanvas
                  definition={definition}
                  onChange={(next, key) => history.change(`${formatJson(next)}\n`, key)}
                  onUndo={history.undo}
                  onRedo={history.redo}
                  canUndo={history.canUndo}
                  canRedo={history.canRedo}
                  onSelect={onSelect}
                  errors={errors}
                  label={`Canvas of ${draft.name || "the workflow"}`}
                />
                <Inspector
                  definition={definition}
                  selected={selected}
                  errors={inspectorErrors}
                  onChange={(elementId, item) =>
                    history.change(
                      `${formatJson(replaceItem(definition, elementId, item))}\n`,
                      `inspect:${elementId}`,
                    )
                  }
                />
              </div>
            )
          ) : (
            <div className="workflow-body">
              <div className="stack json-editors">
                <JsonView
                  value={shownDefinition}
                  onChange={(next) => {
                    setJsonError(null);
                    setSaveBlocked(false);
                    // Its echo of a change made elsewhere (the plain text, the canvas).
                    if (definition && sameJson(next, definition)) return;
                    history.change(`${formatJson(next)}\n`, "json");
                  }}
                  onError={(message, at) =>
                    setJsonError(`line ${at.line}, column ${at.column}: ${message}`)
                  }
                  problem={
                    errorIsCurrent && errorField && errorMessage
                      ? { field: errorField, message: errorMessage }
                      : null
                  }
                  ariaLabel="Definition (JSON editor)"
                />
                {jsonError && (
                  <p
                    className="error"
                    data-testid="json-editor-error"
                    role={saveBlocked ? "alert" : undefined}
                  >
                    {saveBlocked ? "Not saved: fix the JSON first. " : ""}
                    Not valid JSON yet ({jsonError}); the canvas and saving use the last valid
                    definition until it is.
                  </p>
                )}
                <details
                  className="plain-json"
                  open={plainOpen}
                  onToggle={(event) => setPlainOpen(event.currentTarget.open)}
                >
                  <summary>Plain text (paste a definition, or edit without the editor)</summary>
                  <DefinitionField
                    id={`${id}-definition`}
                    textareaRef={definitionRef}
                    value={draft.text}
                    onChange={(value) => {
                      setJsonError(null);
                      edit({ text: value });
                    }}
                    syntaxError={editor.syntaxError}
                    invalid={definitionError !== null}
                    describedBy={definitionError ? `${id}-definition-error` : undefined}
                  />
                </details>
              </div>
              <DefinitionSummary summary={editor.summary} problem={problem} />
            </div>
          )}

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
                      onClick={() => showInJson(problemSpan)}
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
                    <strong>This workflow was deleted since you opened it.</strong> Save it as a new
                    workflow to keep your changes.
                  </p>
                  <button type="button" disabled={saving} onClick={() => save(true)}>
                    Save as new workflow
                  </button>
                </>
              ) : (
                <>
                  <p>
                    <strong>This workflow changed since you opened it</strong> — reload to get the
                    latest version
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
  return nextRunAt
    ? `${saved} · next scheduled run ${new Date(nextRunAt).toLocaleString()}`
    : saved;
}

const MAX_IMPORT_BYTES = 1_000_000;

/** A file name for the workflow's exported definition. */
function fileName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return slug || "workflow";
}

/** The server's error, on the node, edge or trigger it names (by canvas element id). */
function canvasErrors(
  definition: JsonObject,
  problem: Problem | null,
  message: string | null,
): Record<string, string[]> | undefined {
  if (!problem || !message) return undefined;
  if (problem.section === "edges") return { [edgeElementId(problem.index)]: [message] };
  if (problem.section === "triggers") return { [triggerNodeId(problem.index)]: [message] };
  const nodes = Array.isArray(definition.nodes) ? definition.nodes : [];
  const node = nodes[problem.index];
  const nodeId =
    typeof node === "object" && node !== null && !Array.isArray(node) && typeof node.id === "string"
      ? node.id
      : null;
  return nodeId ? { [nodeId]: [message] } : undefined;
}

/** The selected step's or trigger's form (generated from the server's schemas). */
function Inspector({
  definition,
  selected,
  errors,
  onChange,
}: {
  definition: JsonObject;
  selected: string | null;
  errors: Record<string, string> | undefined;
  onChange: (elementId: string, item: JsonObject) => void;
}) {
  const item = selected ? itemAt(definition, selected) : null;
  if (!selected || !item) {
    return (
      <aside className="card node-inspector-placeholder" aria-labelledby="inspector-heading">
        <h2 id="inspector-heading">Inspector</h2>
        <p className="muted">
          Select a step or trigger on the canvas (click it, or Tab to it and press Enter) to edit
          its settings.
        </p>
      </aside>
    );
  }
  return (
    <NodeInspector
      key={selected}
      node={item}
      definition={definition}
      errors={errors}
      onChange={(updated) => onChange(selected, updated)}
    />
  );
}
