import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { recall } from "../api/memory";
import { MAX_QUERY_CHARS, MEMORY_KINDS, type Recalled } from "../models";
import { relevance } from "../utils/memories";

/**
 * Search by meaning (`recall`): the memories nearest to the question, nearest first, each
 * with its relevance (from the cosine distance). Only memories close enough are found.
 */
export function MemorySearch() {
  const id = useId();
  const [query, setQuery] = useState("");
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<{ query: string; items: Recalled[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = query.trim();
    if (!trimmed) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await recall({ query: trimmed, limit: 10 });
      setResults({ query: trimmed, items: answer.memories });
    } catch (err) {
      setError(callableFailure(err).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <form role="search" className="row memory-search" onSubmit={(event) => void handleSubmit(event)}>
        <label htmlFor={`${id}-query`} className="visually-hidden">
          Search by meaning
        </label>
        <input
          id={`${id}-query`}
          type="search"
          maxLength={MAX_QUERY_CHARS}
          placeholder="Ask in your own words, e.g. where does my sister live?"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit" disabled={busy || query.trim() === ""}>
          {busy ? "Searching…" : "Search"}
        </button>
      </form>
      {error && <ErrorMessage>{error}</ErrorMessage>}
      <div role="status" aria-live="polite">
        {results && results.items.length === 0 && (
          <p className="muted" data-testid="recall-empty">
            No memory is close in meaning to “{results.query}”.
          </p>
        )}
        {results && results.items.length > 0 && (
          <p className="visually-hidden">
            {results.items.length} found for “{results.query}”.
          </p>
        )}
      </div>
      {results && results.items.length > 0 && (
        <ol className="recall-results" aria-label={`Memories matching “${results.query}”`}>
          {results.items.map((item) => {
            const percent = relevance(item.distance);
            return (
              <li key={item.id} data-testid="recall-result" data-memory-id={item.id}>
                <span className="recall-text">{item.text}</span>
                <span className="badge neutral">
                  {MEMORY_KINDS.find((kind) => kind.value === item.kind)?.label ?? item.kind}
                </span>
                <meter
                  min={0}
                  max={100}
                  value={percent}
                  aria-label={`Relevance of “${item.text}”`}
                  title={`Cosine distance ${item.distance.toFixed(3)}`}
                />
                <span className="muted" data-testid="recall-relevance">
                  {percent}% relevant
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
