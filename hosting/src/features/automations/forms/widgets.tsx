import { json } from "@codemirror/lang-json";
import { linter, type Diagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import type {
  FieldProps,
  IconButtonProps,
  RegistryFieldsType,
  RegistryWidgetsType,
  TemplatesType,
  WidgetProps,
} from "@rjsf/utils";
import { minimalSetup } from "codemirror";
import { useEffect, useId, useRef, useState } from "react";
import { formatJson, parseJson } from "../utils/json";
import type { JsonValue } from "../../../types/json";
import { auraTheme, mountEditor, multilineTheme } from "./codemirror";
import { ExpressionEditor } from "./ExpressionEditor";
import { sameJson } from "./formSchema";
import type { ExpressionMode, Scope } from "./scope";

/** What the inspector gives every field through rjsf's form context. */
export interface InspectorContext {
  scope: Scope;
}

const EMPTY_SCOPE: Scope = { roots: [], fields: {}, nodes: [] };

function contextOf(registry: { formContext?: unknown }): InspectorContext {
  const context = registry.formContext as Partial<InspectorContext> | undefined;
  return { scope: context?.scope ?? EMPTY_SCOPE };
}

/** The rjsf widget for template and CEL fields: the expression editor. */
export function ExpressionWidget(props: WidgetProps) {
  const { id, value, options, rawErrors, registry, label, required, disabled, readonly } = props;
  const mode: ExpressionMode = options.mode === "cel" ? "cel" : "template";
  const error = rawErrors?.[0];
  return (
    <div className="expression-field">
      <ExpressionEditor
        id={id}
        value={typeof value === "string" ? value : ""}
        // An emptied optional field is left out, not sent as "".
        onChange={(next) => props.onChange(next === "" ? options.emptyValue : next)}
        onBlur={() => props.onBlur(id, value)}
        onFocus={() => props.onFocus(id, value)}
        mode={mode}
        multiline={options.multiline === true}
        scope={contextOf(registry).scope}
        diagnostic={error ? { message: error } : null}
        ariaLabel={`${label || id}${required ? " (required)" : ""}`}
        ariaDescribedBy={rawErrors?.length ? `${id}__error` : undefined}
        invalid={Boolean(rawErrors?.length)}
        placeholder={typeof options.placeholder === "string" ? options.placeholder : props.placeholder}
        readOnly={disabled || readonly}
      />
      <small className="muted expression-hint">
        {mode === "cel" ? "CEL condition" : "Template: {{ input.name }}"} · Ctrl+Space completes
      </small>
    </div>
  );
}

/**
 * A field whose value is free JSON (an event's `data`, an AI step's output `schema`):
 * edited as JSON text, emitted each time it parses (an emptied editor clears the field).
 */
export function JsonField(props: FieldProps) {
  const { formData, fieldPathId, schema, rawErrors, disabled, readonly } = props;
  const labelId = useId();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const shown = useRef<unknown>(formData);
  const latest = useRef(props);
  latest.current = props;
  const [syntax, setSyntax] = useState<string | null>(null);
  const textOf = (value: unknown) => (value === undefined ? "" : formatJson(value as JsonValue));

  useEffect(() => {
    if (!host.current) return undefined;
    const created = mountEditor(
      host.current,
      EditorState.create({
        doc: textOf(shown.current),
        extensions: [
          minimalSetup,
          auraTheme,
          multilineTheme,
          json(),
          linter((target): Diagnostic[] => {
            const text = target.state.doc.toString();
            if (text.trim() === "") return [];
            const parsed = parseJson(text);
            if (parsed.ok) return [];
            const from = Math.min(parsed.error.offset, text.length);
            return [{ from, to: from, severity: "error", message: parsed.error.message }];
          }),
          EditorState.readOnly.of(Boolean(disabled || readonly)),
          EditorView.contentAttributes.of({ "aria-labelledby": labelId, spellcheck: "false" }),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            const text = update.state.doc.toString();
            const { onChange, fieldPathId: path } = latest.current;
            if (text.trim() === "") {
              setSyntax(null);
              shown.current = undefined;
              onChange(undefined, path.path);
              return;
            }
            const parsed = parseJson(text);
            if (!parsed.ok) {
              setSyntax(`Not valid JSON: line ${parsed.error.line}, column ${parsed.error.column}`);
              return;
            }
            setSyntax(null);
            shown.current = parsed.value;
            onChange(parsed.value, path.path);
          }),
        ],
      }),
    );
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
    // Made once; outside changes are synced below.
  }, [disabled, readonly, labelId]);

  useEffect(() => {
    const current = view.current;
    if (!current || sameJson(formData, shown.current)) return;
    shown.current = formData;
    const doc = current.state.doc.toString();
    current.dispatch({ changes: { from: 0, to: doc.length, insert: textOf(formData) } });
  }, [formData]);

  const title = typeof schema.title === "string" ? schema.title : props.name;
  const errors = [...(syntax ? [syntax] : []), ...(rawErrors ?? [])];
  return (
    <div className="field json-field" id={fieldPathId.$id}>
      <span className="label" id={labelId}>
        {title} (JSON)
      </span>
      {typeof schema.description === "string" && <small className="muted">{schema.description}</small>}
      <div ref={host} className={`json-field-editor${errors.length ? " invalid" : ""}`} />
      {errors.map((message) => (
        <p key={message} className="error">
          {message}
        </p>
      ))}
    </div>
  );
}

export const WIDGETS: RegistryWidgetsType = { expression: ExpressionWidget };
export const FIELDS: RegistryFieldsType = { json: JsonField };

/** rjsf's array and map buttons with words (its default theme draws icon fonts we lack). */
function textButton(text: string, className = "secondary small") {
  function TextButton(props: IconButtonProps) {
    const { icon: _icon, iconType: _iconType, uiSchema: _ui, registry: _registry, className: _class, ...rest } = props;
    void _icon;
    void _iconType;
    void _ui;
    void _registry;
    void _class;
    return (
      <button type="button" className={className} {...rest}>
        {text}
      </button>
    );
  }
  return TextButton;
}

export const TEMPLATES: Partial<TemplatesType> = {
  ButtonTemplates: {
    SubmitButton: () => null,
    AddButton: textButton("Add"),
    CopyButton: textButton("Copy"),
    MoveDownButton: textButton("Move down"),
    MoveUpButton: textButton("Move up"),
    RemoveButton: textButton("Remove"),
    ClearButton: textButton("Clear"),
  },
};
