import { FirebaseError } from "firebase/app";
import { describe, expect, it } from "vitest";
import type { StoredDoc } from "../../../lib/firebase/watch";
import { DELETE_PHRASE, EXPORT_STATUSES, toExportJob } from "../models";
import {
  confirmationMatches,
  deleteFailure,
  expiryText,
  exportFailureMessage,
  isLive,
  progressText,
  shownStatus,
  sizeText,
  statusLabel,
  totalDocuments,
} from "./privacy";

const NOW = new Date("2026-12-02T10:00:00Z");

function timestamp(date: Date) {
  return { toDate: () => date };
}

function stored(data: Record<string, unknown>): StoredDoc {
  return { id: "e1", data, pending: false };
}

describe("toExportJob", () => {
  it("reads a finished export", () => {
    const job = toExportJob(
      stored({
        status: "done",
        progress: { documents: 12, collections: 3, currentCollection: null },
        counts: { "": 1, memories: 4, "conversations/*/messages": 7 },
        sizeBytes: 2048,
        downloadUrl: "http://127.0.0.1:9199/v0/b/x/o/y?alt=media&token=t",
        expiresAt: timestamp(new Date("2026-12-03T10:00:00Z")),
        createdAt: timestamp(NOW),
        error: null,
      }),
    );
    expect(job).toMatchObject({
      id: "e1",
      status: "done",
      progress: { documents: 12, collections: 3, currentCollection: null },
      sizeBytes: 2048,
      downloadUrl: "http://127.0.0.1:9199/v0/b/x/o/y?alt=media&token=t",
      error: null,
    });
    expect(job.counts).toEqual({ "": 1, memories: 4, "conversations/*/messages": 7 });
    expect(job.expiresAt?.toISOString()).toBe("2026-12-03T10:00:00.000Z");
  });

  it("falls back for a shape it does not know", () => {
    const job = toExportJob(
      stored({ status: "exploded", progress: "x", counts: [1, 2], error: { message: "boom" } }),
    );
    expect(job.status).toBe("queued");
    expect(job.progress).toEqual({ documents: 0, collections: 0, currentCollection: null });
    expect(job.counts).toEqual({});
    expect(job.error).toBe("boom");
    expect(job.downloadUrl).toBeNull();
    expect(job.sizeBytes).toBeNull();
  });

  it("keeps every status it knows", () => {
    for (const status of EXPORT_STATUSES) {
      expect(toExportJob(stored({ status })).status).toBe(status);
    }
  });
});

describe("status", () => {
  it("labels every status", () => {
    expect(EXPORT_STATUSES.map(statusLabel)).toEqual([
      "Export queued",
      "Exporting your data…",
      "Your export is ready",
      "The export failed",
      "This export has expired",
    ]);
  });

  it("is live while queued or running only", () => {
    expect(EXPORT_STATUSES.filter(isLive)).toEqual(["queued", "running"]);
  });

  it("shows a finished export past its expiry as expired", () => {
    const past = new Date(NOW.getTime() - 1);
    const future = new Date(NOW.getTime() + 60_000);
    expect(shownStatus({ status: "done", expiresAt: past }, NOW)).toBe("expired");
    expect(shownStatus({ status: "done", expiresAt: NOW }, NOW)).toBe("expired");
    expect(shownStatus({ status: "done", expiresAt: future }, NOW)).toBe("done");
    expect(shownStatus({ status: "done", expiresAt: null }, NOW)).toBe("done");
    expect(shownStatus({ status: "failed", expiresAt: past }, NOW)).toBe("failed");
  });
});

describe("progressText", () => {
  it("waits while queued with nothing written", () => {
    expect(progressText("queued", { documents: 0, collections: 0, currentCollection: null })).toBe(
      "Waiting to start…",
    );
  });

  it("counts documents and collections, with the current one while running", () => {
    expect(
      progressText("running", {
        documents: 1234,
        collections: 3,
        currentCollection: "conversations/*/messages",
      }),
    ).toBe("1,234 documents from 3 collections so far (now: conversations/*/messages)");
    expect(progressText("running", { documents: 1, collections: 1, currentCollection: null })).toBe(
      "1 document from 1 collection so far",
    );
  });

  it("drops 'so far' once finished", () => {
    expect(progressText("done", { documents: 9, collections: 2, currentCollection: "x" })).toBe(
      "9 documents from 2 collections",
    );
  });
});

describe("expiry and size", () => {
  it("tells when the link expires, in the user's zone", () => {
    const at = new Date("2026-12-03T10:00:00Z");
    expect(expiryText(at, NOW, "Europe/Lisbon")).toBe("Link expires Thu 3 Dec 2026, 10:00");
    expect(expiryText(at, NOW, "America/New_York")).toBe("Link expires Thu 3 Dec 2026, 05:00");
    expect(expiryText(NOW, NOW, "UTC")).toBe("Expired Wed 2 Dec 2026, 10:00");
  });

  it("writes sizes in B, KB and MB", () => {
    expect(sizeText(0)).toBe("0 B");
    expect(sizeText(1023)).toBe("1023 B");
    expect(sizeText(1024)).toBe("1.0 KB");
    expect(sizeText(12_595)).toBe("12.3 KB");
    expect(sizeText(4 * 1024 * 1024)).toBe("4.0 MB");
    expect(sizeText(-1)).toBe("");
  });

  it("adds the counts", () => {
    expect(totalDocuments({ a: 2, b: 5 })).toBe(7);
    expect(totalDocuments({})).toBe(0);
  });
});

describe("confirmationMatches", () => {
  it("accepts the exact phrase only", () => {
    expect(confirmationMatches(DELETE_PHRASE)).toBe(true);
    expect(confirmationMatches("delete my account")).toBe(true);
    for (const typed of [
      "",
      "delete my",
      "Delete my account",
      "DELETE MY ACCOUNT",
      " delete my account",
      "delete my account ",
      "delete  my account",
      "delete my account.",
    ]) {
      expect(confirmationMatches(typed), typed).toBe(false);
    }
  });
});

describe("deleteFailure", () => {
  it("asks for the password again when the sign-in is too old", () => {
    const error = Object.assign(
      new FirebaseError("functions/failed-precondition", "Sign in again first. [400]"),
      { details: { reason: "requires-recent-login" } },
    );
    expect(deleteFailure(error)).toEqual({ kind: "reauth" });
  });

  it("shows any other failed-precondition as an error", () => {
    const other = Object.assign(
      new FirebaseError("functions/failed-precondition", "Something else."),
      { details: { reason: "other" } },
    );
    expect(deleteFailure(other)).toEqual({ kind: "error", message: "Something else." });
    const bare = new FirebaseError("functions/failed-precondition", "No details.");
    expect(deleteFailure(bare)).toEqual({ kind: "error", message: "No details." });
  });

  it("ignores the reason under another code", () => {
    const error = Object.assign(new FirebaseError("functions/permission-denied", "No."), {
      details: { reason: "requires-recent-login" },
    });
    expect(deleteFailure(error)).toEqual({ kind: "error", message: "No." });
  });

  it("explains transport and limit failures", () => {
    expect(deleteFailure(new FirebaseError("functions/unavailable", "x"))).toEqual({
      kind: "error",
      message: "Could not reach Aura to delete your account. Check your connection and try again.",
    });
    expect(deleteFailure(new FirebaseError("functions/resource-exhausted", "x"))).toEqual({
      kind: "error",
      message: "Too many requests. Wait a moment, then try to delete your account again.",
    });
    expect(deleteFailure(new Error("offline"))).toEqual({
      kind: "error",
      message: "Could not delete your account: offline",
    });
  });
});

describe("exportFailureMessage", () => {
  it("passes on the server's sentence", () => {
    const error = new FirebaseError("functions/invalid-argument", "Unexpected field: x [400]");
    expect(exportFailureMessage(error)).toBe("Unexpected field: x");
  });

  it("asks to sign in again when unauthenticated", () => {
    expect(exportFailureMessage(new FirebaseError("functions/unauthenticated", "x"))).toBe(
      "Sign in again to start the export.",
    );
  });
});
