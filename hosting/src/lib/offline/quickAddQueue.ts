/**
 * The quick-add queue in the browser: lines typed offline, kept per user in localStorage
 * (bounded, `./queue`), shown as "Queued — will send when online", and sent to
 * `quick_add` when the network returns (`./sync`, mounted once by the app).
 *
 * Two tabs never both send a line: a drain holds the Web Lock `aura-quick-add` (another
 * tab's drain waits for it), re-reads the queue before each line, and sends each line
 * with its queued id as `requestId`, which the server stores once anyway.
 */
import { useCallback, useSyncExternalStore } from "react";
import { callable } from "../firebase/callables";
import { callableFailure } from "../firebase/errors";
import { isOnline } from "./network";
import {
  drainQueue,
  enqueue,
  isRetryable,
  parseQueue,
  without,
  type Drained,
  type EnqueueResult,
  type QueuedQuickAdd,
  type QueueStore,
  type SendOutcome,
} from "./queue";

export { MAX_QUEUED, type QueuedQuickAdd } from "./queue";

const LOCK = "aura-quick-add";
const quickAdd = callable("quick_add");

const keyFor = (uid: string) => `aura.quickAddQueue.${uid}`;

// Same-tab subscribers (the storage event tells only the other tabs), and the answers to
// lines sent from the queue, for the quick-add bar to show.
const listeners = new Set<() => void>();
let answers: readonly Drained[] = [];
const cache = new Map<string, { raw: string | null; queue: QueuedQuickAdd[] }>();

function notify(): void {
  for (const listener of listeners) listener();
}

function storeFor(uid: string): QueueStore {
  const key = keyFor(uid);
  return {
    read() {
      let raw: string | null = null;
      try {
        raw = localStorage.getItem(key);
      } catch {
        raw = null;
      }
      // The same array while the text is the same, as useSyncExternalStore requires.
      const known = cache.get(key);
      if (known && known.raw === raw) return known.queue;
      const queue = parseQueue(raw);
      cache.set(key, { raw, queue });
      return queue;
    },
    write(queue) {
      try {
        if (queue.length === 0) localStorage.removeItem(key);
        else localStorage.setItem(key, JSON.stringify(queue));
      } finally {
        notify();
      }
    },
  };
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  const onStorage = (event: StorageEvent) => {
    if (event.key === null || event.key.startsWith("aura.quickAddQueue.")) onChange();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(onChange);
    window.removeEventListener("storage", onStorage);
  };
}

/** Queue a line for `uid` (read in `timezone`); refused when full or empty. */
export function queueQuickAdd(uid: string, text: string, timezone: string): EnqueueResult {
  const store = storeFor(uid);
  const result = enqueue(store.read(), {
    id: crypto.randomUUID(),
    text,
    timezone,
    queuedAt: Date.now(),
  });
  if (result.ok) store.write(result.queue);
  return result;
}

/** Take a queued line back (before it was sent). */
export function unqueueQuickAdd(uid: string, id: string): void {
  const store = storeFor(uid);
  store.write(without(store.read(), id));
}

async function send(item: QueuedQuickAdd): Promise<SendOutcome> {
  try {
    const result = await quickAdd({
      text: item.text,
      save: true,
      timezone: item.timezone,
      requestId: item.id,
    });
    return result.saved
      ? { kind: "sent", summary: result.interpretation.summary }
      : { kind: "failed", message: result.question ?? result.interpretation.summary };
  } catch (err) {
    const failure = callableFailure(err);
    return isRetryable(failure.code, isOnline())
      ? { kind: "retry" }
      : { kind: "failed", message: failure.message };
  }
}

/**
 * Send `uid`'s queued lines now. Drains are serialised across tabs by the lock: a tab that
 * waited for it re-reads the queue and finds only what the other tab could not send.
 */
export async function drainQuickAdds(uid: string): Promise<void> {
  const store = storeFor(uid);
  if (store.read().length === 0 || !isOnline()) return;
  const run = async () => {
    const done = await drainQueue(store, send);
    if (done.length > 0) {
      answers = [...answers, ...done].slice(-5);
      notify();
    }
  };
  if (typeof navigator !== "undefined" && "locks" in navigator && navigator.locks) {
    await navigator.locks.request(LOCK, run);
  } else {
    await run();
  }
}

export interface QuickAddQueue {
  /** The lines waiting, oldest first. */
  queued: readonly QueuedQuickAdd[];
  /** The last lines sent from the queue, with what the server made of them. */
  answers: readonly Drained[];
  add(text: string, timezone: string): EnqueueResult;
  remove(id: string): void;
}

const EMPTY: readonly QueuedQuickAdd[] = [];

/** `uid`'s queue, live across tabs (uid undefined: nothing queued, nothing accepted). */
export function useQuickAddQueue(uid: string | undefined): QuickAddQueue {
  const queued = useSyncExternalStore(
    subscribe,
    () => (uid ? storeFor(uid).read() : EMPTY),
    () => EMPTY,
  );
  const sent = useSyncExternalStore(
    subscribe,
    () => answers,
    () => answers,
  );
  const add = useCallback(
    (text: string, timezone: string): EnqueueResult =>
      uid ? queueQuickAdd(uid, text, timezone) : { ok: false, reason: "empty" },
    [uid],
  );
  const remove = useCallback(
    (id: string) => {
      if (uid) unqueueQuickAdd(uid, id);
    },
    [uid],
  );
  return { queued, answers: sent, add, remove };
}
