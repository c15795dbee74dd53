import { useState } from "react";
import { callableFailure } from "../lib/firebase/errors";

export type SaveOutcome =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved" }
  | { kind: "failed"; message: string; field?: string };

/**
 * One settings form's save: `save(action)` runs the callable and tells saving, saved or
 * failed (with the field the server named); `edited()` drops "saved" at the next change,
 * so the confirmation never describes values the user has since altered.
 */
export function useSave() {
  const [outcome, setOutcome] = useState<SaveOutcome>({ kind: "idle" });

  async function save(action: () => Promise<void>) {
    setOutcome({ kind: "saving" });
    try {
      await action();
      setOutcome({ kind: "saved" });
    } catch (err) {
      const { message, field } = callableFailure(err);
      setOutcome(field !== undefined ? { kind: "failed", message, field } : { kind: "failed", message });
    }
  }

  function edited() {
    setOutcome((current) => (current.kind === "saved" ? { kind: "idle" } : current));
  }

  /** The server's message when it named `field`, else null. */
  function fieldError(field: string): string | null {
    return outcome.kind === "failed" && outcome.field === field ? outcome.message : null;
  }

  return { outcome, save, edited, fieldError };
}
