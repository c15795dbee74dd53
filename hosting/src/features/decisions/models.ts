/**
 * The decisions feature's models: a decision (`users/{uid}/decisions/{did}`), the user's
 * calibration stats (`users/{uid}/decisionStats/current`), and the requests and results
 * of `decide` and `record_outcome` (the server's models, `src/wire/decisions`).
 */
import {
  dateOrNull,
  isRecord,
  numberOr,
  stringOr,
  stringOrNull,
} from "../../lib/firebase/fields";
import type { StoredDoc } from "../../lib/firebase/watch";
import type { Covers } from "../../types/check";
import type { DecisionResult, RecordOutcome } from "../../wire/decisions";

export const MAX_QUESTION_CHARS = 2000;
export const MAX_CONTEXT_CHARS = 8000;
export const MAX_OPTIONS = 10;
export const MAX_OPTION_CHARS = 100;
export const MAX_NOTES_CHARS = 2000;

export const OUTCOMES = [
  { value: "success", label: "Success" },
  { value: "partial", label: "Partial" },
  { value: "failure", label: "Failure" },
] as const satisfies readonly { value: RecordOutcome["outcome"]; label: string }[];
export type OutcomeValue = RecordOutcome["outcome"];
true satisfies Covers<OutcomeValue, (typeof OUTCOMES)[number]["value"]>;

export type RiskLevel = DecisionResult["risk"]["level"];
export const RISK_LEVELS = ["low", "medium", "high"] as const satisfies readonly RiskLevel[];
true satisfies Covers<RiskLevel, (typeof RISK_LEVELS)[number]>;

export interface Alternative {
  action: string;
  /** Calibrated, 0..1. */
  confidence: number;
  /** As the model stated it, 0..1. */
  rawConfidence: number;
}

export interface Risk {
  level: RiskLevel;
  factors: string[];
}

export interface Outcome {
  value: OutcomeValue;
  notes: string | null;
  recordedAt: Date | null;
  /** How many times it was replaced. */
  replaced: number;
}

export type CalibrationScope = DecisionResult["calibration"]["scope"];

/** A decision as the page shows it. */
export interface Decision {
  id: string;
  question: string;
  context: string | null;
  options: string[];
  kind: string;
  action: string;
  confidence: number;
  rawConfidence: number;
  reasoning: string;
  alternatives: Alternative[];
  risk: Risk;
  ask: boolean;
  threshold: number | null;
  calibration: { scope: CalibrationScope; count: number };
  memoryIds: string[];
  exampleIds: string[];
  outcome: Outcome | null;
  /** Set when a workflow's decision node asked. */
  origin: { workflowId: string; executionId: string; nodeId: string } | null;
  createdAt: Date | null;
}

/** One bin of a reliability diagram: mean predicted confidence and observed success. */
export interface ReliabilityBin {
  bin: number;
  predicted: number;
  observed: number;
  count: number;
}

/** `users/{uid}/decisionStats/current`. */
export interface DecisionStats {
  /** Decisions with a recorded outcome. */
  count: number;
  byKind: Record<string, number>;
  brier: number | null;
  ece: number | null;
  brierRaw: number | null;
  eceRaw: number | null;
  reliability: { calibrated: ReliabilityBin[]; raw: ReliabilityBin[] };
  updatedAt: Date | null;
}

function probability(value: unknown): number {
  return Math.min(Math.max(numberOr(value, 0), 0), 1);
}

function probabilityOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === "string")
    : [];
}

function toAlternative(value: unknown): Alternative[] {
  if (!isRecord(value) || typeof value.action !== "string") return [];
  return [
    {
      action: value.action,
      confidence: probability(value.confidence),
      rawConfidence: probability(value.rawConfidence),
    },
  ];
}

function toOutcome(value: unknown): Outcome | null {
  if (!isRecord(value)) return null;
  const outcome = OUTCOMES.find((item) => item.value === value.value)?.value;
  if (!outcome) return null;
  return {
    value: outcome,
    notes: stringOrNull(value.notes),
    recordedAt: dateOrNull(value.recordedAt),
    replaced: numberOr(value.replaced, 0),
  };
}

/** `users/{uid}/decisions/{did}` (the embedding is not read). */
export function toDecision({ id, data }: StoredDoc): Decision {
  const risk: Record<string, unknown> = isRecord(data.risk) ? data.risk : {};
  const calibration: Record<string, unknown> = isRecord(data.calibration) ? data.calibration : {};
  const origin = isRecord(data.origin) ? data.origin : null;
  return {
    id,
    question: stringOr(data.question, ""),
    context: stringOrNull(data.context),
    options: strings(data.options),
    kind: stringOr(data.kind, "general"),
    action: stringOr(data.action, ""),
    confidence: probability(data.confidence),
    rawConfidence: probability(data.rawConfidence),
    reasoning: stringOr(data.reasoning, ""),
    alternatives: Array.isArray(data.alternatives) ? data.alternatives.flatMap(toAlternative) : [],
    risk: {
      level: RISK_LEVELS.find((level) => level === risk.level) ?? "medium",
      factors: strings(risk.factors),
    },
    ask: data.ask === true,
    threshold: probabilityOrNull(data.threshold),
    calibration: {
      scope:
        calibration.scope === "kind" || calibration.scope === "global" ? calibration.scope : "none",
      count: numberOr(calibration.count, 0),
    },
    memoryIds: strings(data.memoryIds),
    exampleIds: strings(data.exampleIds),
    outcome: data.hasOutcome === false ? null : toOutcome(data.outcome),
    origin: origin
      ? {
          workflowId: stringOr(origin.workflowId, ""),
          executionId: stringOr(origin.executionId, ""),
          nodeId: stringOr(origin.nodeId, ""),
        }
      : null,
    createdAt: dateOrNull(data.createdAt),
  };
}

/** A list of bins; an item that is not one is left out. */
export function toBins(value: unknown): ReliabilityBin[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index) => {
    if (!isRecord(item)) return [];
    const predicted = probabilityOrNull(item.predicted);
    const observed = probabilityOrNull(item.observed);
    if (predicted === null || observed === null) return [];
    return [
      {
        bin: numberOr(item.bin, index),
        predicted,
        observed,
        count: numberOr(item.count, 0),
      },
    ];
  });
}

/** `users/{uid}/decisionStats/current`. */
export function toDecisionStats({ data }: StoredDoc): DecisionStats {
  const reliability: Record<string, unknown> = isRecord(data.reliability) ? data.reliability : {};
  const byKind: Record<string, number> = {};
  if (isRecord(data.byKind)) {
    for (const [kind, count] of Object.entries(data.byKind)) {
      if (typeof count === "number") byKind[kind] = count;
    }
  }
  return {
    count: numberOr(data.count, 0),
    byKind,
    brier: probabilityOrNull(data.brier),
    ece: probabilityOrNull(data.ece),
    brierRaw: probabilityOrNull(data.brierRaw),
    eceRaw: probabilityOrNull(data.eceRaw),
    reliability: { calibrated: toBins(reliability.calibrated), raw: toBins(reliability.raw) },
    updatedAt: dateOrNull(data.updatedAt),
  };
}

// --- Callables: the server's models, generated (src/wire) ----------------------------

export type { DecisionResult };
