"""Calibrating the model's stated confidence on the user's recorded outcomes.

A decision carries the model's *raw* confidence (what it says, in [0, 1]); once the user
records outcomes (success = 1, partial = 0.5, failure = 0) this module fits a monotone map
from raw to *calibrated* confidence, so that among decisions calibrated at 0.7 about 70 %
succeed. The method (``docs/decisions-engine.md`` gives the measurements):

1. Clean: pairs whose raw confidence or outcome is not a finite number are dropped; finite
   values outside [0, 1] are clamped into it. Raw values are bucketed to 3 decimals, so a
   fit costs O(n) plus O(1001) whatever n is.
2. Isotonic regression by pool-adjacent-violators (PAV), weighted by bucket counts; the
   fitted function interpolates linearly between the ends of its constant runs and is
   flat outside the data's range (scikit-learn's ``IsotonicRegression(out_of_bounds=
   "clip")`` gives the same values; the unit tests hold it to values it produced).
3. Shrink toward a base map while data is scarce: ``weight = m / (m + SHRINK_K)`` with
   ``m = n - MIN_SAMPLES + 1``; below ``MIN_SAMPLES`` outcomes the weight is 0. The global
   calibration shrinks toward the identity; a kind's shrinks toward the global one.
   A blend of two monotone maps is monotone, and one more outcome moves it a little.
4. Thin to at most ``MAX_POINTS`` breakpoints (a subset of a monotone piecewise-linear
   map's points, interpolated, is still monotone), round to 4 decimals: the result is a
   small JSON/Firestore-ready dict (two flat arrays: Firestore refuses nested arrays).

``apply`` interpolates and clamps into [FLOOR, CEIL]: never certain either way. A raw
value that is not a finite number is read as 0 (the least confident), so it asks.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

# Below this many usable outcomes a calibration is the identity (raw passes through).
MIN_SAMPLES: Final = 20
# Pseudo-count of the shrinkage: weight 0.5 when MIN_SAMPLES + SHRINK_K - 1 outcomes exist.
SHRINK_K: Final = 20
# Breakpoints kept per calibration (each is two floats in the stored dict).
MAX_POINTS: Final = 50
# Kinds calibrated separately at most; the rest fall back to the global calibration.
MAX_KINDS: Final = 20
MAX_KIND_CHARS: Final = 64
FLOOR: Final = 0.01
CEIL: Final = 0.99
ECE_BINS: Final = 10
FORMAT_VERSION: Final = 1
_RAW_DECIMALS: Final = 3
_STORED_DECIMALS: Final = 4

Outcome = Literal["success", "partial", "failure"]
OUTCOME_VALUES: Final[Mapping[str, float]] = {"success": 1.0, "partial": 0.5, "failure": 0.0}

Pair = tuple[float, float]
"""(confidence in [0, 1], outcome value: success 1, partial 0.5, failure 0)."""

_IDENTITY: Final = ((0.0, 0.0), (1.0, 1.0))


class InvalidCalibration(ValueError):
    """A stored calibration that does not read back: the message names the field."""


def outcome_value(outcome: Outcome) -> float:
    """The number an outcome counts as: success 1, partial 0.5, failure 0."""
    return OUTCOME_VALUES[outcome]


def _finite(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


def clean(pairs: Iterable[Sequence[object]]) -> list[Pair]:
    """Usable pairs: non-finite or non-numeric entries dropped, the rest clamped to [0, 1]."""
    usable: list[Pair] = []
    for pair in pairs:
        if len(pair) != 2:
            continue
        raw, outcome = _finite(pair[0]), _finite(pair[1])
        if raw is not None and outcome is not None:
            usable.append((_unit(raw), _unit(outcome)))
    return usable


def _interpolate(points: Sequence[Pair], x: float) -> float:
    """The piecewise-linear map through ``points`` at x, flat beyond the ends."""
    if x <= points[0][0]:
        return points[0][1]
    if x >= points[-1][0]:
        return points[-1][1]
    i = bisect_right([p[0] for p in points], x)
    (x0, y0), (x1, y1) = points[i - 1], points[i]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


@dataclass(frozen=True, slots=True)
class Calibration:
    """A fitted raw → calibrated map: breakpoints, and how many outcomes it rests on."""

    points: tuple[Pair, ...] = _IDENTITY
    count: int = 0
    weight: float = 0.0

    def apply(self, raw: float) -> float:
        """Calibrated confidence in [FLOOR, CEIL]; a non-finite raw reads as 0."""
        x = _finite(raw)
        y = _interpolate(self.points, _unit(x) if x is not None else 0.0)
        return min(CEIL, max(FLOOR, y))

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "xs": [p[0] for p in self.points],
            "ys": [p[1] for p in self.points],
            "count": self.count,
            "weight": self.weight,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        """Read a stored calibration back, checking everything ``apply`` relies on."""
        if not isinstance(data, Mapping):
            raise InvalidCalibration("calibration: not an object")
        if data.get("version") != FORMAT_VERSION:
            raise InvalidCalibration("version: unknown")
        xs, ys = data.get("xs"), data.get("ys")
        if not isinstance(xs, list) or not isinstance(ys, list) or len(xs) != len(ys):
            raise InvalidCalibration("xs/ys: two lists of the same length expected")
        if not 2 <= len(xs) <= MAX_POINTS:
            raise InvalidCalibration(f"xs: 2 to {MAX_POINTS} points expected")
        points: list[Pair] = []
        for x_value, y_value in zip(xs, ys, strict=True):
            x, y = _finite(x_value), _finite(y_value)
            if x is None or y is None or not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
                raise InvalidCalibration("xs/ys: numbers in [0, 1] expected")
            if points and (x <= points[-1][0] or y < points[-1][1]):
                raise InvalidCalibration("xs/ys: xs increasing and ys non-decreasing expected")
            points.append((x, y))
        count, weight = data.get("count"), _finite(data.get("weight"))
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidCalibration("count: a non-negative integer expected")
        if weight is None or not 0.0 <= weight <= 1.0:
            raise InvalidCalibration("weight: a number in [0, 1] expected")
        return cls(points=tuple(points), count=count, weight=weight)


IDENTITY: Final = Calibration()


def _pav(xs: Sequence[float], ys: Sequence[float], ws: Sequence[float]) -> list[float]:
    """Weighted isotonic (non-decreasing) least-squares fit of ys, xs sorted and unique."""
    # Blocks of pooled values: [mean, weight, length]; a violation pools with the left.
    blocks: list[list[float]] = []
    for y, w in zip(ys, ws, strict=True):
        blocks.append([y, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, weight, length = blocks.pop()
            left = blocks[-1]
            total = left[1] + weight
            left[0] = (left[0] * left[1] + mean * weight) / total
            left[1] = total
            left[2] += length
    fitted: list[float] = []
    for mean, _, length in blocks:
        fitted.extend([mean] * int(length))
    return fitted


def isotonic_points(pairs: Sequence[Pair]) -> tuple[Pair, ...]:
    """Breakpoints of the isotonic fit: the ends of each constant run (as scikit-learn)."""
    buckets: dict[float, list[float]] = {}
    for raw, outcome in pairs:
        bucket = buckets.setdefault(round(raw, _RAW_DECIMALS), [0.0, 0.0])
        bucket[0] += outcome
        bucket[1] += 1.0
    xs = sorted(buckets)
    if not xs:
        return _IDENTITY
    ws = [buckets[x][1] for x in xs]
    fitted = _pav(xs, [buckets[x][0] / buckets[x][1] for x in xs], ws)
    points: list[Pair] = []
    for i, (x, y) in enumerate(zip(xs, fitted, strict=True)):
        first, last = i == 0, i == len(xs) - 1
        if first or last or fitted[i - 1] != y or fitted[i + 1] != y:
            points.append((x, y))
    return tuple(points)


def _thin(points: Sequence[Pair], limit: int = MAX_POINTS) -> list[Pair]:
    """At most ``limit`` of the points, evenly by index, always keeping both ends."""
    if len(points) <= limit:
        return list(points)
    last = len(points) - 1
    picks = sorted({round(i * last / (limit - 1)) for i in range(limit)})
    return [points[i] for i in picks]


def _blend(fit: Sequence[Pair], base: Sequence[Pair], weight: float) -> tuple[Pair, ...]:
    """weight * fit + (1 - weight) * base on [0, 1], thinned and rounded for storage."""
    xs = sorted({0.0, 1.0} | {p[0] for p in fit} | {p[0] for p in base})
    blended = [
        (x, weight * _interpolate(fit, x) + (1.0 - weight) * _interpolate(base, x)) for x in xs
    ]
    stored: list[Pair] = []
    for x, y in _thin(blended):
        x_r, y_r = round(x, _STORED_DECIMALS), _unit(round(y, _STORED_DECIMALS))
        if stored and x_r <= stored[-1][0]:
            continue
        stored.append((x_r, max(y_r, stored[-1][1]) if stored else y_r))
    return tuple(stored)


def shrink_weight(count: int) -> float:
    """How far a fit on ``count`` outcomes moves away from its base map (0 below minimum)."""
    if count < MIN_SAMPLES:
        return 0.0
    m = count - MIN_SAMPLES + 1
    return m / (m + SHRINK_K)


def fit(pairs: Iterable[Sequence[object]], *, base: Calibration = IDENTITY) -> Calibration:
    """Fit on (raw, outcome) pairs; identity (or ``base``) below MIN_SAMPLES usable pairs."""
    usable = clean(pairs)
    weight = shrink_weight(len(usable))
    if weight == 0.0:
        return Calibration(points=base.points, count=len(usable), weight=0.0)
    points = _blend(isotonic_points(usable), base.points, weight)
    return Calibration(points=points, count=len(usable), weight=round(weight, _STORED_DECIMALS))


@dataclass(frozen=True, slots=True)
class CalibrationSet:
    """A user's calibrations: a global one, and one per action kind with enough outcomes."""

    overall: Calibration = IDENTITY
    kinds: Mapping[str, Calibration] = field(default_factory=dict)

    def for_kind(self, kind: str | None) -> Calibration:
        """The kind's own calibration when it has one, the global one otherwise."""
        if kind is not None and kind in self.kinds:
            return self.kinds[kind]
        return self.overall

    def apply(self, raw: float, kind: str | None = None) -> float:
        return self.for_kind(kind).apply(raw)

    def to_dict(self) -> dict[str, Any]:
        return {
            "global": self.overall.to_dict(),
            "kinds": {kind: cal.to_dict() for kind, cal in sorted(self.kinds.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CalibrationSet:
        if not isinstance(data, Mapping):
            raise InvalidCalibration("calibration: not an object")
        kinds = data.get("kinds", {})
        if not isinstance(kinds, Mapping) or len(kinds) > MAX_KINDS:
            raise InvalidCalibration(f"kinds: an object of at most {MAX_KINDS} kinds expected")
        for kind in kinds:
            if not isinstance(kind, str) or not 0 < len(kind) <= MAX_KIND_CHARS:
                raise InvalidCalibration("kinds: names of 1 to 64 characters expected")
        return cls(
            overall=Calibration.from_dict(data.get("global", {})),
            kinds={kind: Calibration.from_dict(value) for kind, value in kinds.items()},
        )


def fit_by_kind(outcomes: Mapping[str, Iterable[Sequence[object]]]) -> CalibrationSet:
    """Global fit on every outcome; a kind with MIN_SAMPLES usable outcomes gets its own.

    A kind's fit shrinks toward the global calibration (not the identity), so a kind with
    few outcomes starts from what the user's other decisions say. Only the MAX_KINDS
    kinds with most outcomes are kept (ties by name); the others use the global map.
    """
    cleaned = {kind: clean(pairs) for kind, pairs in outcomes.items()}
    overall = fit([pair for pairs in cleaned.values() for pair in pairs])
    eligible = sorted(
        (
            kind
            for kind, pairs in cleaned.items()
            if isinstance(kind, str)
            and 0 < len(kind) <= MAX_KIND_CHARS
            and len(pairs) >= MIN_SAMPLES
        ),
        key=lambda kind: (-len(cleaned[kind]), kind),
    )[:MAX_KINDS]
    return CalibrationSet(
        overall=overall, kinds={kind: fit(cleaned[kind], base=overall) for kind in eligible}
    )


def brier(pairs: Iterable[Sequence[object]]) -> float | None:
    """Mean squared gap between confidence and outcome (0 is perfect); None when empty."""
    pairs = clean(pairs)
    if not pairs:
        return None
    return sum((p - y) ** 2 for p, y in pairs) / len(pairs)


def ece(pairs: Iterable[Sequence[object]], bins: int = ECE_BINS) -> float | None:
    """Expected calibration error: bins of equal width on confidence ([0, 0.1), ...,
    [0.9, 1.0], the last closed), each bin's |mean confidence - mean outcome| weighted by
    its share of pairs. None when empty."""
    pairs = clean(pairs)
    if not pairs:
        return None
    sums = [[0.0, 0.0, 0] for _ in range(bins)]
    for p, y in pairs:
        b = sums[min(bins - 1, int(p * bins))]
        b[0] += p
        b[1] += y
        b[2] += 1
    return sum(abs(conf - out) for conf, out, n in sums if n) / len(pairs)


def stats(pairs: Iterable[Sequence[object]]) -> dict[str, Any]:
    """``{count, brier, ece, successRate}`` over usable pairs (None for empty metrics)."""
    usable = clean(pairs)
    brier_score, error = brier(usable), ece(usable)
    return {
        "count": len(usable),
        "brier": None if brier_score is None else round(brier_score, _STORED_DECIMALS),
        "ece": None if error is None else round(error, _STORED_DECIMALS),
        "successRate": (
            round(sum(y for _, y in usable) / len(usable), _STORED_DECIMALS) if usable else None
        ),
    }


def should_ask(calibrated: float, threshold: float) -> bool:
    """True when the decision should ask instead of acting (also for non-numbers)."""
    c, t = _finite(calibrated), _finite(threshold)
    if c is None or t is None:
        return True
    return c < t
