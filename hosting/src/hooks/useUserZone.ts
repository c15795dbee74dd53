import { watchProfile } from "../lib/firebase/documents";
import { safeZone } from "../lib/localtime";
import type { Profile } from "../types/accounts";
import { useLive } from "./useLive";

/**
 * The user's time zone (`settings.timezone`), live: what tasks, the calendar and the
 * inbox read times in. "UTC" until the profile loads (and for a zone the browser lacks);
 * `loaded` says whether it came from the profile yet.
 */
export function useUserZone(uid: string | undefined): { zone: string; loaded: boolean } {
  const { data } = useLive<Profile | null>(
    uid ?? null,
    (onData, onError) => watchProfile(uid ?? "", onData, onError),
    "your profile",
  );
  return { zone: safeZone(data?.settings.timezone), loaded: data !== undefined && data !== null };
}
