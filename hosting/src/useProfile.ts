import { useEffect, useState } from "react";
import { watchProfile } from "./lib/firebase/documents";
import type { Profile } from "./models";

export interface ProfileState {
  /** The live `users/{uid}` document; null until it exists (or while loading). */
  profile: Profile | null;
  error: string | null;
}

/** The signed-in user's profile document, kept live with a Firestore listener. */
export function useProfile(uid: string | undefined): ProfileState {
  const [state, setState] = useState<ProfileState>({ profile: null, error: null });

  useEffect(() => {
    setState({ profile: null, error: null });
    if (!uid) return undefined;
    return watchProfile(
      uid,
      (profile) => setState({ profile, error: null }),
      (err) =>
        setState((prev) => ({
          ...prev,
          error: err instanceof Error ? err.message : "Could not load your profile.",
        })),
    );
  }, [uid]);

  return state;
}
