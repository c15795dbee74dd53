import { useAuth } from "../lib/auth";

/**
 * Why the account could not be set up after sign-in, with "Try again"; nothing while
 * setup has not failed. Pages show it because their data waits for a ready profile.
 */
export function SetupError({ subject = "account" }: { subject?: "account" | "profile" }) {
  const { setupError, retrySetup } = useAuth();
  if (!setupError) return null;
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
