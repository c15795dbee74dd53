/** The decisions page's pure logic: the reliability chart's data, the form, the figures. */
import { MAX_OPTION_CHARS, MAX_OPTIONS, type ReliabilityBin } from "../models";

/** A point of the reliability chart: mean confidence (x) against observed success (y). */
export interface ReliabilityPoint {
  predicted: number;
  observed: number;
  count: number;
}

/**
 * The bins worth drawing, left to right: those holding decisions, with both values
 * kept to 0..1 (what the axes span).
 */
export function reliabilityPoints(bins: readonly ReliabilityBin[]): ReliabilityPoint[] {
  const clamp = (value: number) => Math.min(Math.max(value, 0), 1);
  return bins
    .filter(
      (bin) => bin.count > 0 && Number.isFinite(bin.predicted) && Number.isFinite(bin.observed),
    )
    .map((bin) => ({
      predicted: clamp(bin.predicted),
      observed: clamp(bin.observed),
      count: bin.count,
    }))
    .sort((a, b) => a.predicted - b.predicted);
}

/** One row of the chart's table: a bin of the calibrated and/or raw series. */
export interface ReliabilityRow {
  series: "Calibrated" | "Raw";
  predicted: number;
  observed: number;
  count: number;
  /** observed − predicted: positive when the confidence was too low. */
  gap: number;
}

/** The chart's data as table rows (its text alternative): calibrated bins, then raw. */
export function reliabilityRows(
  calibrated: readonly ReliabilityBin[],
  raw: readonly ReliabilityBin[],
): ReliabilityRow[] {
  const rows = (series: ReliabilityRow["series"], bins: readonly ReliabilityBin[]) =>
    reliabilityPoints(bins).map((point) => ({
      series,
      ...point,
      gap: point.observed - point.predicted,
    }));
  return [...rows("Calibrated", calibrated), ...rows("Raw", raw)];
}

/** 0.723 → "72%". */
export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** A score (Brier, ECE) to three decimals; "—" when there is none yet. */
export function score(value: number | null): string {
  return value === null ? "—" : value.toFixed(3);
}

/** The options typed one per line: trimmed, blank lines and repeats (in any case) left out. */
export function parseOptions(text: string): { options: string[]; problem: string | null } {
  const options: string[] = [];
  const seen = new Set<string>();
  for (const line of text.split("\n")) {
    const option = line.trim();
    if (option && !seen.has(option.toLowerCase())) {
      options.push(option);
      seen.add(option.toLowerCase());
    }
  }
  if (options.length > MAX_OPTIONS) {
    return { options, problem: `At most ${MAX_OPTIONS} options.` };
  }
  const long = options.find((option) => option.length > MAX_OPTION_CHARS);
  if (long) {
    return { options, problem: `Each option has at most ${MAX_OPTION_CHARS} characters.` };
  }
  return { options, problem: null };
}

/** A category in the form's "kind" box as the server's slug: "Travel plans" → "travel-plans". */
export function kindSlug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
}
