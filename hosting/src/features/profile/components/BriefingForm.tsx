import { useId, useState, type FormEvent } from "react";
import { SaveRow } from "../../../components/SaveRow";
import { ErrorMessage } from "../../../components/Status";
import { useSave } from "../../../hooks/useSave";
import type { Settings } from "../../../types/accounts";
import { updateSettings } from "../api/profile";

/** The daily briefing: on or off, and the local time it arrives at (in the user's zone). */
export function BriefingForm({ saved }: { saved: Settings }) {
  const id = useId();
  // null = untouched: show the saved value (which may change live).
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [time, setTime] = useState<string | null>(null);
  const { outcome, save, edited } = useSave();
  const enabledValue = enabled ?? saved.briefing.enabled;
  const timeValue = time ?? saved.briefing.time;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await save(async () => {
      await updateSettings({ briefing: { enabled: enabledValue, time: timeValue } });
    });
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
      <SaveRow outcome={outcome} label="Save briefing" savedText="Briefing saved" />
    </form>
  );
}
