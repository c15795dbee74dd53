import { useRef, type KeyboardEvent, type Ref } from "react";
import type { JsonSyntaxError } from "../utils/json";

const INDENT = "  ";

interface DefinitionFieldProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  /** The JSON syntax error in `value`, shown under the field as the user types. */
  syntaxError: JsonSyntaxError | null;
  /** Ids of other elements that describe the field (a server error about it). */
  describedBy?: string;
  invalid: boolean;
  textareaRef?: Ref<HTMLTextAreaElement>;
}

/**
 * The definition's JSON: monospace, no wrapping, Tab indents by two spaces. So that the
 * keyboard never gets stuck here, Escape then Tab (or Shift+Tab) leaves the field.
 */
export function DefinitionField({
  id,
  value,
  onChange,
  syntaxError,
  describedBy,
  invalid,
  textareaRef,
}: DefinitionFieldProps) {
  // Set by Escape: the next Tab moves focus instead of indenting.
  const tabLeaves = useRef(false);

  function handleKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Escape") {
      tabLeaves.current = true;
      return;
    }
    const leave = tabLeaves.current;
    tabLeaves.current = false;
    if (event.key !== "Tab" || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) {
      return;
    }
    if (leave || event.nativeEvent.isComposing) return;
    event.preventDefault();
    const textarea = event.currentTarget;
    // insertText (deprecated, but with no replacement) keeps the browser's undo history and
    // fires the input event; where it is missing, edit the value directly.
    if (!document.execCommand("insertText", false, INDENT)) {
      textarea.setRangeText(INDENT, textarea.selectionStart, textarea.selectionEnd, "end");
      onChange(textarea.value);
    }
  }

  const errorId = `${id}-syntax`;
  const hintId = `${id}-hint`;
  const described = [hintId, syntaxError ? errorId : null, describedBy ?? null]
    .filter(Boolean)
    .join(" ");

  return (
    <div className="field definition-field">
      <label htmlFor={id}>Definition (JSON)</label>
      <small id={hintId} className="muted">
        Nodes, edges, variables, triggers and settings. Tab indents; press Esc, then Tab, to
        move on.
      </small>
      <textarea
        id={id}
        ref={textareaRef}
        className="code"
        value={value}
        wrap="off"
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        autoCorrect="off"
        rows={24}
        aria-invalid={invalid || syntaxError ? true : undefined}
        aria-describedby={described}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={handleKeyDown}
      />
      {syntaxError && (
        <p id={errorId} className="error" data-testid="json-error">
          Not valid JSON: line {syntaxError.line}, column {syntaxError.column}:{" "}
          {syntaxError.message}
        </p>
      )}
    </div>
  );
}
