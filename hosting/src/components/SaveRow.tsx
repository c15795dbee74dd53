import type { SaveOutcome } from "../hooks/useSave";

interface SaveRowProps {
  outcome: SaveOutcome;
  /** The submit button's label ("Save briefing"). */
  label: string;
  /** What the status line says once saved ("Briefing saved"). */
  savedText: string;
  statusTestId?: string;
}

/** A settings form's submit button with its live status line (announced when saved). */
export function SaveRow({ outcome, label, savedText, statusTestId }: SaveRowProps) {
  return (
    <div className="row">
      <button type="submit" disabled={outcome.kind === "saving"}>
        {outcome.kind === "saving" ? "Saving…" : label}
      </button>
      <p className="success" role="status" data-testid={statusTestId}>
        {outcome.kind === "saved" ? savedText : ""}
      </p>
    </div>
  );
}
