import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { DictationButton, DictationError } from "../../../components/VoiceControls";
import { useFlags } from "../../../hooks/useFlags";
import { useDictation } from "../../../hooks/useSpeech";
import { useAuth } from "../../../lib/auth";
import { callableFailure } from "../../../lib/firebase/errors";
import { isOnline } from "../../../lib/offline/network";
import { isRetryable } from "../../../lib/offline/queue";
import { MAX_QUEUED, useQuickAddQueue } from "../../../lib/offline/quickAddQueue";
import { quickAdd } from "../api/tasks";
import type { QuickAddResult } from "../models";

// The longest line the field takes (typed or dictated).
const QUICK_ADD_MAX_CHARS = 500;

type Outcome =
  | { kind: "idle" }
  | { kind: "adding" }
  | { kind: "done"; result: QuickAddResult }
  | { kind: "queued" }
  | { kind: "failed"; message: string };

/**
 * One line to add a task (or an event) in words: "call Bob tomorrow at 3pm". Enter sends
 * it to `quick_add` (saved at once); the answer says what was understood, or asks.
 * Offline the line is queued in this browser, shown as "Queued — will send when online",
 * and sent when the network returns (lib/offline/quickAddQueue).
 */
export function QuickAddBar({ zone }: { zone: string }) {
  const id = useId();
  const [text, setText] = useState("");
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  // The `quickadd-ai` flag: on, the model reads the line (checked by the parser); off,
  // the parser alone. The server decides either way; this only says which it is.
  const { flags } = useFlags();
  const aiReading = flags?.["quickadd-ai"];
  const queue = useQuickAddQueue(useAuth().user?.uid);
  const dictation = useDictation({
    value: text,
    onText: setText,
    maxChars: QUICK_ADD_MAX_CHARS,
  });

  function queueLine(sentence: string) {
    const queued = queue.add(sentence, zone);
    if (queued.ok) {
      setOutcome({ kind: "queued" });
      setText("");
    } else {
      setOutcome({
        kind: "failed",
        message:
          queued.reason === "full"
            ? `You are offline and ${MAX_QUEUED} lines are already waiting: add this one when you are back online.`
            : "This line cannot be queued.",
      });
    }
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const sentence = text.trim();
    if (!sentence || outcome.kind === "adding") return;
    dictation.stop();
    if (!isOnline()) {
      queueLine(sentence);
      return;
    }
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
      const failure = callableFailure(err);
      // The network went while it was being sent: queue it instead.
      if (!isOnline() && isRetryable(failure.code, false)) queueLine(sentence);
      else setOutcome({ kind: "failed", message: failure.message });
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
          maxLength={QUICK_ADD_MAX_CHARS}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit" disabled={outcome.kind === "adding" || text.trim() === ""}>
          {outcome.kind === "adding" ? "Adding…" : "Add"}
        </button>
        <DictationButton dictation={dictation} />
      </div>
      <DictationError dictation={dictation} />
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
        {outcome.kind === "queued" && queue.queued.length > 0
          ? "Queued — will send when online."
          : ""}
      </p>
      {queue.queued.length > 0 && (
        <ul className="quick-add-queue" aria-label="Waiting to be sent" data-testid="quick-add-queue">
          {queue.queued.map((item) => (
            <li key={item.id}>
              <span>{item.text}</span>{" "}
              <small className="muted">Queued — will send when online</small>{" "}
              <button
                type="button"
                className="secondary"
                aria-label={`Remove “${item.text}” from the queue`}
                onClick={() => queue.remove(item.id)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {queue.answers.length > 0 && (
        <ul className="quick-add-sent" aria-label="Sent from the queue" data-testid="quick-add-sent">
          {queue.answers.map(({ item, outcome: sent }) => (
            <li key={item.id}>
              {sent.kind === "sent" ? `Added: ${sent.summary}` : `“${item.text}”: ${sent.message}`}
            </li>
          ))}
        </ul>
      )}
      {outcome.kind === "failed" && <ErrorMessage>{outcome.message}</ErrorMessage>}
    </form>
  );
}
