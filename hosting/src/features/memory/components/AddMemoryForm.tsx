import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { remember } from "../api/memory";
import { MAX_TEXT_CHARS, MEMORY_KINDS, type MemoryKind } from "../models";

/** "Remember that…": a fact the user tells Aura directly (`remember`). */
export function AddMemoryForm() {
  const id = useId();
  const [text, setText] = useState("");
  const [kind, setKind] = useState<MemoryKind>("fact");
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState("");
  const [error, setError] = useState<string | null>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = text.trim();
    if (!trimmed) {
      setError("Write what Aura should remember.");
      return;
    }
    setBusy(true);
    setError(null);
    setAnswer("");
    try {
      const result = await remember({ text: trimmed, kind });
      setAnswer(result.created ? "Remembered." : "Aura already remembers this.");
      setText("");
    } catch (err) {
      setError(callableFailure(err).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack" onSubmit={(event) => void handleSubmit(event)} noValidate>
      <div className="field">
        <label htmlFor={`${id}-text`}>New memory</label>
        <textarea
          id={`${id}-text`}
          rows={2}
          maxLength={MAX_TEXT_CHARS}
          placeholder="e.g. My sister Ana lives in Porto"
          aria-invalid={error ? true : undefined}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      <div className="row memory-add-row">
        <div className="field">
          <label htmlFor={`${id}-kind`}>Kind</label>
          <select
            id={`${id}-kind`}
            value={kind}
            onChange={(event) =>
              setKind(MEMORY_KINDS.find((item) => item.value === event.target.value)?.value ?? "fact")
            }
          >
            {MEMORY_KINDS.map((item) => (
              <option key={item.value} value={item.value}>
                {item.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy}>
          {busy ? "Remembering…" : "Remember"}
        </button>
        <p className="success" role="status" data-testid="remember-answer">
          {answer}
        </p>
      </div>
      {error && <ErrorMessage>{error}</ErrorMessage>}
    </form>
  );
}
