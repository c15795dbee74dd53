"""The feedback-loop simulation behind `make bench`: calibration earns its keep."""

from __future__ import annotations

import random

import pytest

from shared.decisions import calibration, simulation
from shared.decisions.simulation import HONEST, OVERCONFIDENT, KindTruth


def test_the_overconfident_model_states_0_9_where_the_truth_is_lower() -> None:
    truths = {k.kind: round(k.truth(0.9), 3) for k in OVERCONFIDENT}
    assert truths == {"schedule": 0.614, "email": 0.75, "task": 0.452}
    assert KindTruth("x", 0.2, 0.6).truth(0.1) == 0.2  # below 0.5 reads as 0.5
    assert KindTruth("x", 0.2, 0.6).truth(1.0) == 0.6


def test_outcomes_are_seeded_grouped_by_kind_and_follow_the_truth() -> None:
    first = simulation.outcomes(3_000, rng=random.Random(1))
    again = simulation.outcomes(3_000, rng=random.Random(1))
    assert first == again
    assert set(first) == {"schedule", "email", "task"}
    assert sum(len(v) for v in first.values()) == 3_000
    task = first["task"]
    rate = sum(y for _, y in task) / len(task)
    expected = sum(OVERCONFIDENT[2].truth(x) for x, _ in task) / len(task)
    assert rate == pytest.approx(expected, abs=0.05)
    assert all(0.5 <= x <= 0.99 and y in (0.0, 1.0) for pairs in first.values() for x, y in pairs)


def test_evaluate_is_deterministic_for_a_seed() -> None:
    assert simulation.evaluate(100, trials=3) == simulation.evaluate(100, trials=3)
    assert simulation.evaluate(100, trials=3, seed=1) != simulation.evaluate(100, trials=3)


def test_no_outcomes_calibration_is_not_worse_than_raw() -> None:
    result = simulation.evaluate(0)
    assert result["n"] == 0
    assert result["raw_ece"] > 0.2  # the model is clearly over-confident
    assert result["calibrated_ece"] <= result["raw_ece"]


def test_after_100_outcomes_calibration_clearly_beats_raw() -> None:
    result = simulation.evaluate(100)
    # measured: raw 0.249, calibrated 0.088
    assert result["calibrated_ece"] < result["raw_ece"] - 0.1
    assert result["calibrated_ece"] < 0.5 * result["raw_ece"]


def test_more_outcomes_keep_improving() -> None:
    ece = {r["n"]: r["calibrated_ece"] for r in simulation.run()}
    assert ece[0] >= ece[20] > ece[100] > ece[500]
    assert ece[500] < 0.07


def test_an_honest_model_is_not_made_much_worse() -> None:
    # Calibrating a model that means what it says costs the isotonic fit's noise only.
    for result in simulation.run((0, 20, 100, 500), model=HONEST):
        assert result["raw_ece"] == pytest.approx(0.0, abs=1e-9)
        assert result["calibrated_ece"] < 0.08


def test_the_simulation_uses_the_engines_per_kind_fit() -> None:
    grouped = simulation.outcomes(600, rng=random.Random(2))
    fitted = calibration.fit_by_kind(grouped)
    assert set(fitted.kinds) == {"schedule", "email", "task"}
    # what each kind's calibration says at 0.9 is near its truth, not the stated 0.9
    for truth in OVERCONFIDENT:
        assert fitted.apply(0.9, truth.kind) == pytest.approx(truth.truth(0.9), abs=0.15)
