import { useState } from "react";
import { ErrorMessage, LoadError } from "../../../components/Status";
import { exportMyData, useLatestExport } from "../api/privacy";
import type { ExportJob } from "../models";
import {
  expiryText,
  exportFailureMessage,
  isLive,
  progressText,
  shownStatus,
  sizeText,
  statusLabel,
} from "../utils/privacy";

/** The export just asked for, until its document's first snapshot arrives. */
function pendingJob(exportId: string): ExportJob {
  return {
    id: exportId,
    status: "queued",
    progress: { documents: 0, collections: 0, currentCollection: null },
    counts: {},
    sizeBytes: null,
    downloadUrl: null,
    expiresAt: null,
    error: null,
    createdAt: null,
    finishedAt: null,
  };
}

/**
 * "Export my data": starts `export_my_data`, then follows the latest export live:
 * queued and running with progress, done with the download link and its expiry, failed
 * with the reason, expired. The status line is a polite live region.
 */
export function ExportCard({ uid, zone }: { uid: string | undefined; zone: string }) {
  const latest = useLatestExport(uid);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [startedId, setStartedId] = useState<string | null>(null);

  // The export asked for shows at once, before its document reaches the listener.
  const job =
    startedId && latest.data?.id !== startedId ? pendingJob(startedId) : (latest.data ?? null);
  const now = new Date();
  const status = job ? shownStatus(job, now) : null;
  const live = status !== null && isLive(status);

  async function start() {
    setStarting(true);
    setStartError(null);
    try {
      const result = await exportMyData({});
      setStartedId(result.exportId);
    } catch (err) {
      setStartError(exportFailureMessage(err));
    } finally {
      setStarting(false);
    }
  }

  return (
    <section className="card stack privacy-export" aria-labelledby="privacy-export-title">
      <h2 id="privacy-export-title">Export my data</h2>
      <p>
        Download a copy of everything Aura keeps about you: your profile, chats, automations
        and their runs, tasks, calendar, notifications, memories, decisions, generations and
        usage, with the audit entries about you. It is one compressed JSON file
        (<code>.json.gz</code>); the link works for 24 hours.
      </p>
      <div className="row">
        <button
          type="button"
          disabled={starting || live || uid === undefined}
          onClick={() => void start()}
        >
          {starting ? "Starting…" : "Export my data"}
        </button>
      </div>
      {startError && <ErrorMessage testId="export-error">{startError}</ErrorMessage>}
      <LoadError what="your exports" error={latest.error} />
      <div
        className="export-status stack"
        role="status"
        aria-live="polite"
        data-testid="export-status"
        data-status={status ?? "none"}
      >
        {job && status && (
          <>
            <p className="export-status-label">
              <strong>{statusLabel(status)}</strong>
            </p>
            {live && (
              <>
                <progress className="export-progress" aria-label="Export progress" />
                <p data-testid="export-progress">{progressText(status, job.progress)}</p>
              </>
            )}
            {status === "done" && (
              <>
                <p>
                  {progressText(status, job.progress)}
                  {job.sizeBytes !== null && `, ${sizeText(job.sizeBytes)}`}.
                </p>
                {job.downloadUrl && (
                  <p>
                    <a href={job.downloadUrl} rel="noopener" data-testid="export-download">
                      Download your data
                    </a>
                  </p>
                )}
                {job.expiresAt && (
                  <p className="muted" data-testid="export-expires">
                    {expiryText(job.expiresAt, now, zone)}
                  </p>
                )}
              </>
            )}
            {status === "failed" && (
              <p className="error" data-testid="export-failed">
                {job.error ?? "Something went wrong while writing the archive."} Try again.
              </p>
            )}
            {status === "expired" && (
              <p className="muted" data-testid="export-expired">
                The download link has expired and the file was deleted. Export again for a new
                one.
              </p>
            )}
          </>
        )}
      </div>
    </section>
  );
}
