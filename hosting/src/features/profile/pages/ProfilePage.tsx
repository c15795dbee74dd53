import { SetupError } from "../../../components/SetupError";
import { LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { useAuth } from "../../../lib/auth";
import { useProfile } from "../api/profile";
import { BriefingForm } from "../components/BriefingForm";
import { CalendarFeed } from "../components/CalendarFeed";
import { EmailForm } from "../components/EmailForm";
import { SettingsForm } from "../components/SettingsForm";
import { modelLabel } from "../preferredModels";

/** /profile: the account as stored, the settings form, the briefing, email and the calendar feed. */
export default function ProfilePage() {
  usePageTitle("Profile");
  const { user, setupError } = useAuth();
  const { data: profile, error } = useProfile(useReadyUid());

  return (
    <section className="stack">
      <h1>Profile</h1>
      <SetupError subject="profile" />
      <LoadError what="your profile" error={error} />
      {!profile ? (
        !setupError && <Loading>Setting up your profile…</Loading>
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
          <div className="card">
            <h2>Daily briefing</h2>
            <BriefingForm saved={profile.settings} />
          </div>
          <div className="card">
            <h2>Email</h2>
            <EmailForm
              saved={profile.settings}
              email={profile.email ?? user?.email ?? null}
              verified={user?.emailVerified ?? false}
            />
          </div>
          <div className="card">
            <h2>Calendar feed</h2>
            <CalendarFeed />
          </div>
        </>
      )}
    </section>
  );
}
