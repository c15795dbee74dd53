"""The feedback loop on a simulated user, for ``make bench`` (pure, seeded, no I/O).

A simulated model states a confidence for each decision; the simulated user's true chance
of success depends on the action kind and differs from what the model states (the
over-confident model says 0.9 where "schedule" succeeds 6 times in 10). After N recorded
outcomes (success with the true probability, failure otherwise) the calibration is fitted
per kind as the engine fits it, and both confidences are scored on a held-out set of
decisions by expected calibration error *against the true probabilities* (not sampled
outcomes, so the score carries no held-out sampling noise). Figures are averaged over
``trials`` independent users, each with its own seed derived from ``seed``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TypedDict

from shared.decisions import calibration

DEFAULT_NS: Final = (0, 20, 100, 500)
HELD_OUT: Final = 2_000
TRIALS: Final = 20


@dataclass(frozen=True, slots=True)
class KindTruth:
    """A kind's true success probability: linear in the stated confidence over [0.5, 1]."""

    kind: str
    at_half: float
    at_one: float

    def truth(self, stated: float) -> float:
        share = (min(1.0, max(0.5, stated)) - 0.5) / 0.5
        return self.at_half + (self.at_one - self.at_half) * share


# Stated 0.9 → true 0.61 (schedule), 0.75 (email), 0.45 (task).
OVERCONFIDENT: Final = (
    KindTruth("schedule", at_half=0.35, at_one=0.68),
    KindTruth("email", at_half=0.55, at_one=0.80),
    KindTruth("task", at_half=0.30, at_one=0.49),
)
# A model that means what it says: calibration should not make it worse by much.
HONEST: Final = (
    KindTruth("schedule", at_half=0.5, at_one=1.0),
    KindTruth("email", at_half=0.5, at_one=1.0),
)


class Evaluation(TypedDict):
    n: int
    raw_ece: float
    calibrated_ece: float


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str
    stated: float
    truth: float


def _decision(rng: random.Random, model: Sequence[KindTruth]) -> Decision:
    """A decision of a random kind; the model states 0.50-0.99, skewed toward high."""
    truth = rng.choice(model)
    stated = round(0.5 + 0.49 * rng.random() ** 0.6, 2)
    return Decision(kind=truth.kind, stated=stated, truth=truth.truth(stated))


def outcomes(
    n: int, *, rng: random.Random, model: Sequence[KindTruth] = OVERCONFIDENT
) -> dict[str, list[calibration.Pair]]:
    """N recorded (stated, outcome) pairs grouped by kind, as the engine would read them."""
    grouped: dict[str, list[calibration.Pair]] = {}
    for _ in range(n):
        decision = _decision(rng, model)
        outcome = 1.0 if rng.random() < decision.truth else 0.0
        grouped.setdefault(decision.kind, []).append((decision.stated, outcome))
    return grouped


def evaluate(
    n: int,
    *,
    seed: int = 0,
    trials: int = TRIALS,
    held_out: int = HELD_OUT,
    model: Sequence[KindTruth] = OVERCONFIDENT,
) -> Evaluation:
    """Mean ECE of raw and calibrated confidence after ``n`` outcomes, over ``trials``."""
    raw_total = calibrated_total = 0.0
    for trial in range(trials):
        # A simulation must be repeatable: a seeded PRNG, not a secure one.
        rng = random.Random(f"{seed}:{trial}")  # noqa: S311
        fitted = calibration.fit_by_kind(outcomes(n, rng=rng, model=model))
        test = [_decision(rng, model) for _ in range(held_out)]
        raw = calibration.ece([(d.stated, d.truth) for d in test])
        calibrated = calibration.ece([(fitted.apply(d.stated, d.kind), d.truth) for d in test])
        raw_total += raw or 0.0
        calibrated_total += calibrated or 0.0
    return {
        "n": n,
        "raw_ece": round(raw_total / trials, 4),
        "calibrated_ece": round(calibrated_total / trials, 4),
    }


def run(
    ns: Sequence[int] = DEFAULT_NS, *, seed: int = 0, model: Sequence[KindTruth] = OVERCONFIDENT
) -> list[Evaluation]:
    """One evaluation per N, for the bench's table."""
    return [evaluate(n, seed=seed, model=model) for n in ns]
