import {
  autocompletion,
  type Completion as CmCompletion,
  type CompletionContext,
  type CompletionResult as CmCompletionResult,
} from "@codemirror/autocomplete";
import { setDiagnostics } from "@codemirror/lint";
import { EditorState, Prec, type Extension } from "@codemirror/state";
import {
  Decoration,
  EditorView,
  MatchDecorator,
  ViewPlugin,
  keymap,
  placeholder as placeholderText,
  type DecorationSet,
  type ViewUpdate,
} from "@codemirror/view";
import { minimalSetup } from "codemirror";
import { useEffect, useRef } from "react";
import { auraTheme, mountEditor, multilineTheme } from "./codemirror";
import { diagnosticRange, firstLine, type SourceRange } from "./paths";
import { applyCompletion, completeAt, type ExpressionMode, type Scope } from "./scope";
import "./forms.css";

export interface ExpressionDiagnostic {
  message: string;
  /** Where it is; when left out, read from the message (`1:16:`, `(line 2)`). */
  range?: SourceRange;
}

export interface ExpressionEditorProps {
  value: string;
  onChange: (value: string) => void;
  /** "template" (Jinja, `{{ input.name }}`) or "cel" (a condition, `input.amount > 100`). */
  mode: ExpressionMode;
  /** What the source can read: completed after `input.`, `vars.`, `nodes.`, `trigger.`. */
  scope: Scope;
  /** The save-time check's error about this source, shown at its position. */
  diagnostic?: ExpressionDiagnostic | null;
  multiline?: boolean;
  id?: string;
  ariaLabel?: string;
  ariaDescribedBy?: string;
  invalid?: boolean;
  placeholder?: string;
  readOnly?: boolean;
  onBlur?: () => void;
  onFocus?: () => void;
}

/** `{{ … }}` and `{% … %}` in a template, marked so they stand out from the text. */
const templateCode = new MatchDecorator({
  regexp: /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g,
  decoration: Decoration.mark({ class: "cm-template-code" }),
});

const templateHighlight = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = templateCode.createDeco(view);
    }
    update(update: ViewUpdate) {
      this.decorations = templateCode.updateDeco(update, this.decorations);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

/**
 * A CodeMirror 6 editor for one template or CEL condition: completion of what is in scope
 * and the server's error at its position. Tab leaves the editor (no tab insertion), so the
 * keyboard never gets stuck; single-line editors ignore Enter unless completing.
 */
export function ExpressionEditor(props: ExpressionEditorProps) {
  const { value, mode, multiline = false, readOnly = false } = props;
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The latest props, for callbacks created once with the view.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    if (!host.current) return undefined;
    const complete = (context: CompletionContext): CmCompletionResult | null => {
      const source = context.state.doc.toString();
      const found = completeAt(source, context.pos, latest.current.mode, latest.current.scope);
      if (!found) return null;
      return {
        from: found.from,
        validFor: /^[A-Za-z0-9_]*$/,
        options: found.options.map(
          (option): CmCompletion => ({
            label: option.label,
            detail: option.detail || undefined,
            type: option.type,
            apply: (target, _completion, from, to) => {
              const doc = target.state.doc.toString();
              const edit = applyCompletion(doc, from, option);
              target.dispatch({
                changes: { from: edit.from, to, insert: edit.insert },
                selection: { anchor: edit.from + edit.insert.length },
                userEvent: "input.complete",
              });
            },
          }),
        ),
      };
    };
    const extensions: Extension[] = [
      minimalSetup,
      auraTheme,
      multiline ? multilineTheme : [],
      autocompletion({ override: [complete], activateOnTyping: true }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) latest.current.onChange(update.state.doc.toString());
        if (update.focusChanged) {
          if (update.view.hasFocus) latest.current.onFocus?.();
          else latest.current.onBlur?.();
        }
      }),
      EditorView.contentAttributes.of({
        "aria-multiline": multiline ? "true" : "false",
        spellcheck: "false",
        autocapitalize: "off",
        autocorrect: "off",
      }),
      EditorState.readOnly.of(readOnly),
      EditorView.editable.of(!readOnly),
      mode === "template" ? templateHighlight : [],
      props.placeholder ? placeholderText(props.placeholder) : [],
      multiline ? EditorView.lineWrapping : Prec.high(keymap.of([{ key: "Enter", run: () => true }])),
    ];
    const created = mountEditor(host.current, EditorState.create({ doc: value, extensions }));
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
    // The view is made once per mode; value and diagnostics are synced below.
  }, [mode, multiline, readOnly]);

  // A value changed from outside (another view of the definition): replace the text.
  useEffect(() => {
    const current = view.current;
    if (!current) return;
    const doc = current.state.doc.toString();
    if (doc !== value) current.dispatch({ changes: { from: 0, to: doc.length, insert: value } });
  }, [value]);

  // Accessible name and description on the editable element.
  useEffect(() => {
    const content = view.current?.contentDOM;
    if (!content) return;
    const set = (name: string, attribute: string | undefined) => {
      if (attribute) content.setAttribute(name, attribute);
      else content.removeAttribute(name);
    };
    set("id", props.id);
    set("aria-label", props.ariaLabel);
    set("aria-describedby", props.ariaDescribedBy);
    set("aria-invalid", props.invalid ? "true" : undefined);
    set("role", "textbox");
  }, [props.id, props.ariaLabel, props.ariaDescribedBy, props.invalid, mode, multiline, readOnly]);

  const diagnostic = props.diagnostic ?? null;
  useEffect(() => {
    const current = view.current;
    if (!current) return;
    const length = current.state.doc.length;
    if (!diagnostic) {
      current.dispatch(setDiagnostics(current.state, []));
      return;
    }
    const range = diagnostic.range ?? diagnosticRange(diagnostic.message, current.state.doc.toString());
    const from = Math.min(range?.from ?? 0, length);
    const to = Math.max(from, Math.min(range?.to ?? length, length));
    current.dispatch(
      setDiagnostics(current.state, [
        { from, to, severity: "error", message: firstLine(diagnostic.message) },
      ]),
    );
  }, [diagnostic?.message, diagnostic?.range?.from, diagnostic?.range?.to, mode, multiline, readOnly]);

  return (
    <div
      ref={host}
      className={`expression-editor${multiline ? " multiline" : ""}${props.invalid ? " invalid" : ""}`}
      data-mode={mode}
      data-testid="expression-editor"
    />
  );
}

export default ExpressionEditor;
