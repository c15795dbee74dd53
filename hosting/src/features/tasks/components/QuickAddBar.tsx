import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { useFlags } from "../../../hooks/useFlags";
import { callableFailure } from "../../../lib/firebase/errors";
import { quickAdd } from "../api/tasks";
import type { QuickAddResult } from "../models";

type Outcome =
  | { kind: "idle" }
  | { kind: "adding" }
  | { kind: "done"; result: QuickAddResult }
  | { kind: "failed"; message: string };

/**
 * One line to add a task (or an event) in words: "call Bob tomorrow at 3pm". Enter sends
 * it to `quick_add` (saved at once); the answer says what was understood, or asks.
 */
export function QuickAddBar({ zone }: { zone: string }) {
  const id = useId();
  const [text, setText] = useState("");
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  // The `quickadd-ai` flag: on, the model reads the line (checked by the parser); off,
  // the parser alone. The server decides either way; this only says which it is.
  const { flags } = useFlags();
  const aiReading = flags?.["quickadd-ai"];

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const sentence = text.trim();
    if (!sentence || outcome.kind === "adding") return;
    setOutcome({ kind: "adding" });
    try {
      const result = await quickAdd({
        text: sentence,
        save: true,
        timezone: zone,
        // One id per sentence sent: a retried call stores it once.
        requestId: crypto.randomUUID(),
      });
      setOutcome({ kind: "done", result });
      if (result.saved) setText("");
    } catch (err) {
      setOutcome({ kind: "failed", message: callableFailure(err).message });
    }
  }

  const result = outcome.kind === "done" ? outcome.result : null;
  return (
    <form className="quick-add card" onSubmit={(event) => void handleSubmit(event)}>
      <label htmlFor={`${id}-text`}>Quick add</label>
      <div className="row">
        <input
          id={`${id}-text`}
          type="text"
          autoComplete="off"
          placeholder="Call Bob tomorrow at 3pm"
          aria-describedby={`${id}-hint`}
          maxLength={500}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit" disabled={outcome.kind === "adding" || text.trim() === ""}>
          {outcome.kind === "adding" ? "Adding…" : "Add"}
        </button>
      </div>
      <small id={`${id}-hint`} className="muted">
        Write it as you would say it; press Enter to add. Times are read in {zone}.
      </small>
      {aiReading !== undefined && (
        <small className="muted" data-testid="quick-add-ai">
          AI reading: {aiReading ? "on" : "off (the built-in parser reads your line)"}
        </small>
      )}
      <p className="quick-add-answer" role="status" data-testid="quick-add-answer">
        {result?.saved ? `Added: ${result.interpretation.summary}` : ""}
        {result && !result.saved ? (result.question ?? result.interpretation.summary) : ""}
      </p>
      {outcome.kind === "failed" && <ErrorMessage>{outcome.message}</ErrorMessage>}
    </form>
  );
}
