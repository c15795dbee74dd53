/**
 * Decisions: the live history and calibration stats, the user's settings (the profile),
 * and the callables `decide`, `record_outcome` and `update_settings`
 * (`{decisions: {askThreshold}}`).
 */
import { useLive, type LiveState } from "../../../hooks/useLive";
import { callable } from "../../../lib/firebase/callables";
import { watchDecisions, watchDecisionStats, watchProfile } from "../../../lib/firebase/documents";
import type { Profile } from "../../../types/accounts";
import {
  toDecision,
  toDecisionStats,
  type Decision,
  type DecisionStats,
} from "../models";

/** The user's most recent decisions, newest first. */
export function useDecisions(uid: string | undefined): LiveState<Decision[]> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchDecisions(uid ?? "", toDecision, onData, onError),
    "your decisions",
  );
}

/** The calibration stats; null until the first outcome is recorded. */
export function useDecisionStats(uid: string | undefined): LiveState<DecisionStats | null> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchDecisionStats(uid ?? "", toDecisionStats, onData, onError),
    "your decision stats",
  );
}

/** The user's profile (for `settings.decisions.askThreshold`); null until it exists. */
export function useProfile(uid: string | undefined): LiveState<Profile | null> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchProfile(uid ?? "", onData, onError),
    "your settings",
  );
}

/**
 * Ask for a decision: an action with its calibrated confidence, reasoning, alternatives
 * and risk; `ask` when the confidence is below the user's threshold. The same
 * `requestId` answers the same decision.
 */
export const decide = callable("decide");
/**
 * Record how a decision turned out; a different outcome than the one recorded needs
 * `replace: true` (else `failed-precondition`, reason "outcome-recorded").
 */
export const recordOutcome = callable("record_outcome");
/** Change settings; here `{decisions: {askThreshold}}`. */
export const updateSettings = callable("update_settings");
