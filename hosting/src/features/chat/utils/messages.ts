import type { Usage } from "../../../types/chat";

/** The id of the reply the server writes for the user message `messageId`. */
export function replyIdFor(messageId: string): string {
  return `a_${messageId}`;
}

/** "120 tokens · $0.000450": the tokens in and out, and the cost in US dollars. */
export function formatUsage(usage: Usage): string {
  const tokens = usage.inputTokens + usage.outputTokens;
  const unit = tokens === 1 ? "token" : "tokens";
  return `${tokens.toLocaleString("en-US")} ${unit} · $${usage.costUsd.toFixed(6)}`;
}

/** "Used 1 memory", "Used 3 memories": a reply's memories, as its toggle says. */
export function usedMemoriesText(count: number): string {
  return `Used ${count} ${count === 1 ? "memory" : "memories"}`;
}
