import { useAuth } from "../lib/auth";

/**
 * The signed-in user's uid once their profile is ready, else undefined: what every page's
 * Firestore listeners wait for (see `profileReady` in the auth context).
 */
export function useReadyUid(): string | undefined {
  const { user, profileReady } = useAuth();
  return profileReady ? user?.uid : undefined;
}
