import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import type { SetFlagResult } from "../../../wire/flags";
import { setFlag } from "../api/flags";
import { PLANS, toRequest, type FlagDraft, type Plan } from "../utils/flags";

type Outcome =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "failed"; message: string; field?: string };

/**
 * Edit one flag (or create one) and save it with `set_flag`: the whole flag is sent, with
 * the version it was loaded at, so a change made meanwhile by another admin is refused
 * rather than overwritten. A refused field is named next to its input.
 */
export function FlagEditor({
  initial,
  onSaved,
  onCancel,
}: {
  initial: FlagDraft;
  onSaved: (result: SetFlagResult) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState(initial);
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  const change = (update: Partial<FlagDraft>) => setDraft((current) => ({ ...current, ...update }));
  const fieldError = (field: string) =>
    outcome.kind === "failed" && outcome.field === field ? outcome.message : null;
  const known = ["key", "enabled", "rolloutPercent", "targetPlans", "targetUids", "description"];
  const formError =
    outcome.kind === "failed" && !known.some((f) => outcome.field?.split(/[.[]/)[0] === f)
      ? outcome.message
      : null;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const check = toRequest(draft);
    if (!check.ok) {
      setOutcome({ kind: "failed", message: check.message, field: check.field });
      return;
    }
    setOutcome({ kind: "saving" });
    try {
      const result = await setFlag(check.request);
      setOutcome({ kind: "idle" });
      onSaved(result);
    } catch (err) {
      const failure = callableFailure(err);
      const field = failure.field?.split(/[.[]/)[0];
      setOutcome(
        field ? { kind: "failed", message: failure.message, field } : { kind: "failed", message: failure.message },
      );
    }
  }

  function togglePlan(plan: Plan, on: boolean) {
    change({ targetPlans: on ? [...draft.targetPlans, plan] : draft.targetPlans.filter((p) => p !== plan) });
  }

  const describedBy = (field: string) => (fieldError(field) ? `${id}-${field}-error` : undefined);
  const errorLine = (field: string) => {
    const message = fieldError(field);
    return message ? <ErrorMessage id={`${id}-${field}-error`}>{message}</ErrorMessage> : null;
  };

  return (
    <form
      className="card stack flag-editor"
      // The fields are checked by `toRequest` (and the server), with messages by each field.
      noValidate
      aria-label={draft.isNew ? "New flag" : `Edit flag ${draft.key}`}
      onSubmit={(event) => void handleSubmit(event)}
    >
      <h2>{draft.isNew ? "New flag" : `Edit ${draft.key}`}</h2>
      {draft.isNew && (
        <div className="field">
          <label htmlFor={`${id}-key`}>Key</label>
          <input
            id={`${id}-key`}
            value={draft.key}
            maxLength={40}
            autoComplete="off"
            aria-invalid={fieldError("key") ? true : undefined}
            aria-describedby={describedBy("key")}
            onChange={(event) => change({ key: event.target.value })}
          />
          {errorLine("key")}
        </div>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(event) => change({ enabled: event.target.checked })}
        />
        Enabled (off turns it off for everyone, targets included)
      </label>
      <div className="field">
        <label htmlFor={`${id}-percent`}>Rollout (% of users, by a sticky bucket)</label>
        <input
          id={`${id}-percent`}
          type="number"
          min={0}
          max={100}
          step={1}
          inputMode="numeric"
          value={draft.rolloutPercent}
          aria-invalid={fieldError("rolloutPercent") ? true : undefined}
          aria-describedby={describedBy("rolloutPercent")}
          onChange={(event) => change({ rolloutPercent: event.target.value })}
        />
        {errorLine("rolloutPercent")}
      </div>
      <fieldset className="field">
        <legend>Plans that always get it</legend>
        <div className="row">
          {PLANS.map((plan) => (
            <label key={plan} className="check">
              <input
                type="checkbox"
                checked={draft.targetPlans.includes(plan)}
                onChange={(event) => togglePlan(plan, event.target.checked)}
              />
              {plan}
            </label>
          ))}
        </div>
        {errorLine("targetPlans")}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-uids`}>Users who always get it (uids, one per line, at most 500)</label>
        <textarea
          id={`${id}-uids`}
          rows={3}
          value={draft.targetUids}
          aria-invalid={fieldError("targetUids") ? true : undefined}
          aria-describedby={describedBy("targetUids")}
          onChange={(event) => change({ targetUids: event.target.value })}
        />
        {errorLine("targetUids")}
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea
          id={`${id}-description`}
          rows={2}
          maxLength={500}
          value={draft.description}
          aria-invalid={fieldError("description") ? true : undefined}
          aria-describedby={describedBy("description")}
          onChange={(event) => change({ description: event.target.value })}
        />
        {errorLine("description")}
      </div>
      {formError && <ErrorMessage testId="flag-error">{formError}</ErrorMessage>}
      <div className="row">
        <button type="submit" disabled={outcome.kind === "saving"}>
          {outcome.kind === "saving" ? "Saving…" : "Save flag"}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
