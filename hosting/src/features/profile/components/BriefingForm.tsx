import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import type { Settings } from "../../../types/accounts";
import { updateSettings } from "../api/profile";

type Outcome =
  { kind: "idle" } | { kind: "saving" } | { kind: "saved" } | { kind: "failed"; message: string };

/** The daily briefing: on or off, and the local time it arrives at (in the user's zone). */
export function BriefingForm({ saved }: { saved: Settings }) {
  const id = useId();
  // null = untouched: show the saved value (which may change live).
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [time, setTime] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  const enabledValue = enabled ?? saved.briefing.enabled;
  const timeValue = time ?? saved.briefing.time;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setOutcome({ kind: "saving" });
    try {
      await updateSettings({ briefing: { enabled: enabledValue, time: timeValue } });
      setOutcome({ kind: "saved" });
    } catch (err) {
      setOutcome({ kind: "failed", message: callableFailure(err).message });
    }
  }

  function edited() {
    if (outcome.kind === "saved") setOutcome({ kind: "idle" });
  }

  return (
    <form className="stack" onSubmit={(event) => void handleSubmit(event)}>
      <label className="check">
        <input
          type="checkbox"
          checked={enabledValue}
          onChange={(event) => {
            setEnabled(event.target.checked);
            edited();
          }}
        />
        Send me a daily briefing
      </label>
      <div className="field">
        <label htmlFor={`${id}-time`}>Briefing time</label>
        <input
          id={`${id}-time`}
          type="time"
          required
          disabled={!enabledValue}
          aria-describedby={`${id}-hint`}
          value={timeValue}
          onChange={(event) => {
            setTime(event.target.value);
            edited();
          }}
        />
        <small id={`${id}-hint`} className="muted">
          In your time zone ({saved.timezone}): your day's events, tasks and reminders, in your
          inbox.
        </small>
      </div>
      {outcome.kind === "failed" && <ErrorMessage>{outcome.message}</ErrorMessage>}
      <div className="row">
        <button type="submit" disabled={outcome.kind === "saving"}>
          {outcome.kind === "saving" ? "Saving…" : "Save briefing"}
        </button>
        <p className="success" role="status">
          {outcome.kind === "saved" ? "Briefing saved" : ""}
        </p>
      </div>
    </form>
  );
}
