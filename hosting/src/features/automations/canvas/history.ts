/**
 * Undo and redo over snapshots of a value (the definition's text), pure. The present
 * value lives outside (the editor's draft): every function takes it, so edits made
 * elsewhere (the JSON view) are never lost by an undo — they become what redo restores.
 *
 * Edits recorded with the same `key` within `COALESCE_MS` of each other (a node moved
 * step by step with the arrow keys) undo as one.
 */
export const HISTORY_LIMIT = 100;
export const COALESCE_MS = 1_000;

export interface History<T> {
  /** Oldest first; the last entry is what undo restores. */
  past: readonly T[];
  /** Nearest first: what redo restores. */
  future: readonly T[];
  lastKey: string | null;
  lastAt: number;
}

export function emptyHistory<T>(): History<T> {
  return { past: [], future: [], lastKey: null, lastAt: 0 };
}

export interface RecordOptions {
  /** Edits with the same key in quick succession undo together. */
  key?: string | null;
  /** The time of the edit (ms); defaults to now. */
  at?: number;
}

/** `history` once `present` is replaced by an edit: present joins the past, redo is gone. */
export function record<T>(
  history: History<T>,
  present: T,
  options: RecordOptions = {},
): History<T> {
  const key = options.key ?? null;
  const at = options.at ?? Date.now();
  const coalesce =
    key !== null &&
    key === history.lastKey &&
    at - history.lastAt <= COALESCE_MS &&
    history.past.length > 0;
  const past = coalesce ? history.past : [...history.past, present].slice(-HISTORY_LIMIT);
  return { past, future: [], lastKey: key, lastAt: at };
}

export interface Step<T> {
  history: History<T>;
  value: T;
}

/** The value before the last edit, and the history after going back to it (null: none). */
export function undo<T>(history: History<T>, present: T): Step<T> | null {
  const value = history.past[history.past.length - 1];
  if (value === undefined) return null;
  return {
    value,
    history: {
      past: history.past.slice(0, -1),
      future: [present, ...history.future],
      lastKey: null,
      lastAt: 0,
    },
  };
}

/** The value the last undo replaced, and the history after restoring it (null: none). */
export function redo<T>(history: History<T>, present: T): Step<T> | null {
  const [value, ...future] = history.future;
  if (value === undefined) return null;
  return {
    value,
    history: { past: [...history.past, present], future, lastKey: null, lastAt: 0 },
  };
}

export function canUndo<T>(history: History<T>): boolean {
  return history.past.length > 0;
}

export function canRedo<T>(history: History<T>): boolean {
  return history.future.length > 0;
}
