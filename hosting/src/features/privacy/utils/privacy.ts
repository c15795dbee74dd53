/**
 * The privacy page's pure logic: an export's status as words, its progress, expiry and
 * size; the typed confirmation for deleting the account; and callable failures as what
 * the page does next (ask for the password again, or show a sentence).
 */
import { isRecord } from "../../../lib/firebase/fields";
import { callableFailure } from "../../../lib/firebase/errors";
import { formatInZone } from "../../../lib/localtime";
import { DELETE_PHRASE, type ExportJob, type ExportProgress, type ExportStatus } from "../models";

const STATUS_LABELS: Record<ExportStatus, string> = {
  queued: "Export queued",
  running: "Exporting your data…",
  done: "Your export is ready",
  failed: "The export failed",
  expired: "This export has expired",
};

export function statusLabel(status: ExportStatus): string {
  return STATUS_LABELS[status];
}

/** Queued or running: the server is still writing the archive. */
export function isLive(status: ExportStatus): boolean {
  return status === "queued" || status === "running";
}

/**
 * The status the page shows: a finished export past its `expiresAt` reads as expired
 * (its link no longer works) even before retention marks it so.
 */
export function shownStatus(job: Pick<ExportJob, "status" | "expiresAt">, now: Date): ExportStatus {
  if (job.status === "done" && job.expiresAt && job.expiresAt.getTime() <= now.getTime()) {
    return "expired";
  }
  return job.status;
}

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}

/**
 * "120 documents from 3 collections so far (now: conversations/*\/messages)"; "Waiting to
 * start…" while queued with nothing written.
 */
export function progressText(status: ExportStatus, progress: ExportProgress): string {
  if (status === "queued" && progress.documents === 0 && progress.collections === 0) {
    return "Waiting to start…";
  }
  const written = `${plural(progress.documents, "document", "documents")} from ${plural(
    progress.collections,
    "collection",
    "collections",
  )}`;
  if (!isLive(status)) return written;
  const now = progress.currentCollection ? ` (now: ${progress.currentCollection})` : "";
  return `${written} so far${now}`;
}

/** "Link expires Fri 5 Dec 2026, 15:00" in the user's zone; "expired" once past. */
export function expiryText(expiresAt: Date, now: Date, zone: string): string {
  const when = formatInZone(expiresAt, zone);
  return expiresAt.getTime() <= now.getTime() ? `Expired ${when}` : `Link expires ${when}`;
}

/** "512 B", "12.3 KB", "4.0 MB". */
export function sizeText(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The total of an export's per-collection counts. */
export function totalDocuments(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** True only when `typed` is the phrase exactly (no other case, no extra spaces). */
export function confirmationMatches(typed: string): boolean {
  return typed === DELETE_PHRASE;
}

/** What to do after `delete_my_account` failed. */
export type DeleteFailure =
  /** The sign-in is too old: ask for the password, re-authenticate, try again. */
  | { kind: "reauth" }
  | { kind: "error"; message: string };

function details(error: unknown): unknown {
  return isRecord(error) ? error.details : undefined;
}

export function deleteFailure(error: unknown): DeleteFailure {
  const failure = callableFailure(error);
  const extra = details(error);
  if (
    failure.code === "failed-precondition" &&
    isRecord(extra) &&
    extra.reason === "requires-recent-login"
  ) {
    return { kind: "reauth" };
  }
  return { kind: "error", message: failureMessage(failure.code, failure.message, "delete your account") };
}

/** A sentence for a failed `export_my_data`. */
export function exportFailureMessage(error: unknown): string {
  const failure = callableFailure(error);
  return failureMessage(failure.code, failure.message, "start the export");
}

function failureMessage(code: string, message: string, what: string): string {
  switch (code) {
    case "unauthenticated":
      return `Sign in again to ${what}.`;
    case "resource-exhausted":
      return `Too many requests. Wait a moment, then try to ${what} again.`;
    case "unavailable":
    case "deadline-exceeded":
      return `Could not reach Aura to ${what}. Check your connection and try again.`;
    case "internal":
    case "unknown":
      return message ? `Could not ${what}: ${message}` : `Could not ${what}. Try again.`;
    default:
      return message || `Could not ${what}. Try again.`;
  }
}
