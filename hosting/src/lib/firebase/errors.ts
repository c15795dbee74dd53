/**
 * Errors from Firebase as a person reads them: Auth codes as sentences, and a callable's
 * code, message and offending field. Pure: no SDK calls, so unit tests run it in Node.
 */
import { FirebaseError } from "firebase/app";
import { isRecord } from "./fields";

const AUTH_MESSAGES: Record<string, string> = {
  "auth/invalid-credential": "That email and password do not match an account.",
  "auth/wrong-password": "That email and password do not match an account.",
  "auth/user-not-found": "That email and password do not match an account.",
  "auth/invalid-email": "Enter a valid email address.",
  "auth/missing-password": "Enter your password.",
  "auth/email-already-in-use": "An account with this email already exists. Sign in instead.",
  "auth/weak-password": "Choose a stronger password (at least 6 characters).",
  "auth/user-disabled": "This account has been disabled.",
  "auth/too-many-requests": "Too many attempts. Wait a moment and try again.",
  "auth/network-request-failed": "Could not reach the sign-in service. Check your connection.",
};

/** A sentence for a person, from an Auth error. */
export function authErrorMessage(error: unknown): string {
  if (error instanceof FirebaseError) {
    return AUTH_MESSAGES[error.code] ?? `Something went wrong (${error.code}). Try again.`;
  }
  return error instanceof Error ? error.message : "Something went wrong. Try again.";
}

export interface CallableFailure {
  /** The callable code without its prefix: "invalid-argument", "unavailable", … */
  code: string;
  message: string;
  /** For invalid-argument: the dotted path of the offending input field. */
  field?: string;
}

/** The code, message and field of an error thrown by a callable. */
export function callableFailure(error: unknown): CallableFailure {
  if (error instanceof FirebaseError) {
    const code = error.code.replace(/^functions\//, "");
    // The SDK appends the HTTP status ("… [400]"); the server's sentence reads better alone.
    const message = error.message.replace(/ \[\d{3}\]$/, "");
    const details: unknown = (error as FirebaseError & { details?: unknown }).details;
    const field = isRecord(details) ? details.field : undefined;
    return typeof field === "string" ? { code, message, field } : { code, message };
  }
  return {
    code: "unknown",
    message: error instanceof Error ? error.message : "Something went wrong. Try again.",
  };
}
