/** Firebase Auth: who is signed in, and signing up, in and out (errors: `authErrorMessage`). */
import {
  createUserWithEmailAndPassword,
  EmailAuthProvider,
  onAuthStateChanged,
  reauthenticateWithCredential,
  signInWithEmailAndPassword,
  signOut as firebaseSignOut,
  updateProfile,
  type User,
} from "firebase/auth";
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

export async function signOut(): Promise<void> {
  const { auth } = await firebaseReady();
  await firebaseSignOut(auth);
}
