import { useId, useState, type FormEvent } from "react";
import { Link, Navigate, useLocation } from "react-router";
import { returnPath } from "../../../components/RequireAuth";
import { ErrorMessage } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useAuth } from "../../../lib/auth";
import { authErrorMessage } from "../../../lib/firebase/errors";
import { ProviderSignIn } from "../components/ProviderSignIn";

export default function SignUpPage() {
  usePageTitle("Create account");
  const { user, signUp } = useAuth();
  const location = useLocation();
  const id = useId();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [linking, setLinking] = useState(false);

  if (user && !linking) return <Navigate to={returnPath(location.state)} replace />;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signUp(email.trim(), password, displayName.trim() || undefined);
    } catch (err) {
      setError(authErrorMessage(err));
      setBusy(false);
    }
  }

  return (
    <section className="card narrow">
      <h1>Create account</h1>
      <form onSubmit={(event) => void handleSubmit(event)} className="stack">
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="new-password"
            required
            minLength={6}
            aria-describedby={`${id}-password-hint`}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <small id={`${id}-password-hint`} className="muted">
            At least 6 characters.
          </small>
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>
            Display name <span className="muted">(optional)</span>
          </label>
          <input
            id={`${id}-name`}
            type="text"
            autoComplete="name"
            maxLength={100}
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
          />
        </div>
        {error && <ErrorMessage>{error}</ErrorMessage>}
        <button type="submit" disabled={busy}>
          {busy ? "Creating account…" : "Create account"}
        </button>
      </form>
      <ProviderSignIn onLinkingChange={setLinking} />
      <p>
        Already have an account?{" "}
        <Link to="/signin" state={location.state}>
          Sign in
        </Link>
      </p>
    </section>
  );
}
