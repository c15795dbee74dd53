import { useAuth } from "../lib/auth";
import { useOnline } from "../lib/offline/network";

/**
 * Why the account could not be set up after sign-in, with "Try again"; nothing while
 * setup has not failed (or while offline). Pages show it because their data waits for a
 * ready profile.
 */
export function SetupError({ subject = "account" }: { subject?: "account" | "profile" }) {
  const { setupError, retrySetup } = useAuth();
  // Offline the setup cannot answer: the connection line says so, and it is retried when
  // the network returns (components/OfflineBanner).
  const online = useOnline();
  if (!setupError || !online) return null;
  return (
    <div className="error" role="alert">
      <p>
        We could not set up your {subject}: {setupError}
      </p>
      <button type="button" className="secondary" onClick={retrySetup}>
        Try again
      </button>
    </div>
  );
}
