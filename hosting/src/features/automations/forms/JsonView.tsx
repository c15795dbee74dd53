import { forceLinting, lintGutter, linter, type Diagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { jsonSchema } from "codemirror-json-schema";
import { useEffect, useMemo, useRef } from "react";
import type { JsonValue } from "../../../types/json";
import { spanFor } from "../utils/definition";
import { formatJson, parseJson } from "../utils/json";
import { auraTheme, documentTheme, mountEditor } from "./codemirror";
import { sameJson } from "./formSchema";
import { messageWithoutPath } from "./paths";
import { editorDefinitionSchema } from "./schemas";
import "./forms.css";

type JSONSchema7 = NonNullable<Parameters<typeof jsonSchema>[0]>;

export interface JsonPosition {
  /** Offset in the text, and its 1-based line and column. */
  offset: number;
  line: number;
  column: number;
}

export interface JsonViewProps<D> {
  /** The definition shown (as the editor holds it). */
  value: D;
  /** A parsed definition, each time the text is valid JSON (an object) again. */
  onChange: (definition: D) => void;
  /** The text is not JSON (or not an object): why, and where. */
  onError?: (message: string, position: JsonPosition) => void;
  /** A save error to show at its place (`nodes[1].config.url`). */
  problem?: { field: string; message: string } | null;
  id?: string;
  ariaLabel?: string;
  /** Another schema than the definition's (tests, other documents). */
  schema?: JSONSchema7;
}

function textOf(value: unknown): string {
  return `${formatJson(value as JsonValue)}\n`;
}

/** A save error (`nodes[1].config.url: …`) as a diagnostic on the value its path names. */
export function problemDiagnostics(
  text: string,
  problem: { field: string; message: string } | null | undefined,
): Diagnostic[] {
  if (!problem) return [];
  const parsed = parseJson(text);
  const span = parsed.ok ? spanFor(problem.field, parsed.spans) : null;
  const from = Math.min(span?.start ?? 0, text.length);
  const to = Math.max(from, Math.min(span?.end ?? from, text.length));
  const message = `${problem.field}: ${messageWithoutPath(problem.field, problem.message)}`;
  return [{ from, to, severity: "error", message }];
}

/**
 * The definition as JSON, in CodeMirror with the definition's JSON Schema (exported from
 * the server's models): validation as you type, completion of keys and values, hover help.
 * Emits each parse that is a JSON object; a syntax error goes to `onError` (the text is
 * kept as typed, so switching views loses nothing that parsed).
 */
export function JsonView<D>(props: JsonViewProps<D>) {
  const { value } = props;
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;
  // The value this view last emitted or showed: an equal `value` from outside is ours.
  const shown = useRef<unknown>(value);
  const schema = useMemo(() => props.schema ?? editorDefinitionSchema(), [props.schema]);

  useEffect(() => {
    if (!host.current) return undefined;
    const created = mountEditor(
      host.current,
      EditorState.create({
        doc: textOf(shown.current),
        extensions: [
          // Line numbers, folding, history, brackets, completion, search; Tab is left to
          // the browser, so the keyboard moves on from the editor.
          basicSetup,
          lintGutter(),
          auraTheme,
          documentTheme,
          jsonSchema(schema),
          // The save error, next to the schema's own diagnostics.
          linter((target) => problemDiagnostics(target.state.doc.toString(), latest.current.problem), {
            delay: 0,
          }),
          // tabindex: the scroller around it is a scrollable region, and axe (like some
          // assistive tech) counts focusable content by tabindex, not contenteditable.
          EditorView.contentAttributes.of({
            spellcheck: "false",
            role: "textbox",
            "aria-multiline": "true",
            tabindex: "0",
          }),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            const text = update.state.doc.toString();
            const parsed = parseJson(text);
            if (!parsed.ok) {
              const { message, offset, line, column } = parsed.error;
              latest.current.onError?.(message, { offset, line, column });
              return;
            }
            const next = parsed.value;
            if (typeof next !== "object" || next === null || Array.isArray(next)) {
              latest.current.onError?.("The definition must be a JSON object.", {
                offset: 0,
                line: 1,
                column: 1,
              });
              return;
            }
            shown.current = next;
            latest.current.onChange(next as D);
          }),
        ],
      }),
    );
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
  }, [schema]);

  // A definition changed elsewhere (the canvas): show it, unless it is what we emitted.
  useEffect(() => {
    const current = view.current;
    if (!current || sameJson(value, shown.current)) return;
    shown.current = value;
    const doc = current.state.doc.toString();
    current.dispatch({ changes: { from: 0, to: doc.length, insert: textOf(value) } });
  }, [value]);

  useEffect(() => {
    const content = view.current?.contentDOM;
    if (!content) return;
    if (props.id) content.setAttribute("id", props.id);
    content.setAttribute("aria-label", props.ariaLabel ?? "Definition (JSON)");
  }, [props.id, props.ariaLabel, schema]);

  useEffect(() => {
    if (view.current) forceLinting(view.current);
  }, [props.problem?.field, props.problem?.message]);

  return <div ref={host} className="json-view" data-testid="json-view" />;
}

export default JsonView;
