import type { ExecutionStatus } from "../../../types/executions";

/** Which controls an execution in `status` accepts. */
export function executionActions(status: ExecutionStatus): {
  pause: boolean;
  resume: boolean;
  cancel: boolean;
  retry: boolean;
} {
  return {
    pause: status === "queued" || status === "running",
    resume: status === "paused",
    cancel: status === "queued" || status === "running" || status === "paused",
    retry: status === "failed",
  };
}

/** "850 ms", "12.4 s", "3 min 05 s", "2 h 01 min"; null without both ends. */
export function formatDuration(start: Date | null, end: Date | null): string | null {
  if (!start || !end) return null;
  const ms = Math.max(0, end.getTime() - start.getTime());
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
  }
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
