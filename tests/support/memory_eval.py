"""The memory retrieval evaluation set (`tests/data/memory_eval.json`) and its measures,
shared by the unit test (vectors in-process) and `make bench` (the real `recall` on the
emulators). Pure: no emulator, no network.

* recall@k: the share of paraphrase questions for which at least one of their answer
  facts is among the k memories returned (nearest first; with a threshold, only those
  within it count, as `recall` returns nothing further away);
* unanswerable precision: the share of the questions no fact answers for which nothing
  is returned (every nearest memory is further than the threshold).

Distances are cosine distances (1 - cosine similarity), what Firestore's `find_nearest`
with `DistanceMeasure.COSINE` reports and `DEFAULT_DISTANCE_THRESHOLD` bounds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

EVAL_SET = Path(__file__).resolve().parent.parent / "data" / "memory_eval.json"
K = 3
# Thresholds the table shows (cosine distance).
TABLE_THRESHOLDS = (0.70, 0.72, 0.74, 0.76, 0.78, 0.80, 0.81, 0.82, 0.84, 0.86, 0.90)


@dataclass(frozen=True)
class Fact:
    id: str
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    answers: tuple[str, ...]  # empty: no fact answers it


@dataclass(frozen=True)
class EvalSet:
    about: str
    facts: tuple[Fact, ...]
    questions: tuple[Question, ...]  # paraphrases, each answered by `answers`
    unanswerable: tuple[Question, ...]


def load(path: Path = EVAL_SET) -> EvalSet:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return EvalSet(
        about=str(raw["about"]),
        facts=tuple(Fact(f["id"], f["text"]) for f in raw["facts"]),
        questions=tuple(
            Question(q["id"], q["text"], tuple(q["answers"])) for q in raw["questions"]
        ),
        unanswerable=tuple(Question(q["id"], q["text"], ()) for q in raw["unanswerable"]),
    )


# A ranking: for one question, (fact id, cosine distance) nearest first.
Ranking = Sequence[tuple[str, float]]


def cosine_distance(a: Sequence[float], b: Sequence[float]) -> float:
    """1 - cos(a, b) (plain: the vectors need not be unit length)."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = sum(x * x for x in a) ** 0.5
    nb = sum(y * y for y in b) ** 0.5
    return float(1.0 - dot / (na * nb))


def rank(query: Sequence[float], facts: Mapping[str, Sequence[float]]) -> list[tuple[str, float]]:
    """Every fact by cosine distance to `query`, nearest first (ties by id)."""
    return sorted(
        ((fid, cosine_distance(query, vector)) for fid, vector in facts.items()),
        key=lambda pair: (pair[1], pair[0]),
    )


def within(ranking: Ranking, threshold: float | None, k: int = K) -> list[str]:
    """The ids `recall(limit=k, threshold)` would return for this ranking."""
    return [fid for fid, distance in ranking[:k] if threshold is None or distance <= threshold]


def recall_at_k(
    questions: Sequence[Question],
    rankings: Sequence[Ranking],
    threshold: float | None = None,
    k: int = K,
) -> float:
    hits = sum(
        1
        for question, ranking in zip(questions, rankings, strict=True)
        if set(question.answers) & set(within(ranking, threshold, k))
    )
    return hits / len(questions)


def unanswerable_precision(rankings: Sequence[Ranking], threshold: float | None) -> float:
    """Share of unanswerable questions for which nothing is returned."""
    empty = sum(1 for ranking in rankings if not within(ranking, threshold))
    return empty / len(rankings)


def misses(
    questions: Sequence[Question], rankings: Sequence[Ranking], threshold: float | None = None
) -> list[str]:
    """One line per question that missed at k (what the answer was beaten by)."""
    lines = []
    for question, ranking in zip(questions, rankings, strict=True):
        got = within(ranking, threshold)
        if not set(question.answers) & set(got):
            seen = [d for fid, d in ranking if fid in question.answers]
            where = f"at {min(seen):.3f}" if seen else "not returned"
            lines.append(
                f"{question.id} {question.text!r}: answer {'/'.join(question.answers)} "
                f"{where}; top {[(fid, round(d, 3)) for fid, d in ranking[:K]]}"
            )
    return lines


def choose_threshold(
    questions: Sequence[Question],
    rankings: Sequence[Ranking],
    unanswerable: Sequence[Ranking],
    *,
    candidates: Sequence[float] | None = None,
    min_precision: float = 0.5,
) -> float:
    """The rule the shipped constant follows: the highest recall@k (within the threshold)
    among thresholds that return nothing for MORE than `min_precision` of the
    unanswerable questions; among equals the smallest (the stricter) threshold."""
    grid = candidates or [round(0.50 + 0.005 * i, 3) for i in range(101)]  # 0.50..1.00
    best: tuple[float, float] | None = None
    for threshold in grid:
        if unanswerable_precision(unanswerable, threshold) <= min_precision:
            continue
        score = recall_at_k(questions, rankings, threshold)
        if best is None or score > best[0]:
            best = (score, threshold)
    if best is None:
        raise ValueError("no threshold keeps the unanswerable precision over the minimum")
    return best[1]


def table(
    questions: Sequence[Question],
    rankings: Sequence[Ranking],
    unanswerable: Sequence[Ranking],
    thresholds: Sequence[float] = TABLE_THRESHOLDS,
    mark: float | None = None,
) -> str:
    lines = [f"{'threshold':>10} {'recall@3':>9} {'unanswerable precision':>23}"]
    lines += [
        f"{t:>10.3f} {recall_at_k(questions, rankings, t):>9.3f} "
        f"{unanswerable_precision(unanswerable, t):>23.3f}" + ("  <- default" if t == mark else "")
        for t in sorted({*thresholds, *([mark] if mark is not None else [])})
    ]
    lines.append(
        f"{'none':>10} {recall_at_k(questions, rankings, None):>9.3f} "
        f"{unanswerable_precision(unanswerable, None):>23.3f}"
    )
    return "\n".join(lines)
