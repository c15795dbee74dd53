import { useEffect, useMemo, useReducer, useRef } from "react";
import { useNavigate } from "react-router";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { callableFailure } from "../../../lib/firebase/errors";
import type { SaveWorkflowResult } from "../../../wire/workflows";
import { saveWorkflow, useWorkflow } from "../api/workflows";
import { parseDefinition, summarise } from "../utils/definition";
import { lineAndColumn, type JsonSpan } from "../utils/json";
import {
  editorReducer,
  editorView,
  initialEditorState,
  planSave,
  type Draft,
  type DraftChange,
} from "./workflowEditor";

/**
 * The result of the save that created a workflow, for the editor the app opens next (at
 * the new id). Kept here rather than in history state: it may hold the webhook secret,
 * which must not outlive the page.
 */
const justCreated = new Map<string, SaveWorkflowResult>();

/**
 * The editor of workflow `workflowId` (undefined: a new one): the live stored workflow,
 * the editor's state (`workflowEditor`'s reducer) and what the page derives from it, and
 * the actions the page offers. Saving a new workflow continues at its own editor.
 */
export function useWorkflowEditor(workflowId: string | undefined, start?: Draft | null) {
  const navigate = useNavigate();
  const live = useWorkflow(useReadyUid(), workflowId);
  const stored = live.data;
  const [state, dispatch] = useReducer(editorReducer, workflowId, (id) => {
    const initial = initialEditorState(id, id ? justCreated.get(id) : undefined);
    // A new workflow started from the gallery: the template's draft, not saved yet.
    return !id && start ? { ...initial, draft: start, baseline: start } : initial;
  });
  const nameRef = useRef<HTMLInputElement>(null);
  const definitionRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (workflowId) justCreated.delete(workflowId);
  }, [workflowId]);

  // The form starts from the first snapshot of the stored workflow (an update during
  // render, so the first paint with the workflow already shows the form).
  if (state.draft === null && stored) dispatch({ type: "loaded", workflow: stored });

  const text = state.draft?.text;
  const parsed = useMemo(() => (text === undefined ? null : parseDefinition(text)), [text]);
  const view = editorView(state, stored, workflowId);

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

  async function save(asNew: boolean) {
    const sent = state.draft;
    if (!sent || !parsed || view.saving) return;
    const plan = planSave(sent, parsed, workflowId, asNew);
    if (plan.kind === "syntax") {
      // The error is shown under the field, which describes it; put the caret there.
      dispatch({ type: "syntaxRefused" });
      selectInDefinition({ start: plan.offset, end: plan.offset });
      return;
    }
    if (plan.kind === "refused") {
      dispatch({ type: "refused", field: plan.field, message: plan.message });
      (plan.field === "name" ? nameRef : definitionRef).current?.focus();
      return;
    }

    dispatch({ type: "saveStarted" });
    try {
      const result = await saveWorkflow(plan.request);
      if (result.id !== workflowId) {
        // A new workflow: continue in its own editor, which shows this result.
        justCreated.set(result.id, result);
        await navigate(`/automations/${result.id}/edit`, { replace: true });
        return;
      }
      dispatch({ type: "saved", sent, result });
    } catch (err) {
      dispatch({
        type: "saveFailed",
        sent,
        failure: callableFailure(err),
        definition: plan.definition,
        spans: plan.spans,
      });
    }
  }

  return {
    live,
    stored,
    state,
    view,
    summary: parsed?.ok ? summarise(parsed.definition) : null,
    /** The definition as parsed from the text (null while it does not parse). */
    definition: parsed?.ok ? parsed.definition : null,
    syntaxError: parsed && !parsed.ok && parsed.syntax ? parsed.syntax : null,
    nameRef,
    definitionRef,
    edit: (change: DraftChange) => dispatch({ type: "edited", change }),
    reload: () => {
      if (stored) dispatch({ type: "reloaded", workflow: stored });
    },
    save: (asNew: boolean) => void save(asNew),
    selectInDefinition,
    dismissSecret: () => dispatch({ type: "secretDismissed" }),
    toggleRun: () => dispatch({ type: "runToggled" }),
    closeRun: () => dispatch({ type: "runClosed" }),
  };
}
