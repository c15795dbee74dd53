import { useId, useState, type FormEvent } from "react";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { ErrorMessage } from "../../../components/Status";
import { callableFailure } from "../../../lib/firebase/errors";
import { formatInZone } from "../../../lib/localtime";
import { recordOutcome } from "../api/decisions";
import { MAX_NOTES_CHARS, OUTCOMES, type Decision, type OutcomeValue } from "../models";
import { percent } from "../utils/decisions";

const SCOPES: Record<Decision["calibration"]["scope"], string> = {
  kind: "calibrated on this kind's outcomes",
  global: "calibrated on all your outcomes",
  none: "not calibrated yet (too few outcomes)",
};

function outcomeLabel(value: OutcomeValue): string {
  return OUTCOMES.find((item) => item.value === value)?.label ?? value;
}

/**
 * Record how the decision turned out. Once one is recorded, changing it is a replace,
 * confirmed in a dialog first (the server refuses it without `replace: true`).
 */
function OutcomeForm({ decision, onDone }: { decision: Decision; onDone: () => void }) {
  const id = useId();
  const recorded = decision.outcome;
  const [value, setValue] = useState<OutcomeValue | null>(recorded?.value ?? null);
  const [notes, setNotes] = useState(recorded?.notes ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);

  async function send(outcome: OutcomeValue, replace: boolean) {
    setBusy(true);
    setError(null);
    try {
      await recordOutcome({
        decisionId: decision.id,
        outcome,
        ...(notes.trim() ? { notes: notes.trim() } : {}),
        ...(replace ? { replace: true } : {}),
      });
      setConfirming(false);
      onDone();
    } catch (err) {
      const failure = callableFailure(err);
      if (failure.code === "failed-precondition" && !replace) {
        // Recorded meanwhile (another tab): replacing needs the user's word.
        setConfirming(true);
      } else {
        setError(failure.message);
      }
    } finally {
      setBusy(false);
    }
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!value) {
      setError("Choose how it turned out.");
      return;
    }
    const unchanged = recorded && recorded.value === value && (recorded.notes ?? "") === notes.trim();
    if (unchanged) {
      onDone();
      return;
    }
    if (recorded) setConfirming(true);
    else void send(value, false);
  }

  return (
    <form className="stack outcome-form" onSubmit={handleSubmit} noValidate>
      <fieldset className="row outcome-choices">
        <legend>How did it turn out?</legend>
        {OUTCOMES.map((item) => (
          <label key={item.value} className="check">
            <input
              type="radio"
              name={`${id}-outcome`}
              value={item.value}
              checked={value === item.value}
              onChange={() => setValue(item.value)}
            />
            {item.label}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-notes`}>Notes (optional)</label>
        <textarea
          id={`${id}-notes`}
          rows={2}
          maxLength={MAX_NOTES_CHARS}
          value={notes}
          onChange={(event) => setNotes(event.target.value)}
        />
      </div>
      {error && <ErrorMessage>{error}</ErrorMessage>}
      <div className="row">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : recorded ? "Replace outcome" : "Record outcome"}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={onDone}>
          Cancel
        </button>
      </div>
      {confirming && value && (
        <ConfirmDialog
          title="Replace the recorded outcome?"
          confirmLabel="Replace outcome"
          busy={busy}
          error={error}
          onConfirm={() => void send(value, true)}
          onCancel={() => setConfirming(false)}
        >
          <p>
            This decision is recorded as {recorded ? outcomeLabel(recorded.value).toLowerCase() : "done"}.
            Replace it with {outcomeLabel(value).toLowerCase()}? Your calibration is refitted
            with the new outcome.
          </p>
        </ConfirmDialog>
      )}
    </form>
  );
}

/**
 * One decision: the question, the suggested action with its calibrated and raw
 * confidence, "ask me" when it fell below the threshold, the risk; its reasoning and
 * alternatives on demand; and its outcome (recorded, or a form to record it).
 */
export function DecisionItem({ decision, zone }: { decision: Decision; zone: string }) {
  const [changing, setChanging] = useState(false);
  const { outcome } = decision;

  return (
    <li
      className="decision-item"
      data-testid="decision-item"
      data-decision-id={decision.id}
      data-ask={decision.ask}
      data-outcome={outcome?.value ?? ""}
    >
      <div className="row spread decision-head">
        <p className="decision-question">{decision.question}</p>
        {decision.createdAt && (
          <time className="muted" dateTime={decision.createdAt.toISOString()}>
            {formatInZone(decision.createdAt, zone)}
          </time>
        )}
      </div>
      <p className="decision-action">
        {decision.ask ? "Would ask you first; best guess: " : "Decided: "}
        <strong data-testid="decision-action">{decision.action}</strong>
      </p>
      <div className="row decision-meta">
        {decision.ask ? (
          <span className="badge bad">Ask me</span>
        ) : (
          <span className="badge neutral">Act</span>
        )}
        <span data-testid="decision-confidence">
          Confidence {percent(decision.confidence)}{" "}
          <span className="muted">(model said {percent(decision.rawConfidence)})</span>
        </span>
        <span className={`badge ${decision.risk.level === "high" ? "bad" : "neutral"}`}>
          Risk: {decision.risk.level}
        </span>
        <span className="badge neutral">{decision.kind}</span>
        {decision.origin && <span className="badge neutral">From an automation</span>}
      </div>
      <details className="decision-details">
        <summary>Reasoning and alternatives</summary>
        <div className="stack">
          <p className="decision-reasoning">{decision.reasoning || "No reasoning given."}</p>
          {decision.context && (
            <p>
              <span className="muted">Context: </span>
              {decision.context}
            </p>
          )}
          {decision.alternatives.length > 0 && (
            <table className="decision-alternatives">
              <caption>Alternatives</caption>
              <thead>
                <tr>
                  <th scope="col">Action</th>
                  <th scope="col">Confidence</th>
                  <th scope="col">Model said</th>
                </tr>
              </thead>
              <tbody>
                {decision.alternatives.map((alternative, index) => (
                  <tr key={`${alternative.action}-${index}`}>
                    <th scope="row">{alternative.action}</th>
                    <td>{percent(alternative.confidence)}</td>
                    <td>{percent(alternative.rawConfidence)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {decision.risk.factors.length > 0 && (
            <div>
              <p className="muted">Risk factors:</p>
              <ul>
                {decision.risk.factors.map((factor) => (
                  <li key={factor}>{factor}</li>
                ))}
              </ul>
            </div>
          )}
          <p className="muted">
            {SCOPES[decision.calibration.scope]}
            {decision.calibration.count > 0 ? ` (${decision.calibration.count} outcomes)` : ""}
            {decision.threshold !== null ? `; ask threshold ${percent(decision.threshold)}` : ""}
            {decision.exampleIds.length > 0
              ? `; guided by ${decision.exampleIds.length} past decision(s)`
              : ""}
            {decision.memoryIds.length > 0 ? `; used ${decision.memoryIds.length} memories` : ""}.
          </p>
        </div>
      </details>
      {outcome && !changing ? (
        <div className="row decision-outcome" data-testid="decision-outcome">
          <span className={`badge ${outcome.value === "failure" ? "bad" : "neutral"}`}>
            Outcome: {outcomeLabel(outcome.value)}
          </span>
          {outcome.notes && <span>{outcome.notes}</span>}
          {outcome.replaced > 0 && <span className="muted">(replaced)</span>}
          <button
            type="button"
            className="secondary small"
            aria-label={`Change outcome: ${decision.question}`}
            onClick={() => setChanging(true)}
          >
            Change outcome
          </button>
        </div>
      ) : changing ? (
        <OutcomeForm decision={decision} onDone={() => setChanging(false)} />
      ) : (
        <div className="row">
          <button
            type="button"
            className="secondary small"
            aria-label={`Record outcome: ${decision.question}`}
            onClick={() => setChanging(true)}
          >
            Record outcome
          </button>
        </div>
      )}
    </li>
  );
}
