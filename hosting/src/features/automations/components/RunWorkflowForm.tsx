import { useId, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import type { JsonObject } from "../../../types/json";
import { runWorkflow } from "../api/executions";
import { parseJson } from "../utils/json";

interface RunWorkflowFormProps {
  workflowId: string;
  /** Closes the form (Cancel). */
  onClose: () => void;
  /** A line above the buttons, e.g. "Runs the saved version (v3)". */
  note?: string;
}

type Parsed = { ok: true; input: JsonObject } | { ok: false; message: string };

/** The run input: a JSON object, checked here before it is sent. */
function parseInput(text: string): Parsed {
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const { line, column, message } = parsed.error;
    return { ok: false, message: `Not valid JSON: line ${line}, column ${column}: ${message}` };
  }
  const { value } = parsed;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: 'The input must be a JSON object, such as { "amount": 150 }.' };
  }
  return { ok: true, input: value };
}

/** "Input (JSON)" and "Start run": starts an execution and opens it. */
export function RunWorkflowForm({ workflowId, onClose, note }: RunWorkflowFormProps) {
  const id = useId();
  const navigate = useNavigate();
  const [text, setText] = useState("{}");
  const [inputError, setInputError] = useState<string | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (starting) return;
    const parsed = parseInput(text);
    if (!parsed.ok) {
      setInputError(parsed.message);
      return;
    }
    setInputError(null);
    setRunError(null);
    setStarting(true);
    try {
      const { executionId } = await runWorkflow({ workflowId, input: parsed.input });
      await navigate(`/automations/executions/${executionId}`);
    } catch (err) {
      const failure = callableFailure(err);
      if (failure.code === "invalid-argument") {
        setInputError(failure.message);
      } else {
        // The server's sentence says why: archived, too many runs in progress, gone.
        setRunError(`Could not start the run: ${failure.message}`);
      }
      setStarting(false);
    }
  }

  return (
    <form
      className="run-form stack"
      onSubmit={(event) => void handleSubmit(event)}
      noValidate
      aria-label="Run workflow"
    >
      <div className="field">
        <label htmlFor={`${id}-input`}>Input (JSON)</label>
        <textarea
          id={`${id}-input`}
          className="code run-input"
          value={text}
          rows={4}
          wrap="off"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          autoCorrect="off"
          aria-invalid={inputError ? true : undefined}
          aria-describedby={inputError ? `${id}-input-error` : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setInputError(null);
          }}
        />
        {inputError && <ErrorMessage id={`${id}-input-error`}>{inputError}</ErrorMessage>}
      </div>
      {note && <small className="muted">{note}</small>}
      {runError && <ErrorMessage>{runError}</ErrorMessage>}
      <div className="row">
        <button type="submit" disabled={starting}>
          {starting ? "Starting…" : "Start run"}
        </button>
        <button type="button" className="secondary" disabled={starting} onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
