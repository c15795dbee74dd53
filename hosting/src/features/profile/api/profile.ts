/** The profile feature's calls: the live `users/{uid}` document, and `update_settings`. */
import { useLive, type LiveState } from "../../../hooks/useLive";
import { callable } from "../../../lib/firebase/callables";
import { watchProfile } from "../../../lib/firebase/documents";
import type { Profile } from "../../../types/accounts";

/** The user's profile document, live; data is null until it exists (uid undefined: not yet). */
export function useProfile(uid: string | undefined): LiveState<Profile | null> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchProfile(uid ?? "", onData, onError),
    "your profile",
  );
}

/**
 * Change the time zone, preferred model and/or the daily briefing (`{enabled?, time?}`);
 * `invalid-argument` names the bad field.
 */
export const updateSettings = callable("update_settings");

/**
 * The private calendar feed: "create" makes a new secret address (answered once: only
 * its hash is stored; the previous address stops working), "revoke" ends it.
 */
export const rotateCalendarFeed = callable("rotate_calendar_feed");
