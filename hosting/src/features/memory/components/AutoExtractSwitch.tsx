import { useState } from "react";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { updateSettings } from "../api/memory";

/**
 * The switch for automatic extraction (`settings.memory.autoExtract`): saved at once on
 * change; the live profile then shows the stored value.
 */
export function AutoExtractSwitch({ saved }: { saved: boolean }) {
  // null: no change in flight, show the stored value.
  const [pending, setPending] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  async function change(autoExtract: boolean) {
    setPending(autoExtract);
    setError(null);
    setDone(false);
    try {
      await updateSettings({ memory: { autoExtract } });
      setDone(true);
    } catch (err) {
      setError(`Could not save: ${callableFailure(err).message}`);
    } finally {
      setPending(null);
    }
  }

  const checked = pending ?? saved;
  return (
    <div className="stack memory-switch">
      <label className="check">
        <input
          type="checkbox"
          role="switch"
          checked={checked}
          disabled={pending !== null}
          aria-describedby="auto-extract-hint"
          data-testid="auto-extract"
          onChange={(event) => void change(event.target.checked)}
        />
        Learn from my chats automatically
      </label>
      <small id="auto-extract-hint" className="muted">
        After each chat reply, Aura keeps facts you stated yourself (never its own words), and
        corrects or removes what they change. Each one shows the words it came from.
      </small>
      {error && <ErrorMessage>{error}</ErrorMessage>}
      <p className="success" role="status" data-testid="auto-extract-status">
        {done && pending === null ? (checked ? "Automatic memory is on" : "Automatic memory is off") : ""}
      </p>
    </div>
  );
}
