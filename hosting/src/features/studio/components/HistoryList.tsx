import { useEffect, useId, useState } from "react";
import { Link } from "react-router";
import { ErrorMessage, Loading } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { listGenerations } from "../api/studio";
import {
  HISTORY_PAGE_SIZE,
  KINDS,
  toHistoryItem,
  toKind,
  type GenerationKind,
  type HistoryItem,
} from "../models";
import { stageLabel, targetLabel } from "../utils/studio";

const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

interface HistoryListProps {
  /** Changes when the list should be read again from its first page. */
  refreshKey: number;
  currentId: string | null;
  /** Generations deleted on this page: never shown, even before the list is read again. */
  deleted: ReadonlySet<string>;
}

interface Page {
  items: HistoryItem[];
  nextCursor: string | null;
}

/** The user's generations, newest first, by type, a page at a time ("Load more"). */
export function HistoryList({ refreshKey, currentId, deleted }: HistoryListProps) {
  const id = useId();
  const [filter, setFilter] = useState<GenerationKind | "">("");
  const [page, setPage] = useState<Page | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function load(cursor: string | null, into: HistoryItem[], stale: () => boolean) {
    setLoading(true);
    setError(null);
    try {
      const result = await listGenerations({
        limit: HISTORY_PAGE_SIZE,
        ...(filter ? { type: filter } : {}),
        ...(cursor ? { cursor } : {}),
      });
      if (stale()) return;
      const items = result.items.flatMap(toHistoryItem);
      // A generation made between two pages may come twice: keep its first place.
      const seen = new Set(into.map((item) => item.id));
      setPage({
        items: [...into, ...items.filter((item) => !seen.has(item.id))],
        nextCursor: result.nextCursor ?? null,
      });
    } catch (err) {
      if (!stale()) setError(callableFailure(err).message);
    } finally {
      if (!stale()) setLoading(false);
    }
  }

  const shown = page?.items.filter((item) => !deleted.has(item.id));

  useEffect(() => {
    let stale = false;
    void load(null, [], () => stale);
    return () => {
      stale = true;
    };
  }, [filter, refreshKey]);

  return (
    <div className="stack">
      <div className="row spread">
        <h2>History</h2>
        <div className="row studio-filter">
          <label htmlFor={`${id}-filter`}>Show</label>
          <select
            id={`${id}-filter`}
            value={filter}
            onChange={(event) => {
              setPage(null);
              setFilter(event.target.value === "" ? "" : toKind(event.target.value));
            }}
          >
            <option value="">All types</option>
            {KINDS.map((kind) => (
              <option key={kind.value} value={kind.value}>
                {kind.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {error && <ErrorMessage testId="history-error">Could not load the history: {error}</ErrorMessage>}
      {page === null && !error && <Loading>Loading your generations…</Loading>}
      {shown?.length === 0 && (
        <p className="muted" data-testid="no-generations">
          {filter ? "No generations of this type yet." : "Nothing generated yet."}
        </p>
      )}
      {shown && shown.length > 0 && (
        <ul className="studio-history" aria-label="Generations">
          {shown.map((item) => (
            <li
              key={item.id}
              data-testid="history-item"
              data-generation-id={item.id}
              data-type={item.type}
              className={item.id === currentId ? "current" : undefined}
            >
              <Link
                to={`/studio?g=${encodeURIComponent(item.id)}`}
                aria-current={item.id === currentId ? "page" : undefined}
                className="studio-history-prompt"
              >
                {item.prompt || "(no prompt)"}
              </Link>
              <span className="muted studio-history-meta">
                {targetLabel(item.type, item.language, item.framework)} ·{" "}
                {stageLabel(item.status)}
                {item.ok === false && item.status !== "cancelled" ? " (checks failed)" : ""}
                {item.createdAt ? ` · ${DATE.format(item.createdAt)}` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
      {page?.nextCursor && (
        <div className="row">
          <button
            type="button"
            className="secondary"
            disabled={loading}
            onClick={() => void load(page.nextCursor, page.items, () => false)}
          >
            {loading ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
    </div>
  );
}
