/**
 * The feature flags that apply to the signed-in user (`evaluate_flags`), fetched once per
 * session and user (`lib/flagCache`) and shared by every component that asks. A flag the
 * answer lacks reads as undefined; each caller decides what that means.
 */
import { useEffect, useState } from "react";
import { callable } from "../lib/firebase/callables";
import { flagsFor, type FlagValues } from "../lib/flagCache";
import { useReadyUid } from "./useReadyUid";

export { clearFlagCache, type FlagValues } from "../lib/flagCache";

export interface FlagsState {
  /** The flags, or undefined while loading (or when the call failed). */
  flags: FlagValues | undefined;
  /** Why the flags could not be read, if they could not. */
  error: string | null;
}

const evaluateFlags = callable("evaluate_flags");

async function load(): Promise<FlagValues> {
  return (await evaluateFlags({})).flags;
}

export function useFlags(): FlagsState {
  const uid = useReadyUid();
  const [state, setState] = useState<FlagsState & { uid?: string }>({
    flags: undefined,
    error: null,
  });

  useEffect(() => {
    if (!uid) return;
    let live = true;
    flagsFor(uid, load).then(
      (flags) => live && setState({ uid, flags, error: null }),
      (err: unknown) =>
        live &&
        setState({ uid, flags: undefined, error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [uid]);

  return state.uid === uid ? { flags: state.flags, error: state.error } : { flags: undefined, error: null };
}
