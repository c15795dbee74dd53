import { useEffect } from "react";
import { Link, useLocation } from "react-router";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useAuth } from "../../../lib/auth";
import { isRecord } from "../../../lib/firebase/fields";
import "../components/privacy.css";

/**
 * /goodbye: where the app lands once the server accepted the account's deletion (public).
 * Arriving from the privacy page (`state.erased`), it signs the user out: the account is
 * already disabled and its refresh tokens revoked, so nothing more can be done with it.
 */
export default function GoodbyePage() {
  usePageTitle("Goodbye");
  const { state } = useLocation();
  const { user, signOut } = useAuth();
  const erased = isRecord(state) && state.erased === true;
  const signedIn = user !== null;

  useEffect(() => {
    if (erased && signedIn) void signOut();
  }, [erased, signedIn, signOut]);

  return (
    <section className="goodbye narrow stack" data-testid="goodbye">
      <h1>Goodbye</h1>
      {erased && (
        <p>
          Your account is deleted: it can no longer sign in. The rest of your data is being
          erased now; it is gone within minutes, and cannot be brought back.
        </p>
      )}
      <p role="status" data-testid="goodbye-status">
        {erased && signedIn ? "Signing you out…" : "You are signed out."}
      </p>
      {erased && <p>Thank you for using Aura.</p>}
      <p>
        <Link to="/signup">Create a new account</Link>
      </p>
    </section>
  );
}
