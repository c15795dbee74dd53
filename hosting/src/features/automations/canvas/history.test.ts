import { describe, expect, it } from "vitest";
import {
  canRedo,
  canUndo,
  COALESCE_MS,
  emptyHistory,
  HISTORY_LIMIT,
  record,
  redo,
  undo,
} from "./history";

describe("history", () => {
  it("undoes and redoes edits in order", () => {
    let history = emptyHistory<string>();
    let present = "a";
    for (const next of ["b", "c"]) {
      history = record(history, present, { at: 0 });
      present = next;
    }
    expect(canUndo(history)).toBe(true);
    expect(canRedo(history)).toBe(false);

    const back = undo(history, present);
    expect(back?.value).toBe("b");
    const further = undo(back!.history, back!.value);
    expect(further?.value).toBe("a");
    expect(undo(further!.history, further!.value)).toBeNull();

    const again = redo(further!.history, further!.value);
    expect(again?.value).toBe("b");
    const last = redo(again!.history, again!.value);
    expect(last?.value).toBe("c");
    expect(redo(last!.history, last!.value)).toBeNull();
  });

  it("keeps an edit made elsewhere: undo makes it what redo restores", () => {
    let history = record(emptyHistory<string>(), "a", { at: 0 });
    // "b" was recorded; then the JSON view changed it to "b+" without recording.
    const back = undo(history, "b+");
    expect(back?.value).toBe("a");
    expect(redo(back!.history, "a")?.value).toBe("b+");
    history = back!.history;
    // A new edit drops what redo would have restored.
    expect(canRedo(record(history, "a", { at: 1 }))).toBe(false);
  });

  it("coalesces edits with the same key in quick succession", () => {
    let history = emptyHistory<string>();
    history = record(history, "0", { key: "move:a", at: 0 });
    history = record(history, "1", { key: "move:a", at: 300 });
    history = record(history, "2", { key: "move:a", at: 600 });
    expect(history.past).toEqual(["0"]);
    // Later, or with another key, it is a step of its own.
    history = record(history, "3", { key: "move:a", at: 600 + COALESCE_MS + 1 });
    history = record(history, "4", { key: "move:b", at: 600 + COALESCE_MS + 2 });
    expect(history.past).toEqual(["0", "3", "4"]);
    // An undo ends the run: the next move is a step of its own.
    const back = undo(history, "5");
    history = record(back!.history, back!.value, { key: "move:b", at: 600 + COALESCE_MS + 3 });
    expect(history.past).toEqual(["0", "3", "4"]);
  });

  it("keeps at most HISTORY_LIMIT steps", () => {
    let history = emptyHistory<number>();
    for (let n = 0; n < HISTORY_LIMIT + 20; n += 1) history = record(history, n, { at: n });
    expect(history.past.length).toBe(HISTORY_LIMIT);
    expect(history.past[0]).toBe(20);
  });
});
