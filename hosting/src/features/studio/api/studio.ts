/**
 * Studio: a generation kept live by a Firestore listener (status, progress, the streamed
 * draft, validation) and its files (the `files` subcollection), and the callables
 * `generate`, `cancel_generation`, `delete_generation` and `list_generations`.
 */
import { useLive, type LiveState } from "../../../hooks/useLive";
import { callable } from "../../../lib/firebase/callables";
import { watchGeneration, watchGenerationFiles } from "../../../lib/firebase/documents";
import { toGeneratedFile, toGeneration, type GeneratedFile, type Generation } from "../models";

/** One generation, live; null when it does not exist (or was deleted). */
export function useGeneration(
  uid: string | undefined,
  generationId: string | null,
): LiveState<Generation | null> {
  return useLive(
    uid && generationId ? `${uid}/${generationId}` : null,
    (onData, onError) =>
      watchGeneration(uid ?? "", generationId ?? "", toGeneration, onData, onError),
    "the generation",
  );
}

/**
 * A generation's files with their contents, live. `key` names what to watch: the
 * generation's id and its file index, so a new set of files restarts the listener.
 */
export function useGenerationFiles(
  uid: string | undefined,
  generationId: string | null,
  watch: boolean,
): LiveState<GeneratedFile[]> {
  return useLive(
    uid && generationId && watch ? `${uid}/${generationId}/files` : null,
    (onData, onError) =>
      watchGenerationFiles(uid ?? "", generationId ?? "", toGeneratedFile, onData, onError),
    "the generated files",
  );
}

/**
 * Start a generation: `{generationId}` at once; the work runs as a task and streams into
 * the generation's document. The same `requestId` answers the same generation.
 */
export const generate = callable("generate");
/** Stop a running generation (`{cancelled: false}` when it had already finished). */
export const cancelGeneration = callable("cancel_generation");
/** Delete a generation and its files (a running one is cancelled first). */
export const deleteGeneration = callable("delete_generation");
/** The user's generations, newest first, a page at a time (`cursor`), by type. */
export const listGenerations = callable("list_generations");
