"""Calibration of stated confidence: the fit, its storage, the metrics, hostile inputs."""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import time

import pytest

from shared.decisions import calibration as cal
from shared.decisions.calibration import (
    CEIL,
    FLOOR,
    MAX_POINTS,
    MIN_SAMPLES,
    Calibration,
    CalibrationSet,
    InvalidCalibration,
)

# 40 pairs (raw rounded to 2 decimals, outcomes 0 / 0.5 / 1) and what scikit-learn 1.9.1's
# IsotonicRegression(out_of_bounds="clip").fit(xs, ys).predict(GRID) returned for them.
GOLDEN_PAIRS = [
    (0.45, 1.0), (0.56, 0.0), (0.92, 1.0), (0.47, 0.5), (0.51, 0.0), (0.59, 1.0), (0.18, 0.0),
    (0.51, 0.0), (0.63, 1.0), (0.79, 1.0), (0.09, 0.0), (0.3, 1.0), (0.09, 0.0), (0.81, 1.0),
    (0.69, 0.0), (0.04, 0.0), (0.98, 1.0), (0.96, 0.0), (0.65, 1.0), (0.62, 1.0), (0.16, 1.0),
    (0.02, 0.0), (0.53, 0.0), (0.06, 0.0), (0.19, 0.0), (0.24, 1.0), (0.03, 0.0), (0.46, 1.0),
    (0.44, 1.0), (0.84, 0.0), (0.52, 1.0), (0.64, 1.0), (0.5, 0.0), (0.66, 1.0), (0.46, 0.0),
    (0.28, 1.0), (1.0, 0.0), (1.0, 1.0), (0.84, 1.0), (0.71, 1.0),
]  # fmt: skip
GRID = [i / 20 for i in range(21)]
SKLEARN = [
    0.0, 0.0, 0.047619, 0.285714, 0.37381, 0.535714, 0.535714, 0.535714, 0.535714, 0.535714,
    0.535714, 0.535714, 0.764706, 0.764706, 0.764706, 0.764706, 0.764706, 0.764706, 0.764706,
    0.764706, 0.764706,
]  # fmt: skip


def _overconfident(n: int, seed: int = 1) -> list[tuple[float, float]]:
    """Stated 0.5-0.99, true success 0.6 x stated: the model says 0.9, 54 % succeed."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        stated = round(0.5 + 0.49 * rng.random(), 2)
        pairs.append((stated, 1.0 if rng.random() < 0.6 * stated else 0.0))
    return pairs


# --- the isotonic fit -------------------------------------------------------------------


def test_isotonic_fit_matches_scikit_learn_on_known_values() -> None:
    points = cal.isotonic_points(GOLDEN_PAIRS)
    assert [round(cal._interpolate(points, x), 6) for x in GRID] == SKLEARN


def test_pav_pools_violators_by_weighted_mean() -> None:
    # 1, 0 violate: pooled to 0.5; then 0.25 (weight 2) pools with them: (1 + 0 + 0.5) / 4.
    assert cal._pav([0.1, 0.2, 0.3], [1.0, 0.0, 0.25], [1.0, 1.0, 2.0]) == [0.375] * 3
    assert cal._pav([0.1, 0.2, 0.3], [0.0, 0.5, 1.0], [1.0, 1.0, 1.0]) == [0.0, 0.5, 1.0]


def test_identical_raw_values_are_averaged_before_fitting() -> None:
    points = cal.isotonic_points([(0.5, 1.0), (0.5, 0.0), (0.5, 0.0), (0.5, 1.0)])
    assert points == ((0.5, 0.5),)


# --- fit: minimum, shrinkage, monotone, clamped ----------------------------------------


def test_below_the_minimum_the_calibration_is_the_identity() -> None:
    fitted = cal.fit(_overconfident(MIN_SAMPLES - 1))
    assert fitted.weight == 0.0
    assert fitted.count == MIN_SAMPLES - 1
    assert [fitted.apply(x) for x in (0.2, 0.5, 0.9)] == [0.2, 0.5, 0.9]


def test_shrink_weight_starts_small_at_the_minimum_and_grows_smoothly() -> None:
    assert cal.shrink_weight(0) == cal.shrink_weight(MIN_SAMPLES - 1) == 0.0
    assert cal.shrink_weight(MIN_SAMPLES) == pytest.approx(1 / 21)
    assert cal.shrink_weight(MIN_SAMPLES + 19) == pytest.approx(0.5)
    weights = [cal.shrink_weight(n) for n in range(MIN_SAMPLES, 2_000)]
    assert weights == sorted(weights)
    assert max(b - a for a, b in itertools.pairwise(weights)) < 0.05


def test_the_blend_is_weight_times_fit_plus_the_rest_of_the_identity() -> None:
    pairs = [(x / 100, 0.0) for x in range(1, 41)]  # 40 failures: the fit is 0 everywhere
    fitted = cal.fit(pairs)
    weight = cal.shrink_weight(40)
    assert fitted.weight == pytest.approx(weight, abs=1e-4)
    # calibrated = (1 - w) * raw, as long as that stays above the floor
    assert fitted.apply(0.8) == pytest.approx((1 - weight) * 0.8, abs=1e-4)
    assert fitted.apply(0.3) == pytest.approx((1 - weight) * 0.3, abs=1e-4)


def test_an_overconfident_model_is_pulled_down() -> None:
    fitted = cal.fit(_overconfident(1_000))
    assert fitted.apply(0.9) < 0.65  # truth at 0.9 is 0.54
    assert fitted.apply(0.9) > 0.4


def test_the_fit_is_monotone_non_decreasing_and_clamped() -> None:
    for seed in range(20):
        rng = random.Random(seed)
        pairs = [(rng.random(), rng.choice([0.0, 0.5, 1.0])) for _ in range(rng.randint(20, 400))]
        fitted = cal.fit(pairs)
        values = [fitted.apply(i / 500) for i in range(501)]
        assert values == sorted(values)
        assert all(FLOOR <= v <= CEIL for v in values)


def test_clamped_to_floor_and_ceiling_even_when_outcomes_are_all_one_way() -> None:
    always = cal.fit([(x / 1000, 1.0) for x in range(1_000)])
    never = cal.fit([(x / 1000, 0.0) for x in range(1_000)])
    assert always.apply(1.0) == CEIL
    assert never.apply(0.0) == FLOOR
    assert cal.IDENTITY.apply(1.0) == CEIL
    assert cal.IDENTITY.apply(0.0) == FLOOR


def test_breakpoints_are_at_most_max_points() -> None:
    # Mean outcomes that rise with raw at every step: the isotonic fit has 1,000 runs.
    pairs = [(x / 1000, x / 1000) for x in range(1000)]
    assert len(cal.isotonic_points(pairs)) == 1000
    fitted = cal.fit(pairs)
    assert 2 <= len(fitted.points) <= MAX_POINTS
    assert fitted.points[0][0] == 0.0
    assert fitted.points[-1][0] == 1.0
    # thinning keeps a subset of an (almost) identity map: still close to it
    assert all(abs(fitted.apply(i / 100) - i / 100) < 0.02 for i in range(1, 100))


# --- storage ---------------------------------------------------------------------------


def test_serialise_round_trip_through_json_gives_the_same_map() -> None:
    fitted = cal.fit(_overconfident(300))
    stored = json.loads(json.dumps(fitted.to_dict()))
    assert all(not isinstance(v, list) for v in stored["xs"])  # Firestore: no nested arrays
    again = Calibration.from_dict(stored)
    assert again == fitted
    assert [again.apply(i / 100) for i in range(101)] == [fitted.apply(i / 100) for i in range(101)]
    assert len(json.dumps(stored)) < 1_500


def test_identity_round_trips() -> None:
    assert Calibration.from_dict(cal.IDENTITY.to_dict()) == cal.IDENTITY


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"version": 2}, "version"),
        ({"xs": [0.0], "ys": [0.0]}, "xs"),
        ({"xs": [0.0, 1.0], "ys": [0.5]}, "xs/ys"),
        ({"xs": [0.0, 1.0], "ys": [0.6, 0.5]}, "xs/ys"),
        ({"xs": [0.5, 0.5], "ys": [0.1, 0.2]}, "xs/ys"),
        ({"xs": [0.0, float("nan")], "ys": [0.1, 0.2]}, "xs/ys"),
        ({"xs": [0.0, 1.5], "ys": [0.1, 0.2]}, "xs/ys"),
        ({"xs": ["0", 1.0], "ys": [0.1, 0.2]}, "xs/ys"),
        ({"xs": [i / 60 for i in range(61)], "ys": [i / 60 for i in range(61)]}, "xs"),
        ({"count": -1}, "count"),
        ({"count": True}, "count"),
        ({"weight": 2}, "weight"),
    ],
)
def test_from_dict_refuses_what_apply_could_not_trust(
    change: dict[str, object], field: str
) -> None:
    data = cal.IDENTITY.to_dict() | change
    with pytest.raises(InvalidCalibration, match=f"^{re.escape(field)}"):
        Calibration.from_dict(data)


def test_calibration_set_round_trips_and_refuses_bad_kinds() -> None:
    fitted = cal.fit_by_kind({"email": _overconfident(60), "task": _overconfident(5, seed=2)})
    assert CalibrationSet.from_dict(json.loads(json.dumps(fitted.to_dict()))) == fitted
    with pytest.raises(InvalidCalibration, match=r"^kinds"):
        CalibrationSet.from_dict({"global": cal.IDENTITY.to_dict(), "kinds": {"": {}}})
    too_many = {f"k{i}": cal.IDENTITY.to_dict() for i in range(cal.MAX_KINDS + 1)}
    with pytest.raises(InvalidCalibration, match=r"^kinds"):
        CalibrationSet.from_dict({"global": cal.IDENTITY.to_dict(), "kinds": too_many})


# --- per kind, global fallback ---------------------------------------------------------


def test_a_kind_with_enough_outcomes_gets_its_own_calibration() -> None:
    rng = random.Random(9)
    # "email" is honest-ish (true 0.9 at 0.9), "task" succeeds one time in five whatever.
    email = [(0.9, 1.0 if rng.random() < 0.9 else 0.0) for _ in range(200)]
    task = [(0.9, 1.0 if rng.random() < 0.2 else 0.0) for _ in range(200)]
    fitted = cal.fit_by_kind({"email": email, "task": task})
    assert set(fitted.kinds) == {"email", "task"}
    assert fitted.apply(0.9, "email") > 0.75
    assert fitted.apply(0.9, "task") < 0.35
    # the global map sits between them, and unknown kinds use it
    assert fitted.apply(0.9, "task") < fitted.apply(0.9) < fitted.apply(0.9, "email")
    assert fitted.apply(0.9, "unknown") == fitted.apply(0.9) == fitted.apply(0.9, None)


def test_a_kind_below_the_minimum_falls_back_to_the_global_calibration() -> None:
    fitted = cal.fit_by_kind(
        {"email": _overconfident(200), "task": _overconfident(MIN_SAMPLES - 1, seed=4)}
    )
    assert set(fitted.kinds) == {"email"}
    assert fitted.for_kind("task") is fitted.overall
    assert fitted.overall.count == 200 + MIN_SAMPLES - 1  # every outcome counts globally


def test_a_kind_shrinks_toward_the_global_map_not_the_identity() -> None:
    many = [(0.9, 0.0)] * 300  # the global map says 0.9 means failure
    few = [(0.9, 0.0)] * MIN_SAMPLES  # a kind with just enough outcomes, weight 1/21
    fitted = cal.fit_by_kind({"bulk": many, "new": few})
    assert fitted.apply(0.9, "new") == pytest.approx(fitted.apply(0.9), abs=0.02)
    assert fitted.apply(0.9, "new") < 0.2


def test_kinds_kept_are_the_max_kinds_with_most_outcomes() -> None:
    grouped = {f"k{i:02d}": _overconfident(MIN_SAMPLES + i, seed=i) for i in range(25)}
    fitted = cal.fit_by_kind(grouped)
    assert len(fitted.kinds) == cal.MAX_KINDS
    assert "k24" in fitted.kinds
    assert "k00" not in fitted.kinds


def test_no_outcomes_at_all_gives_the_identity_everywhere() -> None:
    fitted = cal.fit_by_kind({})
    assert fitted.overall == cal.IDENTITY
    assert fitted.kinds == {}
    assert fitted.apply(0.7, "email") == 0.7


# --- metrics ---------------------------------------------------------------------------


def test_brier_on_a_hand_computed_example() -> None:
    # (0.9-1)^2 + (0.8-0)^2 + (0.5-0.5)^2 + (0.2-0)^2 = 0.01 + 0.64 + 0 + 0.04 = 0.69; / 4
    assert cal.brier([(0.9, 1.0), (0.8, 0.0), (0.5, 0.5), (0.2, 0.0)]) == pytest.approx(0.1725)


def test_ece_on_a_hand_computed_example() -> None:
    pairs = [
        (0.95, 1.0), (0.95, 1.0), (0.95, 0.0), (0.91, 1.0),  # bin 9: conf 0.94, out 0.75
        (0.15, 0.0), (0.15, 0.5),  # bin 1: conf 0.15, out 0.25
        (1.0, 1.0),  # 1.0 is in the last bin, not an 11th
        (0.0, 0.0),  # bin 0: perfect
    ]  # fmt: skip
    # bin 9 now: conf (0.95*3 + 0.91 + 1.0) / 5 = 0.952, out 4/5 = 0.8, gap 0.152, 5 pairs
    # bin 1: gap 0.1, 2 pairs; bin 0: gap 0, 1 pair
    expected = (5 * 0.152 + 2 * 0.1 + 0) / 8
    assert cal.ece(pairs) == pytest.approx(expected)


def test_ece_is_zero_for_a_calibrated_forecast_and_the_gap_for_a_constant_one() -> None:
    assert cal.ece([(0.25, 0.0), (0.25, 0.0), (0.25, 0.0), (0.25, 1.0)]) == pytest.approx(0.0)
    assert cal.ece([(0.9, 1.0), (0.9, 0.0)]) == pytest.approx(0.4)


def test_stats_counts_and_rounds() -> None:
    result = cal.stats([(0.9, 1.0), (0.8, 0.0), (0.5, 0.5), (0.2, 0.0)])
    assert result == {"count": 4, "brier": 0.1725, "ece": 0.275, "successRate": 0.375}
    # ece: bins 9 (0.9 vs 1), 8 (0.8 vs 0), 5 (0.5 vs 0.5), 2 (0.2 vs 0): (0.1+0.8+0+0.2)/4


def test_stats_of_nothing() -> None:
    assert cal.stats([]) == {"count": 0, "brier": None, "ece": None, "successRate": None}


def test_outcome_values() -> None:
    assert [cal.outcome_value(o) for o in ("success", "partial", "failure")] == [1.0, 0.5, 0.0]


# --- should_ask ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calibrated", "threshold", "ask"),
    [
        (0.59, 0.6, True),
        (0.6, 0.6, False),
        (0.9, 0.6, False),
        (0.5, 0.0, False),
        (0.99, 1.0, True),
        (float("nan"), 0.5, True),
        (0.9, float("nan"), True),
        (float("inf"), 0.5, True),
    ],
)
def test_should_ask_below_the_threshold_and_for_non_numbers(
    calibrated: float, threshold: float, ask: bool
) -> None:
    assert cal.should_ask(calibrated, threshold) is ask


# --- hostile inputs --------------------------------------------------------------------


def test_non_finite_and_malformed_pairs_are_dropped_out_of_range_clamped() -> None:
    hostile: list[tuple[object, ...]] = [
        (float("nan"), 1.0),
        (0.5, float("nan")),
        (float("inf"), 1.0),
        ("0.9", 1.0),
        (None, 0.0),
        (True, 1.0),
        (0.5,),
        (0.1, 0.2, 0.3),
        (1.7, 1.0),
        (-3, -1),
    ]
    assert cal.clean(hostile) == [(1.0, 1.0), (0.0, 0.0)]
    assert cal.stats(hostile)["count"] == 2
    assert cal.fit(hostile * 30).count == 60


def test_apply_reads_non_finite_as_least_confident_and_clamps_out_of_range() -> None:
    fitted = cal.fit(_overconfident(200))
    assert fitted.apply(float("nan")) == fitted.apply(0.0)
    assert fitted.apply(float("-inf")) == fitted.apply(0.0)
    assert fitted.apply(float("inf")) == fitted.apply(0.0)
    assert fitted.apply(7.0) == fitted.apply(1.0)
    assert fitted.apply(-2.0) == fitted.apply(0.0)
    assert all(math.isfinite(fitted.apply(x)) for x in (1e308, -1e308, 5e-324))


def test_empty_input_fits_the_identity() -> None:
    assert cal.fit([]) == cal.IDENTITY
    assert cal.brier([]) is None
    assert cal.ece([]) is None


def test_a_hundred_thousand_points_fit_in_bounded_time_and_size() -> None:
    rng = random.Random(0)
    pairs = [(rng.random(), float(rng.random() < 0.5)) for _ in range(100_000)]
    started = time.perf_counter()
    fitted = cal.fit(pairs)
    result = cal.stats(pairs)
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0  # about 0.4 s on the 2-core dev machine
    assert len(fitted.points) <= MAX_POINTS
    assert result["count"] == 100_000
    assert fitted.apply(0.5) == pytest.approx(0.5, abs=0.05)
