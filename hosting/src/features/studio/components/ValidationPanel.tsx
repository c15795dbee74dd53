import type { GateError, Repair, Validation } from "../models";
import { errorLocation, groupErrors, repairNote } from "../utils/studio";

interface ValidationPanelProps {
  validation: Validation | null;
  repair: Repair | null;
  /** The files shown, in tab order (an error in one of them can be jumped to). */
  paths: string[];
  onJump: (error: GateError) => void;
}

/**
 * What the gate found: valid, or each problem at its file:line:column (a button that
 * opens the file at that line); the repair round's note; a CLI tool's usage lines.
 */
export function ValidationPanel({ validation, repair, paths, onJump }: ValidationPanelProps) {
  const note = repairNote(repair, validation);
  if (!validation) {
    return note ? <p data-testid="repair-note">{note}</p> : null;
  }
  const count = validation.errors.length;
  return (
    <div className="stack studio-validation" data-testid="validation">
      <h3>Checks</h3>
      <p
        className={validation.ok ? "success" : "error"}
        data-testid="validation-result"
        data-ok={validation.ok ? "true" : "false"}
      >
        {validation.ok
          ? "Valid: every check passed."
          : `Not valid: ${count} ${count === 1 ? "problem" : "problems"} remained.`}
      </p>
      {note && (
        <p className={repair?.fixed || validation.ok ? "muted" : "error"} data-testid="repair-note">
          {note}
        </p>
      )}
      {count > 0 &&
        groupErrors(validation.errors, paths).map((group) => (
          <div key={group.file ?? ""} className="studio-error-group">
            <h4>{group.file ?? "The whole generation"}</h4>
            <ul className="studio-errors" aria-label={`Problems in ${group.file ?? "the generation"}`}>
              {group.errors.map((error, index) => {
                const where = errorLocation(error);
                const canJump = error.file !== null && paths.includes(error.file);
                return (
                  <li key={index} data-testid="gate-error" data-code={error.code}>
                    {canJump ? (
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => onJump(error)}
                        aria-label={`Show ${where}`}
                      >
                        {where}
                      </button>
                    ) : (
                      where && <span className="studio-where">{where}</span>
                    )}{" "}
                    <span className="tag">{error.code}</span> {error.message}
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
      {validation.usage.length > 0 && (
        <div>
          <h4>Usage</h4>
          <pre className="studio-usage" data-testid="cli-usage" tabIndex={0} aria-label="Usage">
            {validation.usage.join("\n")}
          </pre>
        </div>
      )}
    </div>
  );
}
