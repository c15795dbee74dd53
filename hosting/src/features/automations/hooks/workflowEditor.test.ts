import { describe, expect, it } from "vitest";
import type { Workflow } from "../../../types/workflows";
import { parseDefinition, type DefinitionParse } from "../utils/definition";
import {
  draftFrom,
  editorReducer,
  editorView,
  initialEditorState,
  newDraft,
  planSave,
  type Draft,
  type EditorAction,
  type EditorState,
} from "./workflowEditor";

function workflow(overrides: Partial<Workflow> = {}): Workflow {
  return {
    id: "w1",
    name: "Greeter",
    description: "Says hello",
    status: "active",
    version: 3,
    nodes: [{ id: "greet", type: "transform", config: { template: "Hi" } }],
    edges: [],
    variables: {},
    triggers: [{ type: "manual" }],
    settings: { maxSteps: 100, deadlineSeconds: 3600, maxConcurrentExecutions: 5 },
    createdAt: null,
    updatedAt: null,
    ...overrides,
  };
}

function run(state: EditorState, ...actions: EditorAction[]): EditorState {
  return actions.reduce(editorReducer, state);
}

/** The editor of the stored workflow `w1` with its first snapshot loaded. */
function loaded(stored = workflow()): EditorState {
  return run(initialEditorState("w1"), { type: "loaded", workflow: stored });
}

const RESULT = { id: "w1", version: 4, webhookSecret: null, nextRunAt: null };

function parsedOk(draft: Draft): Extract<DefinitionParse, { ok: true }> {
  const parsed = parseDefinition(draft.text);
  if (!parsed.ok) throw new Error("the draft's text does not parse");
  return parsed;
}

describe("initialEditorState", () => {
  it("starts a new workflow from the starter, with nothing to save yet", () => {
    const state = initialEditorState(undefined);
    expect(state.draft).toEqual(newDraft());
    expect(state.baseline).toBe(state.draft);
    expect(state.outcome).toEqual({ kind: "idle" });
    expect(editorView(state, undefined, undefined).dirty).toBe(false);
  });

  it("waits for a stored workflow's first snapshot", () => {
    expect(initialEditorState("w1").draft).toBeNull();
  });

  it("shows the save that just created the workflow, and its secret", () => {
    const created = { id: "w1", version: 1, webhookSecret: "s3cret", nextRunAt: null };
    const state = initialEditorState("w1", created);
    expect(state.outcome).toEqual({ kind: "saved", version: 1, nextRunAt: null });
    expect(state.secret).toBe("s3cret");
  });
});

describe("editorReducer", () => {
  it("starts the form from the first snapshot only, then keeps the edits", () => {
    const state = run(
      loaded(),
      { type: "edited", change: { name: "Mine" } },
      { type: "loaded", workflow: workflow({ name: "Theirs", version: 4 }) },
    );
    expect(state.draft?.name).toBe("Mine");
    expect(state.draft?.baseVersion).toBe(3);
    expect(state.baseline).toEqual(draftFrom(workflow()));
  });

  it("clears a 'saved' outcome on an edit, and keeps an error", () => {
    const saved = run(
      loaded(),
      { type: "saveStarted" },
      {
        type: "saved",
        sent: draftFrom(workflow()),
        result: RESULT,
      },
    );
    expect(run(saved, { type: "edited", change: { text: "{" } }).outcome).toEqual({
      kind: "idle",
    });
    const refused = run(loaded(), { type: "refused", field: "name", message: "Name it." });
    expect(run(refused, { type: "edited", change: { description: "x" } }).outcome).toBe(
      refused.outcome,
    );
  });

  it("ignores edits before there is a form", () => {
    const state = initialEditorState("w1");
    expect(run(state, { type: "edited", change: { name: "x" } }).draft).toBeNull();
  });

  it("on a save, takes the sent form as saved and keeps edits made meanwhile", () => {
    const sent = draftFrom(workflow());
    const state = run(
      loaded(),
      { type: "saveStarted" },
      { type: "edited", change: { name: "Typed while saving" } },
      { type: "saved", sent, result: { ...RESULT, webhookSecret: "whsec" } },
    );
    expect(state.baseline).toEqual({ ...sent, baseVersion: 4 });
    expect(state.draft).toEqual({ ...sent, name: "Typed while saving", baseVersion: 4 });
    expect(state.outcome).toEqual({ kind: "saved", version: 4, nextRunAt: null });
    expect(state.secret).toBe("whsec");
    expect(editorView(state, workflow({ version: 4 }), "w1").dirty).toBe(true);
    // A later save without a new secret leaves the one shown.
    expect(run(state, { type: "saved", sent, result: RESULT }).secret).toBe("whsec");
  });

  it("points an invalid-argument at the node it names, in the text that was sent", () => {
    const state = loaded();
    const sent = state.draft as Draft;
    const { definition, spans } = parsedOk(sent);
    const failed = run(state, {
      type: "saveFailed",
      sent,
      failure: { code: "invalid-argument", message: "bad template", field: "nodes[0].config" },
      definition,
      spans,
    });
    expect(failed.outcome).toMatchObject({
      kind: "invalid",
      field: "nodes[0].config",
      problem: { section: "nodes", index: 0 },
      sentText: sent.text,
    });
    const view = editorView(failed, workflow(), "w1");
    expect(view.definitionError?.message).toBe("bad template");
    expect(view.errorIsCurrent).toBe(true);
    expect(view.problem?.index).toBe(0);
    const span = view.problemSpan;
    expect(span && sent.text.slice(span.start, span.end)).toContain('"template"');

    // Once the text is edited, the pointers no longer hold (the message stays).
    const edited = editorView(
      run(failed, { type: "edited", change: { text: `${sent.text} ` } }),
      workflow(),
      "w1",
    );
    expect(edited.definitionError?.message).toBe("bad template");
    expect(edited.errorIsCurrent).toBe(false);
    expect(edited.problem).toBeNull();
    expect(edited.problemSpan).toBeNull();
  });

  it("puts an error about a form field under that field", () => {
    const state = loaded();
    const sent = state.draft as Draft;
    const { definition, spans } = parsedOk(sent);
    const failed = run(state, {
      type: "saveFailed",
      sent,
      failure: { code: "invalid-argument", message: "too long", field: "description" },
      definition,
      spans,
    });
    const view = editorView(failed, workflow(), "w1");
    expect(view.fieldErrors).toEqual({ name: null, description: "too long", status: null });
    expect(view.definitionError).toBeNull();
  });

  it("reads failed-precondition as stale and anything else as a failure", () => {
    const state = loaded();
    const sent = state.draft as Draft;
    const { definition, spans } = parsedOk(sent);
    const fail = (code: string) =>
      run(state, {
        type: "saveFailed",
        sent,
        failure: { code, message: "no" },
        definition,
        spans,
      }).outcome;
    expect(fail("failed-precondition")).toEqual({ kind: "stale", message: "no" });
    expect(fail("unavailable")).toEqual({ kind: "failed", message: "Could not save: no" });
  });

  it("reloads the stored workflow over the edits", () => {
    const newer = workflow({ name: "Theirs", version: 5 });
    const state = run(
      loaded(),
      { type: "edited", change: { name: "Mine" } },
      { type: "refused", field: "name", message: "x" },
      { type: "reloaded", workflow: newer },
    );
    expect(state.draft).toEqual(draftFrom(newer));
    expect(state.baseline).toEqual(draftFrom(newer));
    expect(state.outcome).toEqual({ kind: "idle" });
  });

  it("opens and closes the run form, and dismisses the secret", () => {
    const state = run(initialEditorState("w1", { ...RESULT, webhookSecret: "s" }), {
      type: "runToggled",
    });
    expect(state.running).toBe(true);
    expect(run(state, { type: "runToggled" }).running).toBe(false);
    expect(run(state, { type: "runClosed" }).running).toBe(false);
    expect(run(state, { type: "secretDismissed" }).secret).toBeNull();
  });
});

describe("editorView", () => {
  it("tells a newer version saved elsewhere, but not while saving", () => {
    const state = loaded();
    expect(editorView(state, workflow({ version: 4 }), "w1").newerElsewhere).toBe(true);
    expect(editorView(state, workflow({ version: 3 }), "w1").newerElsewhere).toBe(false);
    const saving = run(state, { type: "saveStarted" });
    expect(editorView(saving, workflow({ version: 4 }), "w1").newerElsewhere).toBe(false);
  });

  it("tells a workflow deleted elsewhere", () => {
    expect(editorView(loaded(), null, "w1").deletedElsewhere).toBe(true);
    expect(editorView(initialEditorState("w1"), null, "w1").deletedElsewhere).toBe(false);
    expect(editorView(initialEditorState(undefined), null, undefined).deletedElsewhere).toBe(false);
  });

  it("puts a local refusal of the definition under the definition", () => {
    const state = run(loaded(), { type: "refused", field: "definition", message: "Not an object" });
    const view = editorView(state, workflow(), "w1");
    expect(view.definitionError).toEqual({
      kind: "local",
      field: "definition",
      message: "Not an object",
    });
    expect(view.fieldErrors.name).toBeNull();
  });
});

describe("planSave", () => {
  const draft = draftFrom(workflow());

  it("sends the form and the definition, over the version the edits started from", () => {
    const plan = planSave(draft, parseDefinition(draft.text), "w1", false);
    expect(plan.kind).toBe("send");
    if (plan.kind !== "send") return;
    expect(plan.request).toEqual({
      id: "w1",
      expectedVersion: 3,
      name: "Greeter",
      description: "Says hello",
      status: "active",
      nodes: [{ id: "greet", type: "transform", config: { template: "Hi" } }],
      edges: [],
      variables: {},
      triggers: [{ type: "manual" }],
      settings: { maxSteps: 100, deadlineSeconds: 3600, maxConcurrentExecutions: 5 },
    });
  });

  it("sends a new workflow (or a copy) without an id", () => {
    for (const plan of [
      planSave(draft, parseDefinition(draft.text), "w1", true),
      planSave(newDraft(), parseDefinition(newDraft().text), undefined, false),
    ]) {
      expect(plan.kind).toBe("send");
      if (plan.kind === "send") {
        expect(plan.request.id).toBeUndefined();
        expect(plan.request.expectedVersion).toBeUndefined();
      }
    }
  });

  it("trims the name and description, and refuses an empty name", () => {
    const padded = { ...draft, name: "  Greeter ", description: " x " };
    const plan = planSave(padded, parseDefinition(padded.text), "w1", false);
    expect(plan.kind === "send" && [plan.request.name, plan.request.description]).toEqual([
      "Greeter",
      "x",
    ]);
    const unnamed = { ...draft, name: "   " };
    expect(planSave(unnamed, parseDefinition(unnamed.text), "w1", false)).toEqual({
      kind: "refused",
      field: "name",
      message: "Give the workflow a name.",
    });
  });

  it("stops at a syntax error, or a definition that is not an object", () => {
    expect(planSave(draft, parseDefinition('{"nodes": [}'), "w1", false)).toMatchObject({
      kind: "syntax",
    });
    expect(planSave(draft, parseDefinition("[]"), "w1", false)).toMatchObject({
      kind: "refused",
      field: "definition",
    });
  });
});
