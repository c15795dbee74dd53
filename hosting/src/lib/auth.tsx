/**
 * Who is signed in, for the whole app.
 *
 * Listens to Firebase Auth and, each time a user becomes signed in (a sign-in, a sign-up,
 * or a restored session on page load), calls `ensure_profile` once so `users/{uid}`
 * exists and is fresh. When the callable reports that custom claims changed, the ID
 * token is refreshed so security rules and callables see the new role and plan.
 */
import { createContext, use, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ReactNode } from "react";
import * as firebaseAuth from "./firebase/auth";
import type { LinkRequiredError, ProviderName, User } from "./firebase/auth";
import { ensureProfile } from "./firebase/callables";
import { callableFailure } from "./firebase/errors";

export type AuthStatus = "loading" | "signedOut" | "signedIn" | "error";

export interface AuthContextValue {
  status: AuthStatus;
  user: User | null;
  /** Why Firebase could not start (status "error"). */
  error: string | null;
  /** Why the profile could not be set up after sign-in, if it failed. */
  setupError: string | null;
  /**
   * True once ensure_profile has run for this user and the ID token carries its claims.
   * Listeners start only then: a listener opened before (while the token is still being
   * refreshed) can miss the profile's creation in the Firestore emulator.
   */
  profileReady: boolean;
  signIn(email: string, password: string): Promise<void>;
  signUp(email: string, password: string, displayName?: string): Promise<void>;
  /** Sign in (or up) with a provider's pop-up; throws LinkRequiredError (see linkProvider). */
  signInWithProvider(provider: ProviderName): Promise<void>;
  /** Prove the password of the account a provider sign-in found, and link the provider. */
  linkProvider(pending: LinkRequiredError, password: string): Promise<void>;
  signOut(): Promise<void>;
  retrySetup(): void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

function browserTimezone(): string | undefined {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>("loading");
  const [user, setUser] = useState<User | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [setupError, setSetupError] = useState<string | null>(null);
  const [profileReady, setProfileReady] = useState(false);
  // The uid ensure_profile already ran for in this session, and whether a sign-up is
  // still setting the display name or a sign-in still linking a provider (either then
  // runs ensure_profile itself, afterwards, with the token that carries the name).
  const ensuredUid = useRef<string | null>(null);
  const signingUp = useRef(false);

  const setUpProfile = useCallback(async (signedIn: User) => {
    ensuredUid.current = signedIn.uid;
    setSetupError(null);
    setProfileReady(false);
    try {
      const timezone = browserTimezone();
      let result: Awaited<ReturnType<typeof ensureProfile>>;
      try {
        result = await ensureProfile(timezone ? { timezone } : {});
      } catch (err) {
        // A browser zone the server does not know (e.g. "Etc/Unknown"): fall back to UTC.
        const failure = callableFailure(err);
        if (failure.code !== "invalid-argument" || failure.field !== "timezone") throw err;
        result = await ensureProfile({});
      }
      if (result.claimsUpdated) await signedIn.getIdToken(true);
      if (ensuredUid.current === signedIn.uid) setProfileReady(true);
    } catch (err) {
      if (ensuredUid.current !== signedIn.uid) return; // signed out meanwhile
      ensuredUid.current = null;
      setSetupError(callableFailure(err).message);
    }
  }, []);

  useEffect(
    () =>
      firebaseAuth.watchAuth(
        (next) => {
          setUser(next);
          setStatus(next ? "signedIn" : "signedOut");
          if (!next) {
            ensuredUid.current = null;
            setSetupError(null);
            setProfileReady(false);
          } else if (!signingUp.current && ensuredUid.current !== next.uid) {
            void setUpProfile(next);
          }
        },
        (err) => {
          setError(err instanceof Error ? err.message : String(err));
          setStatus("error");
        },
      ),
    [setUpProfile],
  );

  const signIn = useCallback(async (email: string, password: string) => {
    await firebaseAuth.signIn(email, password);
  }, []);

  const signUp = useCallback(
    async (email: string, password: string, displayName?: string) => {
      signingUp.current = true;
      try {
        await firebaseAuth.signUp(email, password, displayName);
      } finally {
        signingUp.current = false;
        const created = firebaseAuth.currentUser();
        if (created && ensuredUid.current !== created.uid) void setUpProfile(created);
      }
    },
    [setUpProfile],
  );

  const signInWithProvider = useCallback(async (provider: ProviderName) => {
    await firebaseAuth.signInWithProvider(provider);
  }, []);

  const linkProvider = useCallback(
    async (pending: LinkRequiredError, password: string) => {
      signingUp.current = true;
      try {
        await firebaseAuth.linkPendingProvider(pending, password);
      } finally {
        signingUp.current = false;
        // Run again even if the sign-in ran it: the linked provider's name and photo now
        // fill a profile that had none.
        const linked = firebaseAuth.currentUser();
        if (linked) void setUpProfile(linked);
      }
    },
    [setUpProfile],
  );

  const signOut = useCallback(async () => {
    ensuredUid.current = null;
    await firebaseAuth.signOut();
  }, []);

  const retrySetup = useCallback(() => {
    if (user) void setUpProfile(user);
  }, [user, setUpProfile]);

  const value = useMemo<AuthContextValue>(
    () => ({
      status,
      user,
      error,
      setupError,
      profileReady,
      signIn,
      signUp,
      signInWithProvider,
      linkProvider,
      signOut,
      retrySetup,
    }),
    [
      status,
      user,
      error,
      setupError,
      profileReady,
      signIn,
      signUp,
      signInWithProvider,
      linkProvider,
      signOut,
      retrySetup,
    ],
  );
  return <AuthContext value={value}>{children}</AuthContext>;
}

export function useAuth(): AuthContextValue {
  const value = use(AuthContext);
  if (!value) throw new Error("useAuth must be used inside <AuthProvider>");
  return value;
}
