import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { authErrorMessage } from "../../../lib/firebase/errors";
import { deleteMyAccount, reauthenticate } from "../api/privacy";
import { DELETE_PHRASE } from "../models";
import { confirmationMatches, deleteFailure } from "../utils/privacy";

/**
 * The danger zone: what deleting the account removes, a typed confirmation that must be
 * the exact phrase before the button works, and `delete_my_account`. When the server asks
 * for a recent sign-in, the password is asked for, the user re-authenticated, and the
 * request sent again. `onDeleted` runs once the server has accepted it.
 */
export function DeleteAccountCard({ onDeleted }: { onDeleted: () => void }) {
  const id = useId();
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [needsPassword, setNeedsPassword] = useState(false);
  const [password, setPassword] = useState("");
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const confirmed = confirmationMatches(typed);

  /** Ask the server; true once accepted, false when it wants a fresh sign-in. */
  async function request(): Promise<boolean> {
    try {
      await deleteMyAccount({ confirm: DELETE_PHRASE });
      return true;
    } catch (err) {
      const failure = deleteFailure(err);
      if (failure.kind === "reauth") {
        setNeedsPassword(true);
        return false;
      }
      throw new Error(failure.message);
    }
  }

  async function handleDelete(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!confirmed || busy) return;
    setBusy(true);
    setError(null);
    try {
      if (await request()) onDeleted();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  async function handleReauth(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    if (!password) {
      setPasswordError("Enter your password.");
      return;
    }
    setBusy(true);
    setPasswordError(null);
    setError(null);
    try {
      await reauthenticate(password);
    } catch (err) {
      setPasswordError(authErrorMessage(err));
      setBusy(false);
      return;
    }
    try {
      if (await request()) {
        onDeleted();
      } else {
        setPasswordError("Aura still asks for a recent sign-in. Try again.");
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card stack danger-zone" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Delete my account</h2>
      <p>Deleting your account removes, for good:</p>
      <ul>
        <li>your profile, settings and sign-in;</li>
        <li>your chats, automations with their runs and schedules, tasks and reminders;</li>
        <li>your calendar and its feed, notifications, memories and decisions;</li>
        <li>your generated projects, files and exports, and your usage records.</li>
      </ul>
      <p>
        Entries about you in the audit log are kept, with your identity replaced by an
        anonymous code. You are signed out at once; the deletion finishes within minutes.{" "}
        <strong>This cannot be undone.</strong> Export your data first if you want a copy.
      </p>
      {!needsPassword ? (
        <form className="stack" onSubmit={(event) => void handleDelete(event)} noValidate>
          <div className="field">
            <label htmlFor={`${id}-confirm`}>
              Type <q>{DELETE_PHRASE}</q> to confirm
            </label>
            <input
              id={`${id}-confirm`}
              type="text"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              aria-describedby={`${id}-confirm-hint`}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
            />
            <p id={`${id}-confirm-hint`} className="muted" data-testid="delete-confirm-hint">
              {confirmed
                ? "Confirmed. The button below deletes your account."
                : "The button works once the phrase is typed exactly."}
            </p>
          </div>
          <div className="row">
            <button type="submit" className="danger" disabled={!confirmed || busy}>
              {busy ? "Deleting…" : "Delete my account"}
            </button>
          </div>
        </form>
      ) : (
        <form className="stack" onSubmit={(event) => void handleReauth(event)} noValidate>
          <p role="alert" data-testid="reauth-needed">
            For your safety, confirm it is you: enter your password to continue.
          </p>
          <div className="field">
            <label htmlFor={`${id}-password`}>Password</label>
            <input
              id={`${id}-password`}
              type="password"
              autoComplete="current-password"
              // The button that asked is gone: the password is what to do next.
              autoFocus
              aria-invalid={passwordError ? true : undefined}
              aria-describedby={passwordError ? `${id}-password-error` : undefined}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
            {passwordError && (
              <ErrorMessage id={`${id}-password-error`} testId="reauth-error">
                {passwordError}
              </ErrorMessage>
            )}
          </div>
          <div className="row">
            <button type="submit" className="danger" disabled={busy}>
              {busy ? "Deleting…" : "Confirm and delete my account"}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => {
                setNeedsPassword(false);
                setPassword("");
                setPasswordError(null);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
      {error && <ErrorMessage testId="delete-error">{error}</ErrorMessage>}
    </section>
  );
}
