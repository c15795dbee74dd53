/**
 * The workflow editor's state as a reducer: the form (`draft`) and what it was last
 * loaded or saved as (`baseline`), the outcome of the last save, the webhook secret to
 * show once, and whether the run form is open; with what saving sends and what the page
 * derives from the state. Pure: `useWorkflowEditor` runs it, unit tests drive it.
 */
import type { CallableFailure } from "../../../lib/firebase/errors";
import type { JsonObject } from "../../../types/json";
import { DEFINITION_KEYS, type Workflow, type WorkflowStatus } from "../../../types/workflows";
import type { SaveWorkflowResult } from "../../../wire/workflows";
import type { SaveWorkflowRequest } from "../api/workflows";
import {
  definitionText,
  locateProblem,
  spanFor,
  STARTER_DEFINITION,
  storedDefinition,
  type DefinitionParse,
  type Problem,
} from "../utils/definition";
import type { JsonSpan } from "../utils/json";

/** What the form holds; `baseVersion` is the stored version the edits started from. */
export interface Draft {
  name: string;
  description: string;
  status: WorkflowStatus;
  text: string;
  /** undefined: a workflow not saved yet. */
  baseVersion: number | undefined;
}

/** What the user edits: the form's fields and the definition's text. */
export type DraftChange = Partial<Pick<Draft, "name" | "description" | "status" | "text">>;

export type Outcome =
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
export const FORM_FIELDS = ["name", "description", "status"] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export interface EditorState {
  /** null until the stored workflow's first snapshot arrives (a new one starts at once). */
  draft: Draft | null;
  /** The form as last loaded or saved, to tell whether there are unsaved changes. */
  baseline: Draft | null;
  outcome: Outcome;
  /** The webhook secret the last save returned: shown once, until dismissed. */
  secret: string | null;
  /** The run form is open. */
  running: boolean;
}

export type EditorAction =
  /** The stored workflow's first snapshot: the form starts from it, then keeps the edits. */
  | { type: "loaded"; workflow: Workflow }
  /** Reload: the stored workflow replaces the edits. */
  | { type: "reloaded"; workflow: Workflow }
  | { type: "edited"; change: DraftChange }
  /** Saving stopped before sending: the JSON does not parse (its error shows under the field). */
  | { type: "syntaxRefused" }
  /** Saving stopped before sending, for the reason given. */
  | { type: "refused"; field: "name" | "definition"; message: string }
  | { type: "saveStarted" }
  /** The server saved `sent` (the draft when saving started) as `result`. */
  | { type: "saved"; sent: Draft; result: SaveWorkflowResult }
  /** The server refused `sent`, whose definition (and where its values sit) is given. */
  | {
      type: "saveFailed";
      sent: Draft;
      failure: CallableFailure;
      definition: JsonObject;
      spans: ReadonlyMap<string, JsonSpan>;
    }
  | { type: "secretDismissed" }
  | { type: "runToggled" }
  | { type: "runClosed" };

export function newDraft(): Draft {
  return {
    name: "Untitled workflow",
    description: "",
    status: "draft",
    text: definitionText(STARTER_DEFINITION),
    baseVersion: undefined,
  };
}

export function draftFrom(workflow: Workflow): Draft {
  return {
    name: workflow.name,
    description: workflow.description,
    status: workflow.status,
    text: definitionText(storedDefinition(workflow)),
    baseVersion: workflow.version,
  };
}

/**
 * The editor opening `workflowId` (undefined: a new workflow). `created` is the result of
 * the save that just created it, if it did: its version and secret are shown at once.
 */
export function initialEditorState(
  workflowId: string | undefined,
  created?: SaveWorkflowResult,
): EditorState {
  const draft = workflowId ? null : newDraft();
  return {
    draft,
    baseline: draft,
    outcome: created
      ? { kind: "saved", version: created.version, nextRunAt: created.nextRunAt }
      : { kind: "idle" },
    secret: created?.webhookSecret ?? null,
    running: false,
  };
}

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case "loaded": {
      if (state.draft !== null) return state;
      const loaded = draftFrom(action.workflow);
      return { ...state, draft: loaded, baseline: loaded };
    }
    case "reloaded": {
      const loaded = draftFrom(action.workflow);
      return { ...state, draft: loaded, baseline: loaded, outcome: { kind: "idle" } };
    }
    case "edited":
      return {
        ...state,
        draft: state.draft ? { ...state.draft, ...action.change } : state.draft,
        outcome: state.outcome.kind === "saved" ? { kind: "idle" } : state.outcome,
      };
    case "syntaxRefused":
      return { ...state, outcome: { kind: "idle" } };
    case "refused":
      return {
        ...state,
        outcome: { kind: "local", field: action.field, message: action.message },
      };
    case "saveStarted":
      return { ...state, outcome: { kind: "saving" } };
    case "saved": {
      const { version, nextRunAt, webhookSecret } = action.result;
      return {
        ...state,
        // Edits made while saving stay; they now start from the saved version.
        draft: state.draft ? { ...state.draft, baseVersion: version } : state.draft,
        baseline: { ...action.sent, baseVersion: version },
        outcome: { kind: "saved", version, nextRunAt },
        secret: webhookSecret || state.secret,
      };
    }
    case "saveFailed":
      return { ...state, outcome: failedOutcome(action) };
    case "secretDismissed":
      return { ...state, secret: null };
    case "runToggled":
      return { ...state, running: !state.running };
    case "runClosed":
      return { ...state, running: false };
  }
}

function failedOutcome({
  sent,
  failure,
  definition,
  spans,
}: Extract<EditorAction, { type: "saveFailed" }>): Outcome {
  if (failure.code === "invalid-argument") {
    const field = failure.field || null;
    return {
      kind: "invalid",
      message: failure.message,
      field,
      problem: field ? locateProblem(field, definition) : null,
      sentText: sent.text,
      span: field ? spanFor(field, spans) : null,
    };
  }
  if (failure.code === "failed-precondition") return { kind: "stale", message: failure.message };
  return { kind: "failed", message: `Could not save: ${failure.message}` };
}

/** What saving the draft does first: stop (and why), or the request to send. */
export type SavePlan =
  /** The JSON does not parse: put the caret at `offset`, where its error is. */
  | { kind: "syntax"; offset: number }
  | { kind: "refused"; field: "name" | "definition"; message: string }
  | {
      kind: "send";
      request: SaveWorkflowRequest;
      /** What was sent, for pointing at what an error names. */
      definition: JsonObject;
      spans: ReadonlyMap<string, JsonSpan>;
    };

/**
 * The request that saves `draft` (its text parsed as `parsed`): over the stored workflow
 * `workflowId`, expecting the version the edits started from, or (`asNew`, or no id) as
 * a new workflow.
 */
export function planSave(
  draft: Draft,
  parsed: DefinitionParse,
  workflowId: string | undefined,
  asNew: boolean,
): SavePlan {
  if (!parsed.ok) {
    return parsed.syntax
      ? { kind: "syntax", offset: parsed.syntax.offset }
      : { kind: "refused", field: "definition", message: parsed.message };
  }
  const name = draft.name.trim();
  if (!name) return { kind: "refused", field: "name", message: "Give the workflow a name." };

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
  return { kind: "send", request, definition, spans };
}

/** What the page shows, derived from the state and the stored workflow. */
export interface EditorView {
  saving: boolean;
  /** The form differs from what was last loaded or saved. */
  dirty: boolean;
  /** Someone saved a newer version elsewhere while this one is open. */
  newerElsewhere: boolean;
  /** The workflow was deleted elsewhere while this one is open. */
  deletedElsewhere: boolean;
  /** The last error, where it belongs to a form field. */
  fieldErrors: Record<FormField, string | null>;
  /** The last error, where it is about the definition. */
  definitionError: Extract<Outcome, { kind: "local" | "invalid" }> | null;
  /** The last server error is about the text as it is now (not edited since). */
  errorIsCurrent: boolean;
  /** The node, edge or trigger the current error names, and where it is in the text. */
  problem: Problem | null;
  problemSpan: JsonSpan | null;
}

/**
 * `stored`: the live stored workflow (undefined while loading, null when there is none);
 * `workflowId`: the one the editor opened (undefined: a new workflow).
 */
export function editorView(
  { draft, baseline, outcome }: EditorState,
  stored: Workflow | null | undefined,
  workflowId: string | undefined,
): EditorView {
  const saving = outcome.kind === "saving";
  const dirty =
    draft !== null &&
    baseline !== null &&
    (draft.name !== baseline.name ||
      draft.description !== baseline.description ||
      draft.status !== baseline.status ||
      draft.text !== baseline.text);
  const newerElsewhere =
    !saving &&
    stored != null &&
    draft?.baseVersion !== undefined &&
    stored.version > draft.baseVersion;
  const deletedElsewhere = workflowId !== undefined && stored === null && draft !== null;

  // Where the last error belongs: a form field, or the definition.
  const located = outcome.kind === "local" || outcome.kind === "invalid" ? outcome : null;
  const fieldError = (field: FormField) => (located?.field === field ? located.message : null);
  const onFormField = FORM_FIELDS.some((field) => field === located?.field);
  const definitionError =
    located && (located.kind === "invalid" ? !onFormField : located.field === "definition")
      ? located
      : null;
  // Pointers into the text hold only while it is the text that was sent.
  const current = outcome.kind === "invalid" && draft?.text === outcome.sentText ? outcome : null;

  return {
    saving,
    dirty,
    newerElsewhere,
    deletedElsewhere,
    fieldErrors: {
      name: fieldError("name"),
      description: fieldError("description"),
      status: fieldError("status"),
    },
    definitionError,
    errorIsCurrent: current !== null,
    problem: current?.problem ?? null,
    problemSpan: current?.span ?? null,
  };
}
