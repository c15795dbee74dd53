import { useId, useState, type FormEvent } from "react";
import { Link, Navigate, useLocation } from "react-router";
import { returnPath } from "../../../components/RequireAuth";
import { ErrorMessage } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useAuth } from "../../../lib/auth";
import { authErrorMessage } from "../../../lib/firebase/errors";
import { ProviderSignIn } from "../components/ProviderSignIn";

export default function SignInPage() {
  usePageTitle("Sign in");
  const { user, signIn } = useAuth();
  const location = useLocation();
  const id = useId();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [linking, setLinking] = useState(false);

  // Signed in (now, or already): the auth listener has the user, so the guard lets us in.
  if (user && !linking) return <Navigate to={returnPath(location.state)} replace />;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      setError(authErrorMessage(err));
      setBusy(false);
    }
  }

  return (
    <section className="card narrow">
      <h1>Sign in</h1>
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
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        {error && <ErrorMessage>{error}</ErrorMessage>}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <ProviderSignIn onLinkingChange={setLinking} />
      <p>
        New to Aura?{" "}
        <Link to="/signup" state={location.state}>
          Create an account
        </Link>
      </p>
    </section>
  );
}
