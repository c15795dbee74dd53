import { describe, expect, it } from "vitest";
import {
  drainQueue,
  enqueue,
  isRetryable,
  MAX_QUEUED,
  parseQueue,
  without,
  type QueuedQuickAdd,
  type QueueStore,
  type SendOutcome,
} from "./queue";

const item = (id: string, text = `line ${id}`): QueuedQuickAdd => ({
  id,
  text,
  timezone: "Europe/Paris",
  queuedAt: 1_700_000_000_000,
});

function memoryStore(initial: QueuedQuickAdd[]): QueueStore & { queue: QueuedQuickAdd[] } {
  const store = {
    queue: initial,
    read: () => [...store.queue],
    write: (queue: QueuedQuickAdd[]) => {
      store.queue = queue;
    },
  };
  return store;
}

describe("enqueue", () => {
  it("adds a trimmed line at the end", () => {
    const result = enqueue([item("a")], item("b", "  call Bob  "));
    expect(result).toEqual({ ok: true, queue: [item("a"), item("b", "call Bob")] });
  });

  it(`refuses a line beyond ${MAX_QUEUED}`, () => {
    const full = Array.from({ length: MAX_QUEUED }, (_, n) => item(`i${n}`));
    expect(enqueue(full, item("one-more"))).toEqual({ ok: false, reason: "full" });
  });

  it("refuses an empty or too long line", () => {
    expect(enqueue([], item("a", "   "))).toEqual({ ok: false, reason: "empty" });
    expect(enqueue([], item("a", "x".repeat(501)))).toEqual({ ok: false, reason: "too-long" });
  });

  it("keeps one copy of an id queued twice", () => {
    const result = enqueue([item("a")], item("a"));
    expect(result).toEqual({ ok: true, queue: [item("a")] });
  });
});

describe("parseQueue", () => {
  it("reads back what was stored", () => {
    expect(parseQueue(JSON.stringify([item("a"), item("b")]))).toEqual([item("a"), item("b")]);
  });

  it.each([null, "", "not json", "{}", "42", "null"])("reads %j as empty", (raw) => {
    expect(parseQueue(raw)).toEqual([]);
  });

  it("drops malformed items, extra fields and duplicates", () => {
    const raw = JSON.stringify([
      { ...item("a"), extra: "<script>" },
      { id: "b", text: 3, timezone: "UTC", queuedAt: 1 },
      { ...item("c"), text: "   " },
      { ...item("d"), id: "x".repeat(65) },
      item("a"),
      "text",
      item("e"),
    ]);
    expect(parseQueue(raw)).toEqual([item("a"), item("e")]);
  });

  it(`keeps at most ${MAX_QUEUED} items from a tampered store`, () => {
    const many = Array.from({ length: MAX_QUEUED + 5 }, (_, n) => item(`i${n}`));
    expect(parseQueue(JSON.stringify(many))).toHaveLength(MAX_QUEUED);
  });
});

describe("drainQueue", () => {
  it("sends oldest first and removes each answered line", async () => {
    const store = memoryStore([item("a"), item("b")]);
    const sent: string[] = [];
    const done = await drainQueue(store, async (line) => {
      sent.push(line.id);
      return { kind: "sent", summary: `saved ${line.id}` };
    });
    expect(sent).toEqual(["a", "b"]);
    expect(store.queue).toEqual([]);
    expect(done.map((d) => d.outcome)).toEqual([
      { kind: "sent", summary: "saved a" },
      { kind: "sent", summary: "saved b" },
    ]);
  });

  it("stops at a line with no answer and keeps it and the rest", async () => {
    const store = memoryStore([item("a"), item("b"), item("c")]);
    const outcomes: SendOutcome[] = [{ kind: "sent", summary: "ok" }, { kind: "retry" }];
    const sent: string[] = [];
    const done = await drainQueue(store, async (line) => {
      sent.push(line.id);
      return outcomes.shift() ?? { kind: "sent", summary: "never" };
    });
    expect(sent).toEqual(["a", "b"]);
    expect(store.queue.map((q) => q.id)).toEqual(["b", "c"]);
    expect(done).toHaveLength(1);
  });

  it("drops a line the server answered without saving, and goes on", async () => {
    const store = memoryStore([item("a"), item("b")]);
    const done = await drainQueue(store, async (line) =>
      line.id === "a" ? { kind: "failed", message: "When?" } : { kind: "sent", summary: "ok" },
    );
    expect(store.queue).toEqual([]);
    expect(done.map((d) => [d.item.id, d.outcome.kind])).toEqual([
      ["a", "failed"],
      ["b", "sent"],
    ]);
  });

  it("does not send a line another tab sent meanwhile, nor lose one it queued", async () => {
    const store = memoryStore([item("a"), item("b")]);
    const sent: string[] = [];
    await drainQueue(store, async (line) => {
      sent.push(line.id);
      // While "a" is in flight another tab sends "b" and queues "c".
      if (line.id === "a") store.queue = [item("a"), item("c")];
      return { kind: "sent", summary: "ok" };
    });
    expect(sent).toEqual(["a", "c"]);
    expect(store.queue).toEqual([]);
  });

  it("tries each line once per drain", async () => {
    const store = memoryStore([item("a")]);
    let calls = 0;
    await drainQueue(store, async () => {
      calls += 1;
      // Written back by another tab as if never sent.
      store.queue = [item("a")];
      return { kind: "sent", summary: "ok" };
    });
    expect(calls).toBe(1);
  });
});

describe("without / isRetryable", () => {
  it("removes by id", () => {
    expect(without([item("a"), item("b")], "a")).toEqual([item("b")]);
  });

  it("retries what had no answer, not what the server refused", () => {
    expect(isRetryable("unavailable", true)).toBe(true);
    expect(isRetryable("resource-exhausted", true)).toBe(true);
    expect(isRetryable("internal", false)).toBe(true);
    expect(isRetryable("internal", true)).toBe(false);
    expect(isRetryable("invalid-argument", false)).toBe(false);
  });
});
