"""Memory retrieval figures for `make bench`, on the emulators with the stand-in's WordLlama
embeddings, through the real service (`shared.memory.service.remember` and `recall`, the
gateway's `embed` and cache, Firestore's `find_nearest` on the emulator):

* quality on `tests/data/memory_eval.json`: every fact remembered for one bench user,
  then every question recalled (k=3, `DEFAULT_DISTANCE_THRESHOLD`): recall@3 (a hit when
  one of the question's answer facts is returned), and the unanswerable precision (the
  share of questions no fact answers for which nothing is returned);
* latency: `recall` p50 against one plain Firestore query measured interleaved with it (a
  single-document get; a 3-document `where` query is reported beside it), with the
  vector search alone (`nearest`, the query's vector already computed) to show where the
  time goes;
* the embedding cache: the same questions a second time (every query's vector cached by
  the gateway), p50 against the first pass.

The distances Firestore returns are checked against cosine distances computed here from
the stored vectors, so the threshold means the same thing in the unit test and here.

Run alone: `python -m bench.memory` (starts its own local stack).
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from typing import Any

from tests.support import memory_eval as ev

K = ev.K
WARMUP = ("what do I usually eat for breakfast", "which holidays have I planned")


def _ms(seconds: float) -> float:
    return seconds * 1000


def retrieval(user: Any) -> dict[str, Any]:
    """`user`: a signed-up bench user (tests.support.emulators.User) with a profile."""
    from google.cloud.firestore import FieldFilter

    from shared.memory import repository, service
    from shared.memory.models import DEFAULT_DISTANCE_THRESHOLD, Remember
    from shared.platform import clients
    from tests.support.gateway import local_gateway

    evalset = ev.load()
    db, gateway = clients.get_db(), local_gateway()
    uid = user.uid
    plan = service.plan_of(db, uid)
    threshold = DEFAULT_DISTANCE_THRESHOLD

    def now() -> datetime:
        return datetime.now(UTC)

    fact_of: dict[str, str] = {}  # memory id -> fact id
    started = time.perf_counter()
    for fact in evalset.facts:
        kept = service.remember(
            db=db, gateway=gateway, uid=uid, plan=plan, command=Remember(text=fact.text), now=now()
        )
        fact_of[kept.id] = fact.id
    remember_s = time.perf_counter() - started

    def recall(text: str) -> list[Any]:
        return service.recall(
            db=db, gateway=gateway, uid=uid, plan=plan, query=text, limit=K, now=now()
        )

    profile = db.document(f"users/{uid}")
    small = repository.memories_of(db, uid).where(filter=FieldFilter("active", "==", True))

    def get_one() -> None:
        profile.get()

    def where_three() -> None:
        small.limit(3).get()

    for text in WARMUP:  # the stand-in loads WordLlama on its first embedding, if need be
        recall(text)
        get_one()
        where_three()

    asked = [*evalset.questions, *evalset.unanswerable]
    passes: list[list[list[Any]]] = []
    recall_s: list[list[float]] = [[], []]
    get_s: list[float] = []
    where_s: list[float] = []
    for run in range(2):  # the first embeds every question, the second finds all cached
        found_this_pass = []
        for question in asked:
            get_s.append(_timed(get_one))
            t0 = time.perf_counter()
            found_this_pass.append(recall(question.text))
            recall_s[run].append(time.perf_counter() - t0)
            where_s.append(_timed(where_three))
        passes.append(found_this_pass)

    # The vector search alone: the questions' vectors (cached now) searched directly.
    vectors = gateway.embed([q.text for q in asked], uid=uid, plan=plan).vectors
    nearest_s = [
        _timed(
            lambda v=v: service.nearest(
                db=db, uid=uid, vector=v, limit=K, threshold=threshold, now=now()
            )
        )
        for v in vectors
    ]

    first = passes[0]
    n_answerable = len(evalset.questions)

    def ranking(results: list[Any]) -> list[tuple[str, float]]:
        return [(fact_of.get(r.id, r.id), r.distance) for r in results]

    answerable = [ranking(r) for r in first[:n_answerable]]
    unanswerable = [ranking(r) for r in first[n_answerable:]]
    agree = all(
        [m.id for m in a] == [m.id for m in b] for a, b in zip(passes[0], passes[1], strict=True)
    )
    drift = _distance_drift(db, uid, first, vectors)
    p50 = statistics.median(recall_s[0])
    p50_cached = statistics.median(recall_s[1])
    return {
        "facts": len(evalset.facts),
        "questions": n_answerable,
        "unanswerable": len(evalset.unanswerable),
        "threshold": threshold,
        "recall_at_3": ev.recall_at_k(evalset.questions, answerable, threshold),
        "unanswerable_precision": ev.unanswerable_precision(unanswerable, threshold),
        "returned_per_question": statistics.mean(len(r) for r in first[:n_answerable]),
        "returned_per_unanswerable": statistics.mean(len(r) for r in first[n_answerable:]),
        "misses": ev.misses(evalset.questions, answerable, threshold),
        "same_results_second_pass": agree,
        "max_distance_drift": drift,
        "remember_ms_per_fact": _ms(remember_s / len(evalset.facts)),
        "recall_ms_p50": _ms(p50),
        "recall_ms_p90": _ms(_p90(recall_s[0])),
        "recall_cached_ms_p50": _ms(p50_cached),
        "nearest_ms_p50": _ms(statistics.median(nearest_s)),
        "get_ms_p50": _ms(statistics.median(get_s)),
        "where_ms_p50": _ms(statistics.median(where_s)),
        "ratio_to_get": p50 / statistics.median(get_s),
        "ratio_to_where": p50 / statistics.median(where_s),
        "cached_ratio_to_get": p50_cached / statistics.median(get_s),
        "nearest_ratio_to_get": statistics.median(nearest_s) / statistics.median(get_s),
        "cache_ratio": p50_cached / p50,
    }


def _distance_drift(db: Any, uid: str, results: list[list[Any]], vectors: list[Any]) -> float:
    """The largest gap between a distance Firestore returned and 1 - cos computed here
    from the stored embedding and the query's vector."""
    from shared.memory import repository

    stored = {
        snap.id: list((snap.to_dict() or {})["embedding"])
        for snap in repository.memories_of(db, uid).get()
    }
    gaps = [
        abs(memory.distance - ev.cosine_distance(vector, stored[memory.id]))
        for found, vector in zip(results, vectors, strict=True)
        for memory in found
    ]
    return max(gaps, default=0.0)


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def table(results: dict[str, Any]) -> list[str]:
    mem = results["memory"]
    return [
        f"{'memory recall p50 (ms)':<30} {mem['recall_ms_p50']:>10.1f} "
        f"{mem['get_ms_p50']:>10.1f} {mem['ratio_to_get']:>7.2f}  "
        "one Firestore document get p50",
        f"{'memory recall p50 (ms)':<30} {mem['recall_ms_p50']:>10.1f} "
        f"{mem['where_ms_p50']:>10.1f} {mem['ratio_to_where']:>7.2f}  "
        "a 3-document where query p50",
        f"{'memory recall, cached (ms)':<30} {mem['recall_cached_ms_p50']:>10.1f} "
        f"{mem['recall_ms_p50']:>10.1f} {mem['cache_ratio']:>7.2f}  "
        "first pass (embedding not cached)",
        f"{'vector search alone (ms)':<30} {mem['nearest_ms_p50']:>10.1f} "
        f"{mem['get_ms_p50']:>10.1f} {mem['nearest_ratio_to_get']:>7.2f}  "
        "one Firestore document get p50",
        f"  memory retrieval ({mem['facts']} facts, {mem['questions']} paraphrase questions, "
        f"{mem['unanswerable']} unanswerable; WordLlama, k={K}, threshold "
        f"{mem['threshold']}): recall@3 {mem['recall_at_3']:.3f}, unanswerable precision "
        f"{mem['unanswerable_precision']:.3f}; {mem['returned_per_question']:.2f} memories "
        f"returned per question, {mem['returned_per_unanswerable']:.2f} per unanswerable; "
        f"remember {mem['remember_ms_per_fact']:.0f} ms per fact; Firestore's distances "
        f"within {mem['max_distance_drift']:.1e} of 1 - cos",
    ]


def main() -> int:
    """Run this part alone on a local stack of its own."""
    import os
    import sys

    from tools import stack

    with stack.running() as running:
        os.environ.update(running.env)
        from shared.platform import clients
        from tests.support import emulators as emu

        user = emu.sign_up()
        assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
        clients.get_db().document(f"users/{user.uid}").update({"plan": "pro"})
        results = {"memory": retrieval(user)}
    sys.stdout.write("\n".join(table(results)) + "\n")
    misses = results["memory"]["misses"]
    sys.stdout.write(f"misses at the threshold ({len(misses)}):\n  " + "\n  ".join(misses) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
