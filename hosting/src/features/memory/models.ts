/**
 * The memory feature's models: a stored memory (`users/{uid}/memories/{id}`) as the page
 * reads it, and the requests and results of `remember`, `recall`, `forget`,
 * `update_memory` and `forget_all_memories` (the server's models, `src/wire/memory`).
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
import type { Recalled } from "../../wire/memory";

export const MEMORY_KINDS = [
  { value: "fact", label: "Fact" },
  { value: "preference", label: "Preference" },
  { value: "person", label: "Person" },
  { value: "plan", label: "Plan" },
  { value: "other", label: "Other" },
] as const satisfies readonly { value: Recalled["kind"]; label: string }[];
export type MemoryKind = Recalled["kind"];
true satisfies Covers<MemoryKind, (typeof MEMORY_KINDS)[number]["value"]>;

/** The most characters a memory may have (MAX_TEXT_CHARS on the server). */
export const MAX_TEXT_CHARS = 500;
/** The most characters a search may have (MAX_QUERY_CHARS on the server). */
export const MAX_QUERY_CHARS = 1000;

export type MemorySource = Recalled["source"];

/** Where a memory learnt from chat came from: the message and the user's exact words. */
export type Provenance = NonNullable<Recalled["provenance"]>;

/** A memory as the page shows it. */
export interface Memory {
  id: string;
  text: string;
  kind: MemoryKind;
  source: MemorySource;
  provenance: Provenance | null;
  /** False once a newer version supersedes it (it is kept, as history). */
  active: boolean;
  supersedes: string | null;
  supersededBy: string | null;
  expiresAt: Date | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  version: number | null;
}

export function toKind(value: unknown): MemoryKind {
  return MEMORY_KINDS.find((kind) => kind.value === value)?.value ?? "fact";
}

export function toProvenance(value: unknown): Provenance | null {
  if (!isRecord(value)) return null;
  const conversationId = stringOrNull(value.conversationId);
  const messageId = stringOrNull(value.messageId);
  if (!conversationId || !messageId) return null;
  return { conversationId, messageId, quote: stringOr(value.quote, "") };
}

/** `users/{uid}/memories/{id}` (the embedding is not read). */
export function toMemory({ id, data }: StoredDoc): Memory {
  return {
    id,
    text: stringOr(data.text, ""),
    kind: toKind(data.kind),
    source: data.source === "chat" ? "chat" : "explicit",
    provenance: toProvenance(data.provenance),
    active: data.active !== false,
    supersedes: stringOrNull(data.supersedes),
    supersededBy: stringOrNull(data.supersededBy),
    expiresAt: dateOrNull(data.expiresAt),
    createdAt: dateOrNull(data.createdAt),
    updatedAt: dateOrNull(data.updatedAt),
    version: typeof data.version === "number" ? numberOr(data.version, 0) : null,
  };
}

// --- Callables: the server's models, generated (src/wire) ----------------------------

export type { Recalled } from "../../wire/memory";
