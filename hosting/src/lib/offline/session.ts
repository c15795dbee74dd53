/**
 * Which accounts have had their profile set up in this browser, so a reload without a
 * network can still open the cached data. The auth context waits for `ensure_profile`
 * before any listener starts (`profileReady`); offline that call cannot answer, but a
 * user whose profile was ready here before has a profile on the server and data in
 * Firestore's local cache, so their pages may show it. Only the uid is kept (per browser,
 * in localStorage); it is forgotten at sign-out.
 */
const KEY = "aura.readyProfiles";
const MAX_REMEMBERED = 10;

// The uids served from the cache in this page: they stay ready until sign-out, so a
// reconnect (which retries ensure_profile) does not restart every listener.
const servedOffline = new Set<string>();

function remembered(): string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(value) ? value.filter((uid): uid is string => typeof uid === "string") : [];
  } catch {
    return [];
  }
}

function store(uids: string[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(uids.slice(-MAX_REMEMBERED)));
  } catch {
    // Storage full or refused: offline start is simply not offered.
  }
}

/** Note that `uid`'s profile is ready (after `ensure_profile` answered). */
export function rememberReadyProfile(uid: string): void {
  const uids = remembered();
  if (!uids.includes(uid)) store([...uids.filter((known) => known !== uid), uid]);
}

/** Forget `uid` (at sign-out): this browser no longer opens its data without the server. */
export function forgetProfile(uid: string): void {
  servedOffline.delete(uid);
  store(remembered().filter((known) => known !== uid));
}

/**
 * Whether `uid`'s pages may start their listeners before `ensure_profile` answered: the
 * profile was ready in this browser before, and the call cannot answer now (offline, or
 * it failed), or this page already showed the cache.
 */
export function readyFromCache(uid: string, online: boolean, setupFailed: boolean): boolean {
  if (servedOffline.has(uid)) return true;
  if ((online && !setupFailed) || !remembered().includes(uid)) return false;
  servedOffline.add(uid);
  return true;
}
