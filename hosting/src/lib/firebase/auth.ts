/**
 * Firebase Auth: who is signed in, and signing up, in and out (errors: `authErrorMessage`,
 * `providerErrorMessage`), with a password or an identity provider (Google, GitHub,
 * Microsoft) in a pop-up. docs/channels.md "Sign-in providers" tells why a pop-up and how
 * an account that already has the email's password is linked.
 */
import { FirebaseError } from "firebase/app";
import {
  browserPopupRedirectResolver,
  createUserWithEmailAndPassword,
  EmailAuthProvider,
  GithubAuthProvider,
  GoogleAuthProvider,
  linkWithCredential,
  linkWithPopup,
  OAuthProvider,
  onAuthStateChanged,
  reauthenticateWithCredential,
  sendEmailVerification,
  signInWithEmailAndPassword,
  signInWithPopup,
  signOut as firebaseSignOut,
  updateProfile,
  type AuthCredential,
  type AuthProvider,
  type User,
} from "firebase/auth";
import { authErrorMessage } from "./errors";
import { firebaseReady, readyServices, whenReady, type Unsubscribe } from "./app";

export type { User } from "firebase/auth";

export function watchAuth(
  onUser: (user: User | null) => void,
  onError: (error: unknown) => void,
): Unsubscribe {
  return whenReady(({ auth }) => onAuthStateChanged(auth, onUser, onError), onError);
}

export function currentUser(): User | null {
  return readyServices()?.auth.currentUser ?? null;
}

export async function signIn(email: string, password: string): Promise<User> {
  const { auth } = await firebaseReady();
  return (await signInWithEmailAndPassword(auth, email, password)).user;
}

/** Create an account; the display name (if any) is set before the profile is created. */
export async function signUp(email: string, password: string, displayName?: string): Promise<User> {
  const { auth } = await firebaseReady();
  const { user } = await createUserWithEmailAndPassword(auth, email, password);
  if (displayName) {
    await updateProfile(user, { displayName });
    // A fresh ID token carries the `name` claim, so ensure_profile can store it.
    await user.getIdToken(true);
  }
  return user;
}

/**
 * Prove again who the signed-in user is with their password, so the ID token's
 * `auth_time` is fresh (what `delete_my_account` asks for).
 */
export async function reauthenticate(password: string): Promise<void> {
  const { auth } = await firebaseReady();
  const user = auth.currentUser;
  if (!user?.email) throw new Error("Sign in again to continue.");
  await reauthenticateWithCredential(user, EmailAuthProvider.credential(user.email, password));
  // Callables send the current ID token: make sure it is the one minted now.
  await user.getIdToken(true);
}

/** Email the signed-in user a link that verifies their address (Aura emails only those). */
export async function sendVerificationEmail(): Promise<void> {
  const { auth } = await firebaseReady();
  const user = auth.currentUser;
  if (!user) throw new Error("Sign in again to continue.");
  await sendEmailVerification(user);
}

/** Whether the signed-in user's address is verified, as Auth says now (after a reload). */
export async function emailVerifiedNow(): Promise<boolean> {
  const { auth } = await firebaseReady();
  const user = auth.currentUser;
  if (!user) return false;
  await user.reload();
  return user.emailVerified;
}

export async function signOut(): Promise<void> {
  const { auth } = await firebaseReady();
  await firebaseSignOut(auth);
}

/** The identity providers the app offers (each must be enabled in the Firebase console). */
export const PROVIDERS = ["google", "github", "microsoft"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const PROVIDER_LABELS: Record<ProviderName, string> = {
  google: "Google",
  github: "GitHub",
  microsoft: "Microsoft",
};

const PROVIDER_IDS: Record<ProviderName, string> = {
  google: "google.com",
  github: "github.com",
  microsoft: "microsoft.com",
};

function authProvider(name: ProviderName): AuthProvider {
  switch (name) {
    case "google": {
      const google = new GoogleAuthProvider();
      google.setCustomParameters({ prompt: "select_account" });
      return google;
    }
    case "github": {
      const github = new GithubAuthProvider();
      github.addScope("read:user");
      github.addScope("user:email");
      return github;
    }
    case "microsoft":
      return new OAuthProvider(PROVIDER_IDS.microsoft);
  }
}

/** The provider name of a Firebase provider id ("github.com" -> "github"), if offered. */
export function providerName(providerId: string): ProviderName | undefined {
  return PROVIDERS.find((name) => PROVIDER_IDS[name] === providerId);
}

/**
 * A provider sign-in found the email already belongs to a password account: the person
 * proves the password (`linkPendingProvider`), then the provider joins that account.
 */
export class LinkRequiredError extends Error {
  constructor(
    readonly email: string,
    readonly provider: ProviderName,
    readonly credential: AuthCredential | null,
  ) {
    super(
      `An account with ${email} already exists. Enter its password to add ` +
        `${PROVIDER_LABELS[provider]} sign-in to it.`,
    );
    this.name = "LinkRequiredError";
  }
}

/**
 * Sign in with an identity provider in a pop-up (the resolver is passed here: `app.ts`
 * initialises Auth without the pop-up code, so only pages that sign in load it).
 *
 * Throws LinkRequiredError when the email already has an account with another method.
 */
export async function signInWithProvider(name: ProviderName): Promise<User> {
  const { auth } = await firebaseReady();
  try {
    const { user } = await signInWithPopup(auth, authProvider(name), browserPopupRedirectResolver);
    return user;
  } catch (err) {
    if (
      err instanceof FirebaseError &&
      err.code === "auth/account-exists-with-different-credential"
    ) {
      const email = (err.customData as { email?: unknown } | undefined)?.email;
      if (typeof email !== "string" || !email) throw err;
      throw new LinkRequiredError(email, name, OAuthProvider.credentialFromError(err));
    }
    throw err;
  }
}

/**
 * Finish a LinkRequiredError: sign in with the account's password, then add the
 * provider's credential to it (or, when the provider gave none, a second pop-up).
 * The ID token is refreshed so the server sees the provider's name and photo.
 */
export async function linkPendingProvider(
  pending: LinkRequiredError,
  password: string,
): Promise<User> {
  const { auth } = await firebaseReady();
  const { user } = await signInWithEmailAndPassword(auth, pending.email, password);
  if (pending.credential) {
    await linkWithCredential(user, pending.credential);
  } else {
    await linkWithPopup(user, authProvider(pending.provider), browserPopupRedirectResolver);
  }
  // Linking leaves the account's own name and photo as they were: fill the missing ones
  // from the provider (the server checks them again before the profile takes them).
  const linked = user.providerData.find(
    (info) => info.providerId === PROVIDER_IDS[pending.provider],
  );
  const fill: { displayName?: string; photoURL?: string } = {};
  if (!user.displayName && linked?.displayName) fill.displayName = linked.displayName;
  if (!user.photoURL && linked?.photoURL) fill.photoURL = linked.photoURL;
  if (Object.keys(fill).length > 0) await updateProfile(user, fill);
  await user.getIdToken(true);
  return user;
}

/** The providers (by name) this user can sign in with, e.g. ["password", "google"]. */
export function signInMethods(user: User): string[] {
  return user.providerData.map((info) => providerName(info.providerId) ?? info.providerId);
}

const PROVIDER_MESSAGES: Record<string, string> = {
  "auth/popup-closed-by-user": "The sign-in window was closed before signing in finished.",
  "auth/cancelled-popup-request": "The sign-in window was closed before signing in finished.",
  "auth/user-cancelled": "Signing in was cancelled.",
  "auth/popup-blocked":
    "The browser blocked the sign-in window. Allow pop-ups for this site and try again.",
  "auth/operation-not-allowed": "This way of signing in is not turned on for Aura.",
  "auth/unauthorized-domain": "This way of signing in is not turned on for this address.",
  "auth/credential-already-in-use": "That account is already linked to another Aura account.",
  "auth/provider-already-linked": "This account can already sign in that way.",
};

/** A sentence for a person, from a provider sign-in or linking error. */
export function providerErrorMessage(error: unknown): string {
  if (error instanceof FirebaseError && error.code in PROVIDER_MESSAGES) {
    return PROVIDER_MESSAGES[error.code] as string;
  }
  return authErrorMessage(error);
}
