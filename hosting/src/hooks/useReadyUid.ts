import { useEffect } from "react";
import { useAuth } from "../lib/auth";
import { useOnline } from "../lib/offline/network";
import { readyFromCache, rememberReadyProfile } from "../lib/offline/session";

/**
 * The signed-in user's uid once their profile is ready, else undefined: what every page's
 * Firestore listeners wait for (see `profileReady` in the auth context). Offline, or when
 * setup could not reach the server, a user whose profile was ready in this browser before
 * is ready at once, so the pages show Firestore's cached data (`lib/offline/session`).
 */
export function useReadyUid(): string | undefined {
  const { user, profileReady, setupError } = useAuth();
  const online = useOnline();
  const uid = user?.uid;
  useEffect(() => {
    if (profileReady && uid) rememberReadyProfile(uid);
  }, [profileReady, uid]);
  if (!uid) return undefined;
  return profileReady || readyFromCache(uid, online, setupError !== null) ? uid : undefined;
}
