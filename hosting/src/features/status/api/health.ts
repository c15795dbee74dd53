/** The public health report served at /api/health (the `health` function). */

export interface HealthCheck {
  ok: boolean;
  critical?: boolean;
  latencyMs?: number;
  detail?: string;
}

export interface HealthReport {
  status: "ok" | "degraded";
  version: string;
  environment: string;
  checks: Record<string, HealthCheck>;
}

/** Fetch the report; a 503 still carries the JSON body, so only a missing body is an error. */
export async function fetchHealth(signal?: AbortSignal): Promise<HealthReport> {
  const response = await fetch("/api/health", {
    headers: { Accept: "application/json" },
    cache: "no-store",
    signal: signal ?? null,
  });
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new Error(`The health endpoint answered HTTP ${response.status} without a report.`);
  }
  return parseReport(body);
}

function parseReport(body: unknown): HealthReport {
  if (!isRecord(body) || (body.status !== "ok" && body.status !== "degraded")) {
    throw new Error("The health endpoint returned an unexpected report.");
  }
  const checks: Record<string, HealthCheck> = {};
  if (isRecord(body.checks)) {
    for (const [name, raw] of Object.entries(body.checks)) {
      if (!isRecord(raw)) continue;
      const check: HealthCheck = { ok: raw.ok === true };
      if (typeof raw.critical === "boolean") check.critical = raw.critical;
      if (typeof raw.latencyMs === "number") check.latencyMs = raw.latencyMs;
      if (typeof raw.detail === "string") check.detail = raw.detail;
      checks[name] = check;
    }
  }
  return {
    status: body.status,
    version: typeof body.version === "string" ? body.version : "unknown",
    environment: typeof body.environment === "string" ? body.environment : "unknown",
    checks,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
