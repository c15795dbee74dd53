/**
 * Memory: the live list of the user's memories, their settings (the profile), and the
 * callables `remember`, `recall`, `forget`, `update_memory`, `forget_all_memories` and
 * `update_settings` (`{memory: {autoExtract}}`).
 */
import { useLive, type LiveState } from "../../../hooks/useLive";
import { callable } from "../../../lib/firebase/callables";
import { watchMemories, watchProfile } from "../../../lib/firebase/documents";
import type { Profile } from "../../../types/accounts";
import { toMemory, type Memory } from "../models";

/** The user's memories, active and superseded, newest first (uid undefined: not yet). */
export function useMemories(uid: string | undefined): LiveState<Memory[]> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchMemories(uid ?? "", toMemory, onData, onError),
    "your memories",
  );
}

/** The user's profile (for `settings.memory.autoExtract`); null until it exists. */
export function useProfile(uid: string | undefined): LiveState<Profile | null> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchProfile(uid ?? "", onData, onError),
    "your settings",
  );
}

/** Keep a fact; `created: false` when the same text is already remembered. */
export const remember = callable("remember");
/** The memories nearest in meaning to `query`, nearest first, each with its distance. */
export const recall = callable("recall");
/** Delete a memory and its earlier versions. */
export const forget = callable("forget");
/**
 * Correct a memory: the new text becomes a new memory; the old one is kept as history.
 * A stale `expectedVersion` is `failed-precondition`.
 */
export const updateMemory = callable("update_memory");
/** Delete every memory of the user (`{confirm: true}`). */
export const forgetAllMemories = callable("forget_all_memories");
/** Change settings; here `{memory: {autoExtract}}`. */
export const updateSettings = callable("update_settings");
