import { useEffect, useState } from "react";
import type { Unsubscribe } from "../lib/firebase/app";

export interface LiveState<T> {
  /** The latest snapshot; undefined until the first one arrives (or with nothing to watch). */
  data: T | undefined;
  error: string | null;
}

interface KeyedState<T> extends LiveState<T> {
  key: string | null;
}

type Subscribe<T> = (onData: (data: T) => void, onError: (error: unknown) => void) => Unsubscribe;

/**
 * Data kept live by a Firestore listener. `key` names what is watched (null: nothing);
 * the listener restarts when it changes, and the state is tagged with it, so a new key
 * never shows the previous key's data. `subscribe` must watch what `key` names.
 */
export function useLive<T>(
  key: string | null,
  subscribe: Subscribe<T>,
  what: string,
): LiveState<T> {
  const [state, setState] = useState<KeyedState<T>>({ key: null, data: undefined, error: null });

  useEffect(() => {
    if (key === null) return undefined;
    return subscribe(
      (data) => setState({ key, data, error: null }),
      (err) =>
        setState((prev) => ({
          key,
          data: prev.key === key ? prev.data : undefined,
          error: err instanceof Error ? err.message : `Could not load ${what}.`,
        })),
    );
    // `subscribe` is a new function each render; `key` identifies what it watches.
  }, [key]);

  return state.key === key && key !== null
    ? { data: state.data, error: state.error }
    : { data: undefined, error: null };
}
