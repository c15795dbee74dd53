import { useAuth } from "../auth";
import { SettingsForm } from "../components/SettingsForm";
import { modelLabel } from "../models";
import { usePageTitle } from "../usePageTitle";
import { useProfile } from "../useProfile";

export default function ProfilePage() {
  usePageTitle("Profile");
  const { user, setupError, retrySetup, profileReady } = useAuth();
  const { profile, error } = useProfile(profileReady ? user?.uid : undefined);

  return (
    <section className="stack">
      <h1>Profile</h1>
      {setupError && (
        <div className="error" role="alert">
          <p>We could not set up your profile: {setupError}</p>
          <button type="button" className="secondary" onClick={retrySetup}>
            Try again
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          Could not load your profile: {error}
        </p>
      )}
      {!profile ? (
        !setupError && (
          <p className="muted" role="status">
            Setting up your profile…
          </p>
        )
      ) : (
        <>
          <div className="card">
            <h2>Account</h2>
            <dl className="facts">
              <dt>Email</dt>
              <dd data-testid="profile-email">{profile.email ?? user?.email ?? "—"}</dd>
              <dt>Display name</dt>
              <dd data-testid="profile-display-name">{profile.displayName ?? "—"}</dd>
              <dt>Role</dt>
              <dd data-testid="profile-role">{profile.role}</dd>
              <dt>Plan</dt>
              <dd data-testid="profile-plan">{profile.plan}</dd>
              <dt>Time zone</dt>
              <dd data-testid="profile-timezone">{profile.settings.timezone}</dd>
              <dt>Preferred model</dt>
              <dd data-testid="profile-model">{modelLabel(profile.settings.preferredModel)}</dd>
            </dl>
          </div>
          <div className="card">
            <h2>Settings</h2>
            <SettingsForm saved={profile.settings} />
          </div>
        </>
      )}
    </section>
  );
}
