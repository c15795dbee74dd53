/**
 * The session's feature flags per user: one `evaluate_flags` call per user and session,
 * shared by every caller (the first starts it, the others wait for the same answer; a
 * failed call is forgotten so the next caller asks again). Pure: the loader is passed
 * in, so unit tests run it in Node.
 */
export type FlagValues = Readonly<Record<string, boolean>>;

// uid -> the one call made for that user this session.
const cache = new Map<string, Promise<FlagValues>>();

/** The session's flags for `uid`, loaded with `load` only if not already asked for. */
export function flagsFor(uid: string, load: () => Promise<FlagValues>): Promise<FlagValues> {
  let pending = cache.get(uid);
  if (!pending) {
    pending = load().catch((err: unknown) => {
      cache.delete(uid);
      throw err;
    });
    cache.set(uid, pending);
  }
  return pending;
}

/** Forget every cached answer (after an admin changes a flag in this session; tests). */
export function clearFlagCache(): void {
  cache.clear();
}
