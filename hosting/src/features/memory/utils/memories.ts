/** The memory page's pure logic: chains of versions, expiry, relevance, links to chat. */
import type { Memory, Provenance } from "../models";

/** An active memory with the versions it replaced (newest first): one row of the list. */
export interface MemoryChain {
  current: Memory;
  earlier: Memory[];
  /** Past its `expiresAt`: never recalled any more, listed as expired. */
  expired: boolean;
}

export function isExpired(memory: Memory, now: Date): boolean {
  return memory.expiresAt !== null && memory.expiresAt.getTime() <= now.getTime();
}

/**
 * The active memories, each with its earlier versions (followed back through
 * `supersedes`), in the order given. A version whose newer one is missing from the list
 * (read beyond the limit) is left out.
 */
export function memoryChains(memories: readonly Memory[], now: Date): MemoryChain[] {
  const byId = new Map(memories.map((memory) => [memory.id, memory]));
  return memories
    .filter((memory) => memory.active)
    .map((current) => {
      const earlier: Memory[] = [];
      const seen = new Set([current.id]);
      let previous = current.supersedes ? byId.get(current.supersedes) : undefined;
      while (previous && !seen.has(previous.id)) {
        earlier.push(previous);
        seen.add(previous.id);
        previous = previous.supersedes ? byId.get(previous.supersedes) : undefined;
      }
      return { current, earlier, expired: isExpired(current, now) };
    });
}

/** A cosine distance (0 identical .. 2 opposite) as a relevance from 0 to 100 (%). */
export function relevance(distance: number): number {
  if (!Number.isFinite(distance)) return 0;
  return Math.round(Math.min(Math.max(1 - distance, 0), 1) * 100);
}

/** The chat message a memory was learnt from: `/chat/{conversationId}#{messageId}`. */
export function messageLink(provenance: Provenance): string {
  return `/chat/${encodeURIComponent(provenance.conversationId)}#${encodeURIComponent(
    provenance.messageId,
  )}`;
}

/** "3 memories", "1 memory". */
export function countText(count: number): string {
  return `${count} ${count === 1 ? "memory" : "memories"}`;
}
