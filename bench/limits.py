"""What the edge's per-user rate limit costs a call (`make bench`; docs/security.md,
"Rate limits per function").

Every callable makes one `shared.platform.ratelimit.hit` in `functions/_edge.py` before
its handler: one `Increment` write to `_rateLimits`. Measured on the running emulators,
in this process, so the two sides differ by the limiter alone:

* `update_settings` called the way the Functions framework calls it (a Flask request in
  the callable protocol carrying the user's emulator ID token; SDK token check, edge,
  parse, the service's Firestore transaction), with the edge's Firestore limiter against
  the same call with the limiter replaced by one that admits without any I/O;
  interleaved, medians, the ratio is with / without;
* the hit alone against one Firestore document get (the cheapest round trip);
* the hit as a share of the `update_settings` round trip through the Functions emulator
  (`bench/run.py`'s callable figure), which is what a client sees.

Why not the same callable through the emulator with the limit switched off: that needs a
switch in the function's environment that turns the limit off (in a deployment, a switch
an attacker would look for) and a second stack started minutes later on a shared
machine, whose drift is larger than the cost measured here.

    venv/bin/python -m bench.limits      # alone, on a stack of its own
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from shared.platform.ratelimit import Decision

RUNS = 40
WARMUP = 5
ZONES = ("UTC", "Europe/Berlin")


def _admit(key: str, limit: int, window_s: int, shards: int, subject: str) -> Decision:
    """The no-limit side: admits every call, no I/O."""
    return Decision(allowed=True, remaining=limit, retry_after_s=0.0)


@contextlib.contextmanager
def _as_in_the_functions_emulator() -> Iterator[None]:
    """FUNCTIONS_EMULATOR=true, as the emulator sets for its workers: the edge then accepts
    the Auth emulator's tokens (outside it, it refuses to serve)."""
    saved = os.environ.get("FUNCTIONS_EMULATOR")
    os.environ["FUNCTIONS_EMULATOR"] = "true"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("FUNCTIONS_EMULATOR", None)
        else:
            os.environ["FUNCTIONS_EMULATOR"] = saved


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def limiter_cost(round_trip_ms_p50: float | None = None) -> dict[str, Any]:
    """The figures (a user of its own, so no other figure's calls share its window)."""
    from flask import Flask, request

    import main
    from functions import _edge
    from shared.platform import clients, ratelimit
    from tests.support import emulators as emu

    user = emu.sign_up()
    assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
    user.refresh()
    app = Flask(__name__)
    db = clients.get_db()

    def update_settings(i: int) -> None:
        with app.test_request_context(
            "/",
            method="POST",
            data=json.dumps({"data": {"timezone": ZONES[i % 2]}}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {user.id_token}"},
        ):
            response = main.update_settings(request)
        assert response.status_code == 200, response.get_data(as_text=True)

    def limited(i: int) -> None:
        _edge.limiter = _edge.firestore_limiter
        update_settings(i)

    def unlimited(i: int) -> None:
        _edge.limiter = _admit
        update_settings(i)

    key = f"bench:{uuid.uuid4().hex}"
    profile = db.document(f"users/{user.uid}")

    def hit() -> None:
        decision = ratelimit.hit(
            db, key=key, limit=1_000_000, window_s=60, now=datetime.now(UTC), subject=user.uid
        )
        assert decision.allowed

    def get() -> None:
        profile.get()

    with_limit, without, hits, gets = [], [], [], []
    try:
        with _as_in_the_functions_emulator():
            for i in range(WARMUP):
                limited(i)
                unlimited(i)
                hit()
                get()
            for i in range(RUNS):  # interleaved, so drift hits both sides alike
                with_limit.append(_timed(lambda i=i: limited(i)))
                without.append(_timed(lambda i=i: unlimited(i)))
                hits.append(_timed(hit))
                gets.append(_timed(get))
    finally:
        _edge.limiter = _edge.firestore_limiter
    med, ms = statistics.median, 1000
    out: dict[str, Any] = {
        "runs": RUNS,
        "with_limit_ms_p50": med(with_limit) * ms,
        "without_limit_ms_p50": med(without) * ms,
        "ratio_p50": med(with_limit) / med(without),
        "added_ms_p50": (med(with_limit) - med(without)) * ms,
        "hit_ms_p50": med(hits) * ms,
        "get_ms_p50": med(gets) * ms,
        "hit_ratio_to_get": med(hits) / med(gets),
    }
    if round_trip_ms_p50:
        out["round_trip_ms_p50"] = round_trip_ms_p50
        out["hit_share_of_round_trip"] = out["hit_ms_p50"] / round_trip_ms_p50
    return out


def table(results: dict[str, Any]) -> list[str]:
    row = results["limits"]
    lines = [
        "",
        "Edge rate limit (one _rateLimits write per call; update_settings in-process, "
        f"interleaved, {row['runs']} calls each)",
        f"  {'with limit p50 (ms)':<28} {row['with_limit_ms_p50']:>10.1f} "
        f"{row['without_limit_ms_p50']:>10.1f} {row['ratio_p50']:>7.2f}  same call, no limiter",
        f"  {'one hit p50 (ms)':<28} {row['hit_ms_p50']:>10.1f} {row['get_ms_p50']:>10.1f} "
        f"{row['hit_ratio_to_get']:>7.2f}  one document get",
    ]
    if "hit_share_of_round_trip" in row:
        lines.append(
            f"  one hit is {row['hit_share_of_round_trip'] * 100:.0f}% of the update_settings "
            f"round trip through the Functions emulator ({row['round_trip_ms_p50']:.1f} ms p50)"
        )
    return lines


def main() -> int:
    import sys

    from tools import stack

    with stack.running() as running:
        os.environ.update(running.env)
        results = {"limits": limiter_cost()}
    sys.stdout.write("\n".join(table(results)) + "\n\n" + json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
