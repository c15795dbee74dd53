/**
 * The quick-add queue, pure: what a line typed offline becomes, how the queue is read
 * back from storage (anything malformed is dropped), bounded, and drained in order once
 * the network returns. `quick_add` is a callable, which the Firestore SDK cannot queue,
 * so the app keeps the lines itself (`./quickAddQueue` stores them in localStorage).
 *
 * Each line keeps the id it was queued with and is sent with it as `requestId`: the
 * server stores a request id once, so a line sent twice (two tabs, a retry after a lost
 * answer) is still one task. No DOM, no SDK: unit-tested in Node.
 */

/** At most this many lines wait: a bound on storage and on the burst sent on reconnect. */
export const MAX_QUEUED = 20;
/** A queued line is what the quick-add bar accepts (its `maxLength`). */
export const MAX_QUEUED_CHARS = 500;

export interface QueuedQuickAdd {
  /** Sent as `requestId`: the server saves one task per id. */
  id: string;
  text: string;
  /** The IANA zone the line is read in, as when it was typed. */
  timezone: string;
  /** When it was queued (ms since the epoch). */
  queuedAt: number;
}

export type EnqueueResult =
  | { ok: true; queue: QueuedQuickAdd[] }
  | { ok: false; reason: "full" | "empty" | "too-long" };

/** What sending one line came to. */
export type SendOutcome =
  | { kind: "sent"; summary: string }
  /** The server answered but saved nothing (a question, a refusal): the line is dropped. */
  | { kind: "failed"; message: string }
  /** No answer (offline, a rate limit): the line stays, and the rest wait behind it. */
  | { kind: "retry" };

export interface Drained {
  item: QueuedQuickAdd;
  outcome: Exclude<SendOutcome, { kind: "retry" }>;
}

function isQueued(value: unknown): value is QueuedQuickAdd {
  if (typeof value !== "object" || value === null) return false;
  const item = value as Record<string, unknown>;
  return (
    typeof item.id === "string" &&
    item.id.length > 0 &&
    item.id.length <= 64 &&
    typeof item.text === "string" &&
    item.text.trim().length > 0 &&
    item.text.length <= MAX_QUEUED_CHARS &&
    typeof item.timezone === "string" &&
    item.timezone.length <= 64 &&
    typeof item.queuedAt === "number" &&
    Number.isFinite(item.queuedAt)
  );
}

/** The queue as stored (JSON text, or null); malformed items and duplicates are dropped. */
export function parseQueue(raw: string | null): QueuedQuickAdd[] {
  if (raw === null) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const seen = new Set<string>();
  const queue: QueuedQuickAdd[] = [];
  for (const item of value) {
    if (!isQueued(item) || seen.has(item.id)) continue;
    seen.add(item.id);
    queue.push({ id: item.id, text: item.text, timezone: item.timezone, queuedAt: item.queuedAt });
    if (queue.length === MAX_QUEUED) break;
  }
  return queue;
}

/** The queue with `item` at its end; refused when full, empty or too long. */
export function enqueue(queue: readonly QueuedQuickAdd[], item: QueuedQuickAdd): EnqueueResult {
  const text = item.text.trim();
  if (text === "") return { ok: false, reason: "empty" };
  if (text.length > MAX_QUEUED_CHARS) return { ok: false, reason: "too-long" };
  if (queue.some((queued) => queued.id === item.id)) return { ok: true, queue: [...queue] };
  if (queue.length >= MAX_QUEUED) return { ok: false, reason: "full" };
  return { ok: true, queue: [...queue, { ...item, text }] };
}

/** The queue without the line `id`. */
export function without(queue: readonly QueuedQuickAdd[], id: string): QueuedQuickAdd[] {
  return queue.filter((item) => item.id !== id);
}

/** Where a queue lives between sends: read fresh before each line (another tab may act). */
export interface QueueStore {
  read(): QueuedQuickAdd[];
  write(queue: QueuedQuickAdd[]): void;
}

/**
 * Send the queued lines oldest first, each removed once the server has answered; stops at
 * the first line with no answer (it and those behind it wait for the next drain). A line
 * another tab removed meanwhile is not sent. Returns what was answered, in order.
 */
export async function drainQueue(
  store: QueueStore,
  send: (item: QueuedQuickAdd) => Promise<SendOutcome>,
): Promise<Drained[]> {
  const done: Drained[] = [];
  const attempted = new Set<string>();
  for (;;) {
    const next = store.read().find((item) => !attempted.has(item.id));
    if (!next) return done;
    attempted.add(next.id);
    const outcome = await send(next);
    if (outcome.kind === "retry") return done;
    store.write(without(store.read(), next.id));
    done.push({ item: next, outcome });
  }
}

/** Whether a callable failure means "no answer yet, try again later" (by its code). */
export function isRetryable(code: string, online: boolean): boolean {
  if (["unavailable", "deadline-exceeded", "resource-exhausted", "unauthenticated"].includes(code)) {
    return true;
  }
  // The SDK reports a request that never reached the server as `internal`.
  return !online && (code === "internal" || code === "unknown");
}
