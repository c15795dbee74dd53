import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { decide } from "../api/decisions";
import {
  MAX_CONTEXT_CHARS,
  MAX_QUESTION_CHARS,
  type DecisionResult,
} from "../models";
import { kindSlug, parseOptions, percent } from "../utils/decisions";

function newRequestId(): string {
  return crypto.randomUUID();
}

/**
 * Ask Aura to decide: a question, optional context and options (one a line), and a kind
 * (what calibration groups it with). One request id per question asked, so a retry after
 * a lost answer gets the same decision rather than a second one.
 */
export function DecideForm() {
  const id = useId();
  const [question, setQuestion] = useState("");
  const [context, setContext] = useState("");
  const [options, setOptions] = useState("");
  const [kind, setKind] = useState("");
  const [requestId, setRequestId] = useState(newRequestId);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [answer, setAnswer] = useState<DecisionResult | null>(null);

  function edited() {
    // Another question: another decision.
    setRequestId(newRequestId());
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const asked = question.trim();
    if (!asked) {
      setError({ message: "Write the question to decide.", field: "question" });
      return;
    }
    const parsed = parseOptions(options);
    if (parsed.problem) {
      setError({ message: parsed.problem, field: "options" });
      return;
    }
    const slug = kindSlug(kind);
    setBusy(true);
    setError(null);
    setAnswer(null);
    try {
      const result = await decide({
        question: asked,
        requestId,
        ...(context.trim() ? { context: context.trim() } : {}),
        ...(parsed.options.length > 0 ? { options: parsed.options } : {}),
        ...(slug ? { kind: slug } : {}),
      });
      setAnswer(result);
      setQuestion("");
      setContext("");
      setOptions("");
      setRequestId(newRequestId());
    } catch (err) {
      const failure = callableFailure(err);
      setError({
        message:
          failure.code === "resource-exhausted"
            ? `You have asked for the most decisions your plan allows today. ${failure.message}`
            : failure.message,
        ...(failure.field ? { field: failure.field } : {}),
      });
    } finally {
      setBusy(false);
    }
  }

  const invalid = (field: string) => (error?.field === field ? true : undefined);

  return (
    <form className="stack" onSubmit={(event) => void handleSubmit(event)} noValidate>
      <div className="field">
        <label htmlFor={`${id}-question`}>Question</label>
        <textarea
          id={`${id}-question`}
          rows={2}
          required
          maxLength={MAX_QUESTION_CHARS}
          placeholder="e.g. Should I take the train or drive to Lyon on Friday?"
          aria-invalid={invalid("question")}
          value={question}
          onChange={(event) => {
            setQuestion(event.target.value);
            edited();
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-context`}>Context (optional)</label>
        <textarea
          id={`${id}-context`}
          rows={2}
          maxLength={MAX_CONTEXT_CHARS}
          aria-invalid={invalid("context")}
          value={context}
          onChange={(event) => {
            setContext(event.target.value);
            edited();
          }}
        />
      </div>
      <div className="decide-row">
        <div className="field">
          <label htmlFor={`${id}-options`}>Options (optional, one a line)</label>
          <textarea
            id={`${id}-options`}
            rows={3}
            aria-invalid={invalid("options")}
            value={options}
            onChange={(event) => {
              setOptions(event.target.value);
              edited();
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-kind`}>Kind (optional)</label>
          <input
            id={`${id}-kind`}
            type="text"
            maxLength={40}
            placeholder="general"
            aria-describedby={`${id}-kind-hint`}
            aria-invalid={invalid("kind")}
            value={kind}
            onChange={(event) => {
              setKind(event.target.value);
              edited();
            }}
          />
          <small id={`${id}-kind-hint`} className="muted">
            Confidence is calibrated per kind once it has enough outcomes.
          </small>
        </div>
      </div>
      {error && <ErrorMessage>{error.message}</ErrorMessage>}
      <div className="row">
        <button type="submit" disabled={busy}>
          {busy ? "Thinking…" : "Decide"}
        </button>
      </div>
      <div role="status" aria-live="polite" data-testid="decide-answer">
        {answer && (
          <p className={answer.ask ? "decide-answer ask" : "decide-answer"}>
            {answer.ask ? "Aura would ask you first: " : "Aura suggests: "}
            <strong>{answer.action}</strong> ({percent(answer.confidence)} confident
            {answer.ask ? `, below your ${percent(answer.threshold)} threshold` : ""}).
          </p>
        )}
      </div>
    </form>
  );
}
