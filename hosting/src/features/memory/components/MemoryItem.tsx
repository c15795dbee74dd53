import { useId, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { formatInZone } from "../../../lib/localtime";
import { forget, updateMemory } from "../api/memory";
import { MAX_TEXT_CHARS, MEMORY_KINDS, type Memory } from "../models";
import { messageLink, type MemoryChain } from "../utils/memories";

function when(date: Date | null, zone: string): string {
  return date ? formatInZone(date, zone) : "just now";
}

/** Why a memory exists: added by the user, or learnt from their words in a chat. */
function Why({ memory, zone }: { memory: Memory; zone: string }) {
  if (memory.source === "explicit" || !memory.provenance) {
    return (
      <p className="muted" data-testid="memory-why">
        You added this yourself, {when(memory.createdAt, zone)}.
      </p>
    );
  }
  return (
    <div className="stack memory-why" data-testid="memory-why">
      <p className="muted">Learnt from what you wrote in a chat, {when(memory.createdAt, zone)}:</p>
      <blockquote data-testid="memory-quote">{memory.provenance.quote}</blockquote>
      <Link to={messageLink(memory.provenance)}>Open the message</Link>
    </div>
  );
}

type Mode = { kind: "view" } | { kind: "edit"; text: string } | { kind: "delete" };

/**
 * One memory: its text, kind, source and (if any) expiry; why it exists; its earlier
 * versions; edit (the old text is kept as an earlier version) and delete (with its
 * earlier versions, after a confirm step).
 */
export function MemoryItem({ chain, zone }: { chain: MemoryChain; zone: string }) {
  const id = useId();
  const { current: memory, earlier, expired } = chain;
  const [mode, setMode] = useState<Mode>({ kind: "view" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const kindLabel = MEMORY_KINDS.find((kind) => kind.value === memory.kind)?.label ?? memory.kind;

  async function run(call: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await call();
      setMode({ kind: "view" });
    } catch (err) {
      const failure = callableFailure(err);
      setError(
        failure.code === "failed-precondition"
          ? "This memory changed meanwhile (another tab, or a chat). Look again and retry."
          : failure.message,
      );
    } finally {
      setBusy(false);
    }
  }

  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (mode.kind !== "edit") return;
    const text = mode.text.trim();
    if (!text) {
      setError("A memory needs some text. To remove it, use Delete.");
      return;
    }
    if (text === memory.text) {
      setMode({ kind: "view" });
      return;
    }
    void run(() =>
      updateMemory({
        id: memory.id,
        text,
        ...(memory.version !== null ? { expectedVersion: memory.version } : {}),
      }),
    );
  }

  return (
    <li
      className={`memory-item${expired ? " expired" : ""}`}
      data-testid="memory-item"
      data-memory-id={memory.id}
      data-expired={expired}
    >
      {mode.kind === "edit" ? (
        <form className="stack" onSubmit={save} noValidate>
          <div className="field">
            <label htmlFor={`${id}-text`}>Memory text</label>
            <textarea
              id={`${id}-text`}
              rows={2}
              maxLength={MAX_TEXT_CHARS}
              autoFocus
              aria-describedby={`${id}-hint`}
              value={mode.text}
              onChange={(event) => setMode({ kind: "edit", text: event.target.value })}
            />
            <small id={`${id}-hint`} className="muted">
              Saving keeps the old text as an earlier version of this memory.
            </small>
          </div>
          {error && <ErrorMessage>{error}</ErrorMessage>}
          <div className="row">
            <button type="submit" disabled={busy}>
              {busy ? "Saving…" : "Save"}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => {
                setMode({ kind: "view" });
                setError(null);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <div className="row spread memory-head">
            <p className="memory-text" data-testid="memory-text">
              {memory.text}
            </p>
            <div className="row memory-actions">
              <button
                type="button"
                className="secondary small"
                aria-label={`Edit: ${memory.text}`}
                disabled={busy}
                onClick={() => {
                  setError(null);
                  setMode({ kind: "edit", text: memory.text });
                }}
              >
                Edit
              </button>
              <button
                type="button"
                className="secondary small"
                aria-label={`Delete: ${memory.text}`}
                disabled={busy}
                onClick={() => {
                  setError(null);
                  setMode({ kind: "delete" });
                }}
              >
                Delete
              </button>
            </div>
          </div>
          <div className="row memory-meta">
            <span className="badge neutral">{kindLabel}</span>
            <span className="badge neutral">{memory.source === "chat" ? "From chat" : "Added by you"}</span>
            {expired && memory.expiresAt && (
              <span className="badge bad" data-testid="memory-expired">
                Expired {formatInZone(memory.expiresAt, zone, false)}
              </span>
            )}
            {!expired && memory.expiresAt && (
              <span className="muted">Until {formatInZone(memory.expiresAt, zone, false)}</span>
            )}
            {earlier.length > 0 && <span className="badge neutral">Edited</span>}
          </div>
          {mode.kind === "delete" && (
            <div className="row memory-confirm" role="group" aria-label="Confirm delete">
              <p>
                Delete this memory
                {earlier.length > 0 ? ` and its ${earlier.length} earlier version(s)` : ""}?
              </p>
              <button
                type="button"
                className="danger small"
                disabled={busy}
                onClick={() => void run(() => forget({ id: memory.id }))}
              >
                {busy ? "Deleting…" : "Yes, delete"}
              </button>
              <button
                type="button"
                className="secondary small"
                disabled={busy}
                onClick={() => setMode({ kind: "view" })}
              >
                Keep it
              </button>
            </div>
          )}
          {error && <ErrorMessage>{error}</ErrorMessage>}
          <details className="memory-details">
            <summary>Why Aura remembers this</summary>
            <Why memory={memory} zone={zone} />
          </details>
          {earlier.length > 0 && (
            <details className="memory-details" data-testid="memory-history">
              <summary>Earlier versions ({earlier.length})</summary>
              <ol className="memory-history">
                {earlier.map((old) => (
                  <li key={old.id} data-testid="memory-earlier">
                    <s>{old.text}</s>{" "}
                    <span className="muted">
                      (replaced {when(old.updatedAt, zone)}
                      {old.source === "chat" ? ", learnt from chat" : ""})
                    </span>
                  </li>
                ))}
              </ol>
            </details>
          )}
        </>
      )}
    </li>
  );
}
