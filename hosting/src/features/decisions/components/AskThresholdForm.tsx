import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { updateSettings } from "../api/decisions";

/**
 * `settings.decisions.askThreshold`, as a percentage: below it, a decision says "ask me"
 * instead of acting (and a workflow's decision node takes its `ask` branch).
 */
export function AskThresholdForm({ saved }: { saved: number }) {
  const id = useId();
  // null = untouched: show the saved value (which may change live).
  const [value, setValue] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const shown = value ?? String(Math.round(saved * 100));

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const number = Number(shown);
    if (shown.trim() === "" || !Number.isFinite(number) || number < 0 || number > 100) {
      setError("Enter a percentage from 0 to 100.");
      return;
    }
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await updateSettings({ decisions: { askThreshold: number / 100 } });
      setValue(null);
      setDone(true);
    } catch (err) {
      setError(callableFailure(err).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack" onSubmit={(event) => void handleSubmit(event)} noValidate>
      <div className="field">
        <label htmlFor={`${id}-threshold`}>Ask me first when confidence is below (%)</label>
        <div className="row threshold-row">
          <input
            id={`${id}-threshold`}
            type="number"
            min={0}
            max={100}
            step={1}
            inputMode="numeric"
            aria-describedby={`${id}-hint`}
            aria-invalid={error ? true : undefined}
            value={shown}
            onChange={(event) => {
              setValue(event.target.value);
              setDone(false);
            }}
          />
          <button type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save threshold"}
          </button>
          <p className="success" role="status" data-testid="threshold-status">
            {done ? "Threshold saved" : ""}
          </p>
        </div>
        <small id={`${id}-hint`} className="muted">
          Compared with the calibrated confidence, not the model's own.
        </small>
      </div>
      {error && <ErrorMessage>{error}</ErrorMessage>}
    </form>
  );
}
