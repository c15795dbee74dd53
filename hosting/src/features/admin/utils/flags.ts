/**
 * The flags editor's pure parts: a draft from a flag, the request from a draft (checked
 * the way the server checks it, so most mistakes show before a round trip), and labels.
 * The server's limits (`shared/platform/flags.py`) are repeated here for those checks;
 * the server stays the judge.
 */
import type { FlagPublic, FlagReach, SetFlag } from "../../../wire/flags";

export const KEY_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const MAX_TARGET_UIDS = 500;
export const MAX_DESCRIPTION_CHARS = 500;
export const UID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const PLANS = ["free", "pro"] as const;
export type Plan = (typeof PLANS)[number];

/** What the form edits: every field as the inputs hold it. */
export interface FlagDraft {
  key: string;
  enabled: boolean;
  rolloutPercent: string;
  targetPlans: Plan[];
  targetUids: string;
  description: string;
  /** The version edited (0: a flag that is not stored yet). */
  version: number;
  isNew: boolean;
}

export function newDraft(): FlagDraft {
  return {
    key: "",
    enabled: false,
    rolloutPercent: "0",
    targetPlans: [],
    targetUids: "",
    description: "",
    version: 0,
    isNew: true,
  };
}

export function draftOf(flag: FlagPublic): FlagDraft {
  return {
    key: flag.key,
    enabled: flag.enabled,
    rolloutPercent: String(flag.rolloutPercent),
    targetPlans: [...flag.targetPlans],
    targetUids: flag.targetUids.join("\n"),
    description: flag.description,
    version: flag.version,
    isNew: false,
  };
}

/** The uids in a text box: split on commas and white space, empty parts and repeats dropped. */
export function parseUids(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((part) => part !== ""))];
}

export type DraftCheck =
  | { ok: true; request: SetFlag }
  | { ok: false; field: keyof SetFlag; message: string };

/** The `set_flag` request for a draft, or the first field the server would refuse. */
export function toRequest(draft: FlagDraft): DraftCheck {
  const key = draft.key.trim();
  if (!KEY_PATTERN.test(key)) {
    return {
      ok: false,
      field: "key",
      message: "Use 1 to 40 lower-case letters, digits and hyphens, not starting or ending with a hyphen.",
    };
  }
  const percentText = draft.rolloutPercent.trim();
  const percent = Number(percentText);
  if (percentText === "" || !Number.isInteger(percent) || percent < 0 || percent > 100) {
    return { ok: false, field: "rolloutPercent", message: "Enter a whole number from 0 to 100." };
  }
  const uids = parseUids(draft.targetUids);
  if (uids.length > MAX_TARGET_UIDS) {
    return { ok: false, field: "targetUids", message: `At most ${MAX_TARGET_UIDS} uids.` };
  }
  const badUid = uids.find((uid) => !UID_PATTERN.test(uid));
  if (badUid !== undefined) {
    return { ok: false, field: "targetUids", message: `"${badUid}" is not a uid.` };
  }
  const description = draft.description.trim();
  if (description.length > MAX_DESCRIPTION_CHARS) {
    return {
      ok: false,
      field: "description",
      message: `At most ${MAX_DESCRIPTION_CHARS} characters.`,
    };
  }
  return {
    ok: true,
    request: {
      key,
      enabled: draft.enabled,
      rolloutPercent: percent,
      targetUids: uids,
      targetPlans: PLANS.filter((plan) => draft.targetPlans.includes(plan)),
      description,
      expectedVersion: draft.version,
    },
  };
}

/** "12 of 61 users", with "at least" when the scan stopped at its cap. */
export function reachLabel(reach: number, scanned: number, capped: boolean): string {
  const users = scanned === 1 ? "user" : "users";
  return capped ? `at least ${reach} of the first ${scanned} ${users}` : `${reach} of ${scanned} ${users}`;
}

/** How a flag is targeted, in a few words. */
export function targetingLabel(flag: FlagReach): string {
  if (!flag.stored) return `default: ${flag.defaultValue ? "on for everyone" : "off"}`;
  if (!flag.enabled) return "off for everyone";
  const parts = [`${flag.rolloutPercent}%`];
  if (flag.targetPlans.length > 0) parts.push(`plans: ${flag.targetPlans.join(", ")}`);
  if (flag.targetUids.length > 0) {
    parts.push(`${flag.targetUids.length} ${flag.targetUids.length === 1 ? "user" : "users"} by uid`);
  }
  return parts.join(" · ");
}
