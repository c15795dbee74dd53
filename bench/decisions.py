"""The decision engine's feedback loop, end to end on the emulators (`make bench`).

A simulated user asks decisions of two kinds through the `decide` callable; the AI
stand-in is over-confident (it states CONFIDENCE for every decision, a
`[[standin confidence=...]]` directive in the context) while the user's true success
rate differs by kind (TRUTH). Each decision's outcome is drawn from the truth with a
fixed seed and recorded through `record_outcome`, which refits the calibration in
Firestore. After N = 0, 20 and 100 outcomes, one fresh decision per kind is scored:
the expected calibration error (`shared.decisions.calibration.ece`, 10 bins) of its raw
and of its calibrated confidence against the kind's true success rate, the kinds
weighted alike. The baseline is the raw confidence: the ratio is what calibration buys.

    venv/bin/python -m bench.decisions      # alone, on a stack of its own
"""

from __future__ import annotations

import os
import random
import time
from typing import Any

from shared.decisions import calibration
from tests.support import emulators as emu

CONFIDENCE = 0.9  # what the over-confident model states
TRUTH = {"schedule": 0.5, "email": 0.8}  # the simulated user's true success rate per kind
CHECKPOINTS = (0, 20, 100)
SEED = 11


def _decide(user: emu.User, kind: str, question: str) -> dict[str, Any]:
    result = emu.call(
        "decide",
        {
            "question": question,
            "kind": kind,
            "context": f"[[standin confidence={CONFIDENCE}]]",
        },
        user.id_token,
    )
    assert result.status == "OK", result.error
    return dict(result.result)


def _score(user: emu.User, n: int) -> dict[str, Any]:
    """One fresh decision per kind, scored against the kind's truth."""
    by_kind = {}
    for kind, truth in TRUTH.items():
        made = _decide(user, kind, f"Evaluate {kind} after {n} outcomes: should I go ahead?")
        by_kind[kind] = {
            "truth": truth,
            "raw": made["rawConfidence"],
            "calibrated": made["confidence"],
            "scope": made["calibration"]["scope"],
        }
    raw = calibration.ece([(k["raw"], k["truth"]) for k in by_kind.values()])
    calibrated = calibration.ece([(k["calibrated"], k["truth"]) for k in by_kind.values()])
    return {"n": n, "raw_ece": raw, "calibrated_ece": calibrated, "by_kind": by_kind}


def feedback_loop(user: emu.User | None = None) -> dict[str, Any]:
    """The figures: ECE of raw and calibrated confidence after each checkpoint, and the
    user's stats document at the end (what the Decisions page shows)."""
    from shared.platform import clients

    if user is None:
        user = emu.sign_up()
        assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
        user.refresh()
    # Pro: 500 decisions a day, room for the 106 this makes; the token's claim too (the
    # per-function rate limits read it: functions/_limits.py).
    clients.get_db().document(f"users/{user.uid}").update({"plan": "pro"})
    assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
    user.refresh()
    rng = random.Random(SEED)  # noqa: S311  (a simulation, seeded to repeat)
    kinds = list(TRUTH)
    started = time.perf_counter()
    rows, recorded = [], 0
    for checkpoint in CHECKPOINTS:
        while recorded < checkpoint:
            kind = kinds[recorded % len(kinds)]
            made = _decide(user, kind, f"Decision {recorded} about {kind}: go ahead?")
            success = rng.random() < TRUTH[kind]
            result = emu.call(
                "record_outcome",
                {"decisionId": made["decisionId"], "outcome": "success" if success else "failure"},
                user.id_token,
            )
            assert result.status == "OK", result.error
            recorded += 1
        rows.append(_score(user, checkpoint))
    stats = clients.get_db().document(f"users/{user.uid}/decisionStats/current").get()
    stored = stats.to_dict() or {}
    return {
        "rows": rows,
        "stats": {k: stored.get(k) for k in ("count", "brier", "ece", "brierRaw", "eceRaw")},
        "seconds": time.perf_counter() - started,
    }


def table(results: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"Decision feedback loop, end to end (stand-in states {CONFIDENCE}; true success "
        + ", ".join(f"{kind} {p}" for kind, p in TRUTH.items())
        + "; ECE against the truth, lower is better)",
    ]
    for row in results["rows"]:
        kinds = ", ".join(
            f"{kind} {k['calibrated']:.3f} ({k['scope']})" for kind, k in row["by_kind"].items()
        )
        ratio = row["calibrated_ece"] / row["raw_ece"] if row["raw_ece"] else float("nan")
        lines.append(
            f"  after {row['n']:>4} outcomes: raw {row['raw_ece']:.3f}, calibrated "
            f"{row['calibrated_ece']:.3f}, ratio {ratio:.2f}  [calibrated: {kinds}]"
        )
    stats = results["stats"]
    lines.append(
        f"  stats document after {stats['count']} outcomes: Brier {stats['brier']} (shown) vs "
        f"{stats['brierRaw']} (raw), ECE {stats['ece']} vs {stats['eceRaw']}; "
        f"{results['seconds']:.0f} s"
    )
    return lines


def main() -> int:
    import sys

    from tools import stack

    with stack.running() as running:
        os.environ.update(running.env)
        results = feedback_loop()
    sys.stdout.write("\n".join(table(results)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
