import type { DecisionStats } from "../models";
import { score } from "../utils/decisions";
import { ReliabilityChart } from "./ReliabilityChart";

/**
 * How well Aura's confidence matches what happened: the outcomes recorded, the Brier
 * score and the expected calibration error (lower is better) of the calibrated and the
 * raw confidence, and the reliability chart.
 */
export function StatsCard({ stats }: { stats: DecisionStats | null }) {
  const kinds = Object.entries(stats?.byKind ?? {}).sort((a, b) => b[1] - a[1]);
  return (
    <div className="stack">
      <dl className="facts" data-testid="decision-stats">
        <dt>Outcomes recorded</dt>
        <dd data-testid="stats-count">{stats?.count ?? 0}</dd>
        <dt>Brier score</dt>
        <dd data-testid="stats-brier">
          {score(stats?.brier ?? null)}
          <span className="muted"> (model's own: {score(stats?.brierRaw ?? null)})</span>
        </dd>
        <dt>Calibration error (ECE)</dt>
        <dd data-testid="stats-ece">
          {score(stats?.ece ?? null)}
          <span className="muted"> (model's own: {score(stats?.eceRaw ?? null)})</span>
        </dd>
        {kinds.length > 0 && (
          <>
            <dt>By kind</dt>
            <dd>{kinds.map(([kind, count]) => `${kind}: ${count}`).join(", ")}</dd>
          </>
        )}
      </dl>
      <small className="muted">
        Both scores run from 0 (perfect) upwards; each decision's confidence is mapped through a
        calibration fitted on your recorded outcomes.
      </small>
      <ReliabilityChart
        calibrated={stats?.reliability.calibrated ?? []}
        raw={stats?.reliability.raw ?? []}
      />
    </div>
  );
}
