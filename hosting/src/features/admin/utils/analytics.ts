/** Pure helpers of the analytics page: the range check and the chart series. */
import type { DayUsagePublic } from "../../../wire/analytics";

/** The server's limit (shared/platform/analytics.py MAX_RANGE_DAYS). */
export const MAX_RANGE_DAYS = 92;
/** Functions drawn one by one in the calls chart; the rest are summed as "other". */
export const TOP_FUNCTIONS = 6;
export const OTHER = "other";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` of a Date in UTC. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The default range: the last `days` UTC days, today included. */
export function lastDays(days: number, now: Date = new Date()): { from: string; to: string } {
  const start = new Date(now.getTime() - (days - 1) * 86_400_000);
  return { from: utcDay(start), to: utcDay(now) };
}

function parseDay(value: string): number | null {
  if (!DAY.test(value)) return null;
  const time = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(time) || utcDay(new Date(time)) !== value) return null;
  return time;
}

export type RangeCheck =
  | { ok: true; request: { from: string; to: string } }
  | { ok: false; field: "from" | "to"; message: string };

/** The request for `from`..`to`, or which field is wrong (the server checks the same). */
export function analyticsRequest(from: string, to: string): RangeCheck {
  const start = parseDay(from);
  if (start === null) return { ok: false, field: "from", message: "Choose a start day." };
  const end = parseDay(to);
  if (end === null) return { ok: false, field: "to", message: "Choose an end day." };
  if (end < start) return { ok: false, field: "to", message: "The end is before the start." };
  const days = (end - start) / 86_400_000 + 1;
  if (days > MAX_RANGE_DAYS) {
    return {
      ok: false,
      field: "to",
      message: `At most ${MAX_RANGE_DAYS} days at a time.`,
    };
  }
  return { ok: true, request: { from, to } };
}

function sumBy(
  days: readonly DayUsagePublic[],
  pick: (d: DayUsagePublic) => Record<string, number>,
) {
  const totals = new Map<string, number>();
  for (const day of days) {
    for (const [key, value] of Object.entries(pick(day))) {
      totals.set(key, (totals.get(key) ?? 0) + value);
    }
  }
  return totals;
}

/** The `n` functions with the most calls over the range, most first (ties by name). */
export function topFunctions(days: readonly DayUsagePublic[], n: number = TOP_FUNCTIONS): string[] {
  return [...sumBy(days, (d) => d.calls).entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([name]) => name);
}

export type SeriesRow = { day: string } & Record<string, number | string>;

/** Calls per day, one key per top function and `other` for the rest (0 when none). */
export function callsSeries(
  days: readonly DayUsagePublic[],
  top: readonly string[],
): { keys: string[]; rows: SeriesRow[] } {
  const hasOther = days.some((d) => Object.keys(d.calls).some((name) => !top.includes(name)));
  const keys = hasOther ? [...top, OTHER] : [...top];
  const rows = days.map((d) => {
    const row: SeriesRow = { day: d.day };
    for (const key of keys) row[key] = 0;
    for (const [name, count] of Object.entries(d.calls)) {
      const key = top.includes(name) ? name : OTHER;
      row[key] = (row[key] as number) + count;
    }
    return row;
  });
  return { keys, rows };
}

/** The label of one provider's model. */
export function modelLabel(provider: string, model: string): string {
  return `${provider} / ${model}`;
}

/** AI cost (USD) per day, one key per provider/model seen in the range. */
export function costSeries(days: readonly DayUsagePublic[]): {
  keys: string[];
  rows: SeriesRow[];
} {
  const keys = [
    ...new Set(days.flatMap((d) => d.ai.map((a) => modelLabel(a.provider, a.model)))),
  ].sort();
  const rows = days.map((d) => {
    const row: SeriesRow = { day: d.day };
    for (const key of keys) row[key] = 0;
    for (const a of d.ai) {
      const key = modelLabel(a.provider, a.model);
      row[key] = (row[key] as number) + a.costUsd;
    }
    return row;
  });
  return { keys, rows };
}

/** Active users per day. */
export function activeSeries(days: readonly DayUsagePublic[]): SeriesRow[] {
  return days.map((d) => ({ day: d.day, activeUsers: d.activeUsers }));
}

/** Totals of one day for the table: calls, errors, AI requests, tokens, cost, events. */
export function dayTotals(day: DayUsagePublic) {
  const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
  return {
    calls: sum(day.calls),
    errors: sum(day.errors),
    aiRequests: day.ai.reduce((a, b) => a + b.requests, 0),
    tokens: day.ai.reduce((a, b) => a + b.inputTokens + b.outputTokens, 0),
    costUsd: day.ai.reduce((a, b) => a + b.costUsd, 0),
    events: sum(day.events),
    activeUsers: day.activeUsers,
  };
}

/** A cost in US dollars, to the cent (to the tenth of a cent under a dollar). */
export function formatUsd(value: number): string {
  return `$${value.toFixed(value < 1 ? 3 : 2)}`;
}
