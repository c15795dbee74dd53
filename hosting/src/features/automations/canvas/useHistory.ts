import { useState } from "react";
import { canRedo, canUndo, emptyHistory, record, redo, undo } from "./history";

/**
 * Undo and redo over the definition's text, which lives in the editor's draft: `change`
 * records the present text and sets the next one; `undo` and `redo` set what they restore.
 */
export function useTextHistory(present: string, set: (value: string) => void) {
  const [history, setHistory] = useState(emptyHistory<string>);
  return {
    change(next: string, key?: string | null) {
      if (next === present) return;
      setHistory((current) => record(current, present, { key }));
      set(next);
    },
    undo() {
      const step = undo(history, present);
      if (!step) return;
      setHistory(step.history);
      set(step.value);
    },
    redo() {
      const step = redo(history, present);
      if (!step) return;
      setHistory(step.history);
      set(step.value);
    },
    canUndo: canUndo(history),
    canRedo: canRedo(history),
  };
}
