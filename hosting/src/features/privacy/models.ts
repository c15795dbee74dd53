/**
 * The privacy feature's models: a data export (`users/{uid}/exports/{exportId}`, written
 * only by the server) as the page reads it, and the requests and results of
 * `export_my_data` and `delete_my_account`.
 */
import { dateOrNull, isRecord, numberOr, stringOrNull } from "../../lib/firebase/fields";
import type { StoredDoc } from "../../lib/firebase/watch";
import type { Covers } from "../../types/check";
import type { ExportMyDataResult } from "../../wire/export";

/**
 * Where an export is: queued and running while the server writes the archive; done with
 * a download link; failed with an error; expired once retention removed the archive.
 */
export const EXPORT_STATUSES = ["queued", "running", "done", "failed", "expired"] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];
// The page knows every status the server can answer (and the document can hold).
true satisfies Covers<ExportMyDataResult["status"], ExportStatus>;

/** How far a running export is: documents and collections written, and the current one. */
export interface ExportProgress {
  documents: number;
  collections: number;
  /** A registry collection path, e.g. "conversations/*\/messages"; null between them. */
  currentCollection: string | null;
}

/** A data export as the page shows it. */
export interface ExportJob {
  id: string;
  status: ExportStatus;
  progress: ExportProgress;
  /** Documents per collection path, once done. */
  counts: Record<string, number>;
  sizeBytes: number | null;
  downloadUrl: string | null;
  expiresAt: Date | null;
  error: string | null;
  createdAt: Date | null;
  finishedAt: Date | null;
}

export function toExportStatus(value: unknown): ExportStatus {
  return EXPORT_STATUSES.find((status) => status === value) ?? "queued";
}

export function toProgress(value: unknown): ExportProgress {
  if (!isRecord(value)) return { documents: 0, collections: 0, currentCollection: null };
  return {
    documents: Math.max(0, Math.floor(numberOr(value.documents, 0))),
    collections: Math.max(0, Math.floor(numberOr(value.collections, 0))),
    currentCollection: stringOrNull(value.currentCollection),
  };
}

function toCounts(value: unknown): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!isRecord(value) || Array.isArray(value)) return counts;
  for (const [key, count] of Object.entries(value)) {
    if (typeof count === "number" && Number.isFinite(count)) {
      Object.defineProperty(counts, key, { value: count, enumerable: true, writable: true });
    }
  }
  return counts;
}

/** The error as a sentence: a string, or a map with `message`. */
function toError(value: unknown): string | null {
  if (typeof value === "string") return value.trim() === "" ? null : value;
  if (isRecord(value)) return stringOrNull(value.message);
  return null;
}

/** `users/{uid}/exports/{exportId}`. */
export function toExportJob({ id, data }: StoredDoc): ExportJob {
  return {
    id,
    status: toExportStatus(data.status),
    progress: toProgress(data.progress),
    counts: toCounts(data.counts),
    sizeBytes: typeof data.sizeBytes === "number" ? numberOr(data.sizeBytes, 0) : null,
    downloadUrl: stringOrNull(data.downloadUrl),
    expiresAt: dateOrNull(data.expiresAt),
    error: toError(data.error),
    createdAt: dateOrNull(data.createdAt),
    finishedAt: dateOrNull(data.finishedAt),
  };
}

// --- Callables: the server's models, generated (src/wire) ----------------------------

/** The exact phrase `delete_my_account` asks for (DeleteMyAccount.confirm on the server). */
export const DELETE_PHRASE = "delete my account";

export type { ExportMyDataResult } from "../../wire/export";
export type { DeleteMyAccountResult } from "../../wire/erasure";
