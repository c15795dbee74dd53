import { SetupError } from "../../../components/SetupError";
import { LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { safeZone } from "../../../lib/localtime";
import { useDecisionStats, useDecisions, useProfile } from "../api/decisions";
import { AskThresholdForm } from "../components/AskThresholdForm";
import { DecideForm } from "../components/DecideForm";
import { DecisionItem } from "../components/DecisionItem";
import { StatsCard } from "../components/StatsCard";
import "../components/decisions.css";

/**
 * /decisions: ask Aura to decide, the history (live, newest first) with each decision's
 * confidence, reasoning, alternatives and risk, recording outcomes, and how well the
 * calibrated confidence matches them (scores and the reliability chart).
 */
export default function DecisionsPage() {
  usePageTitle("Decisions");
  const uid = useReadyUid();
  const decisions = useDecisions(uid);
  const stats = useDecisionStats(uid);
  const profile = useProfile(uid);
  const zone = safeZone(profile.data?.settings.timezone);

  return (
    <section className="decisions-page stack">
      <h1>Decisions</h1>
      <SetupError />
      <div className="card">
        <h2>Ask for a decision</h2>
        <DecideForm />
      </div>
      <div className="card">
        <h2>When to ask you</h2>
        <LoadError what="your settings" error={profile.error} />
        {profile.data ? (
          <AskThresholdForm saved={profile.data.settings.decisions.askThreshold} />
        ) : (
          !profile.error && <Loading>Loading your settings…</Loading>
        )}
      </div>
      <div className="card">
        <h2>Calibration</h2>
        <LoadError what="your calibration" error={stats.error} />
        {stats.data === undefined ? (
          !stats.error && <Loading>Loading your calibration…</Loading>
        ) : (
          <StatsCard stats={stats.data} />
        )}
      </div>
      <div className="stack">
        <h2>History</h2>
        <LoadError what="your decisions" error={decisions.error} />
        {decisions.data === undefined && !decisions.error && <Loading>Loading decisions…</Loading>}
        {decisions.data?.length === 0 && (
          <p className="muted" data-testid="no-decisions">
            No decisions yet. Ask one above, or add a decision step to an automation.
          </p>
        )}
        {decisions.data && decisions.data.length > 0 && (
          <ul className="decision-list" aria-label="Decisions">
            {decisions.data.map((decision) => (
              <DecisionItem key={decision.id} decision={decision} zone={zone} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
