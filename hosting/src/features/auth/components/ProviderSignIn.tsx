/**
 * "Continue with Google / GitHub / Microsoft" on the sign-in and sign-up pages, and the
 * linking step when the provider's email already has a password account: the person
 * enters that account's password, and the provider is added to the same account.
 */
import { useId, useState, type FormEvent } from "react";
import { ErrorMessage } from "../../../components/Status";
import { useAuth } from "../../../lib/auth";
import {
  LinkRequiredError,
  PROVIDER_LABELS,
  PROVIDERS,
  providerErrorMessage,
  type ProviderName,
} from "../../../lib/firebase/auth";

export function ProviderSignIn({
  onLinkingChange,
}: {
  /**
   * True from the linking step's submit until it succeeds or is cancelled: the page must
   * not leave when the password signs in before the provider is linked.
   */
  onLinkingChange: (linking: boolean) => void;
}) {
  const { signInWithProvider, linkProvider } = useAuth();
  const id = useId();
  const [busy, setBusy] = useState<ProviderName | "link" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<LinkRequiredError | null>(null);
  const [password, setPassword] = useState("");

  async function continueWith(provider: ProviderName) {
    setBusy(provider);
    setError(null);
    try {
      await signInWithProvider(provider);
    } catch (err) {
      if (err instanceof LinkRequiredError) {
        setPending(err);
        setPassword("");
      } else {
        setError(providerErrorMessage(err));
      }
      setBusy(null);
    }
  }

  async function link(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!pending) return;
    setBusy("link");
    setError(null);
    onLinkingChange(true);
    try {
      await linkProvider(pending, password);
      onLinkingChange(false);
    } catch (err) {
      // The page stays on this step even if the password signed in but the link failed,
      // so the reason is read; Cancel then lets it go on.
      setError(providerErrorMessage(err));
      setBusy(null);
    }
  }

  if (pending) {
    const label = PROVIDER_LABELS[pending.provider];
    return (
      <form
        className="stack provider-link"
        aria-labelledby={`${id}-link-title`}
        onSubmit={(event) => void link(event)}
      >
        <h2 id={`${id}-link-title`}>Link {label} to your account</h2>
        <p data-testid="link-explanation">{pending.message}</p>
        <div className="field">
          <label htmlFor={`${id}-link-password`}>Password for {pending.email}</label>
          <input
            id={`${id}-link-password`}
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        {error && <ErrorMessage>{error}</ErrorMessage>}
        <div className="row">
          <button type="submit" disabled={busy !== null}>
            {busy === "link" ? "Linking…" : `Sign in and link ${label}`}
          </button>
          <button
            type="button"
            className="secondary"
            disabled={busy !== null}
            onClick={() => {
              setPending(null);
              setError(null);
              onLinkingChange(false);
            }}
          >
            Cancel
          </button>
        </div>
      </form>
    );
  }

  return (
    <div className="stack provider-sign-in">
      <p className="muted provider-divider">or</p>
      {PROVIDERS.map((provider) => (
        <button
          key={provider}
          type="button"
          className="secondary provider-button"
          data-provider={provider}
          disabled={busy !== null}
          onClick={() => void continueWith(provider)}
        >
          {busy === provider
            ? "Waiting for the sign-in window…"
            : `Continue with ${PROVIDER_LABELS[provider]}`}
        </button>
      ))}
      {error && <ErrorMessage>{error}</ErrorMessage>}
    </div>
  );
}
