"""`make bench`: figures as ratios against baselines measured in the same run.

These machines are noisy, so every figure is paired with a baseline taken interleaved
with it, and the ratio is what to compare between runs:

* cold start: seconds and resident memory after importing `main.py` (every function's
  cold start pays it) against importing `firebase_functions` + `firebase_admin` alone;
* callable round trip: `update_settings` (auth, a Firestore transaction) against `health`
  (public GET, one Firestore read and one Pub/Sub call), warm, through the emulators;
* chat: time from a message write to the first partial text seen by a Firestore
  listener, against the stand-in's own first-token delay (the rest is Aura's overhead);
  Firestore reads and writes of one chat turn; cache-hit latency against a miss;
* hardening: a condition evaluated in the sandboxed CEL worker against the core run
  in-process, and a template rendered with the size and time bounds against a plain
  Jinja2 sandbox (both in-process, no emulators);
* workflows: per-step overhead of a 20-step chain and a 20-branch fan-out/fan-in against
  one bare function round trip, and Firestore reads and writes per step;
* assistant (`bench/assistant.py`): quick-add latency on the AI path and the fallback,
  reminder lateness p50/p95 over 20 reminders, and the briefing tick's cost;
* decisions (`bench/decisions.py`): the feedback loop end to end through `decide` and
  `record_outcome`, an over-confident stand-in against a simulated user: ECE of raw and
  calibrated confidence after 0, 20 and 100 recorded outcomes;
* memory (`bench/memory.py`): recall@3 and unanswerable precision on
  tests/data/memory_eval.json through `remember`/`recall` (WordLlama, default threshold),
  recall latency p50 against one Firestore document get, and the embedding cache's effect;
* studio (`bench/studio.py`): time to the first streamed byte and to done per kind against
  the stand-in's own time for the same request, the gate's cost per KB of output per kind,
  and Firestore reads and writes of one generation;
* rate limit (`bench/limits.py`): `update_settings` in-process with the edge's limiter
  against the same call without it (interleaved), one limiter hit against one Firestore
  get, and the hit as a share of the callable round trip;
* platform (`bench/export_erasure.py`): a data export and an account erasure of 2,000
  documents, each against reading (deleting) the same documents in pages;
* channels (`bench/channels.py`): a notification to its email in the SMTP capture, and
  paying on the Stripe stand-in to the profile on pro, against a callable round trip.

Results go to bench/results/latest.json and are printed as a table.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
IMPORT_RUNS = 9
CALL_RUNS = 40
WARMUP = 5

PROBE = """
import json, resource, sys, time
started = time.perf_counter()
{imports}
elapsed = time.perf_counter() - started
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stdout.write(json.dumps({{"seconds": elapsed, "rss_mb": rss_kb / 1024}}))
"""
BASELINE_IMPORTS = "import firebase_functions.https_fn, firebase_admin"
# The SDK modules main.py's triggers need; firestore_fn loads the Firestore client to decode
# events, so this separates what the SDK costs from what Aura's own code adds.
SDK_IMPORTS = "import firebase_functions.https_fn, firebase_functions.firestore_fn, firebase_admin"
MAIN_IMPORTS = "import main"


def _import_probe(imports: str) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_EMULATOR_HOST")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(imports=imports)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(out))


def cold_start() -> dict[str, Any]:
    base: list[dict[str, float]] = []
    sdk: list[dict[str, float]] = []
    subject: list[dict[str, float]] = []
    for _ in range(IMPORT_RUNS):  # interleaved, so drift hits all alike
        base.append(_import_probe(BASELINE_IMPORTS))
        sdk.append(_import_probe(SDK_IMPORTS))
        subject.append(_import_probe(MAIN_IMPORTS))

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    return {
        "import_seconds": {
            "main": med(subject, "seconds"),
            "baseline": med(base, "seconds"),
            "ratio": med(subject, "seconds") / med(base, "seconds"),
        },
        "import_seconds_vs_sdk": {
            "main": med(subject, "seconds"),
            "baseline": med(sdk, "seconds"),
            "ratio": med(subject, "seconds") / med(sdk, "seconds"),
        },
        "rss_mb_vs_sdk": {
            "main": med(subject, "rss_mb"),
            "baseline": med(sdk, "rss_mb"),
            "ratio": med(subject, "rss_mb") / med(sdk, "rss_mb"),
        },
        "rss_mb": {
            "main": med(subject, "rss_mb"),
            "baseline": med(base, "rss_mb"),
            "ratio": med(subject, "rss_mb") / med(base, "rss_mb"),
        },
    }


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def callable_latency(emu: Any) -> dict[str, Any]:
    user = emu.sign_up()
    assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
    user.refresh()

    def health() -> None:
        emu.session.get(f"{emu.FUNCTIONS}/health", timeout=30).raise_for_status()

    zones = ["UTC", "Europe/Berlin"]

    def update_settings(i: int) -> None:
        result = emu.call("update_settings", {"timezone": zones[i % 2]}, user.id_token)
        assert result.status == "OK", result.error

    for i in range(WARMUP):
        health()
        update_settings(i)
    base, subject = [], []
    for i in range(CALL_RUNS):
        base.append(_timed(health))
        subject.append(_timed(lambda i=i: update_settings(i)))
    ms = 1000
    return {
        "update_settings_ms": {"p50": statistics.median(subject) * ms, "p90": _p90(subject) * ms},
        "health_ms": {"p50": statistics.median(base) * ms, "p90": _p90(base) * ms},
        "ratio_p50": statistics.median(subject) / statistics.median(base),
    }


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def table(results: dict[str, Any]) -> str:
    cold, call = results["cold_start"], results["callable"]
    rows = [
        (
            "import main.py (s)",
            cold["import_seconds"]["main"],
            cold["import_seconds"]["baseline"],
            cold["import_seconds"]["ratio"],
            "import firebase_functions + firebase_admin",
        ),
        (
            "import main.py (s)",
            cold["import_seconds_vs_sdk"]["main"],
            cold["import_seconds_vs_sdk"]["baseline"],
            cold["import_seconds_vs_sdk"]["ratio"],
            "+ firebase_functions.firestore_fn",
        ),
        (
            "RSS after import (MB)",
            cold["rss_mb_vs_sdk"]["main"],
            cold["rss_mb_vs_sdk"]["baseline"],
            cold["rss_mb_vs_sdk"]["ratio"],
            "+ firebase_functions.firestore_fn",
        ),
        (
            "RSS after import (MB)",
            cold["rss_mb"]["main"],
            cold["rss_mb"]["baseline"],
            cold["rss_mb"]["ratio"],
            "same baseline",
        ),
        (
            "update_settings p50 (ms)",
            call["update_settings_ms"]["p50"],
            call["health_ms"]["p50"],
            call["ratio_p50"],
            "health GET p50",
        ),
    ]
    lines = [
        f"{'figure':<30} {'value':>10} {'baseline':>10} {'ratio':>7}  baseline is",
        "-" * 90,
    ]
    lines += [f"{n:<30} {v:>10.3f} {b:>10.3f} {r:>7.2f}  {what}" for n, v, b, r, what in rows]
    ttft, cache, ops = results["ttft"], results["cache"], results["ops"]
    lines += [
        f"{'first token via listener (ms)':<30} {ttft['ttft_ms_p50']:>10.1f} "
        f"{ttft['standin_first_token_ms']:>10.1f} {ttft['ratio']:>7.2f}  "
        "stand-in's first-token delay",
        f"{'cache hit (ms)':<30} {cache['hit_ms_p50']:>10.1f} {cache['miss_ms_p50']:>10.1f} "
        f"{cache['ratio']:>7.2f}  cache miss (a stand-in call)",
    ]
    lines.append(
        f"(p90: update_settings {call['update_settings_ms']['p90']:.1f} ms, "
        f"health {call['health_ms']['p90']:.1f} ms; {CALL_RUNS} calls each, warm)"
    )
    lines.append(
        f"chat turn: {ops['reads_per_turn']:.0f} reads, {ops['writes_per_turn']:.0f} writes "
        f"({ops['reply_tokens']:.0f}-token reply streamed over ~{ops['stream_seconds']:.1f} s, "
        "including intent, title and usage)"
    )
    wf, wf_ops = results["workflows"], results["workflow_ops"]
    for name, label in (("linear", "20-step chain"), ("fan_out", "20-branch fan-out/in")):
        row = wf[name]
        lines.append(
            f"{'step, ' + label + ' (ms)':<30} {row['wall_ms_per_step']:>10.1f} "
            f"{wf['function_call_ms_p50']:>10.1f} {row['ratio_to_call']:>7.2f}  "
            "one function call (health GET p50)"
        )
        lines.append(
            f"  {label}: {row['steps']} steps in {row['wall_s']:.2f} s; queued->running "
            f"p50 {row['queued_to_running_ms_p50']:.0f} ms, running->finished p50 "
            f"{row['running_to_finished_ms_p50']:.0f} ms; "
            f"{wf_ops[name + '_reads_per_step']:.1f} reads, "
            f"{wf_ops[name + '_writes_per_step']:.1f} writes per step"
        )
    from bench import assistant

    lines += assistant.table(results)
    from bench import decisions

    lines += decisions.table(results["decisions"])
    from bench import memory

    lines += memory.table(results)
    from bench import studio

    lines += studio.table(results)
    from bench import limits

    lines += limits.table(results)
    from bench import export_erasure

    lines += export_erasure.table(results)
    from bench import channels

    lines += channels.table(results)
    return "\n".join(lines)


def live_figures() -> dict[str, Any]:
    """Everything that needs the emulators, in one stack."""
    from tools import stack

    with stack.running() as running:
        os.environ.update(running.env)
        from bench import assistant, chat, decisions, workflows
        from tests.support import emulators as emu

        user = emu.sign_up()
        assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
        user.refresh()
        emu.call("update_settings", {"timezone": "UTC"}, user.id_token)
        from shared.platform import clients

        clients.get_db().document(f"users/{user.uid}").update({"plan": "pro"})
        # The token's `plan` claim picks the per-function rate limits (functions/_limits.py):
        # ensure_profile brings the claims in line with the profile, then a fresh token.
        assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
        user.refresh()
        call = callable_latency(emu)
        from bench import limits

        return {
            "callable": call,
            "limits": limits.limiter_cost(call["update_settings_ms"]["p50"]),
            "ttft": chat.time_to_first_token(user),
            "ops": chat.operations_per_turn(user),
            "cache": chat.cache_latency(),
            "workflows": workflows.step_overhead(user),
            "workflow_ops": workflows.operations_per_step(user),
            "quick_add": assistant.quick_add_latency(user),
            "reminders": assistant.reminder_lateness(user),
            "briefing": assistant.briefing_tick(),
            "decisions": decisions.feedback_loop(),
            "memory": _memory(user),
            "studio": _studio(user),
            "platform": _platform(),
            "channels": _channels(),
        }


def _memory(user: Any) -> dict[str, Any]:
    """Memory retrieval quality and latency (bench/memory.py), on the running stack."""
    from bench import memory

    return memory.retrieval(user)


def _platform() -> dict[str, Any]:
    """Export and erasure against reading and deleting the same documents."""
    from bench import export_erasure

    return export_erasure.figures()


def _channels() -> dict[str, Any]:
    """Email and billing paths against a callable round trip (bench/channels.py)."""
    from bench import channels

    return channels.figures()


def _studio(user: Any) -> dict[str, Any]:
    """Studio latency, gate cost and writes per generation (bench/studio.py)."""
    from bench import studio

    return studio.figures(user)


def _calibration() -> list[dict[str, float]]:
    """The decision engine's feedback loop on a simulated over-confident model: expected
    calibration error of the raw and calibrated confidence after N recorded outcomes."""
    from shared.decisions import simulation

    return [dict(evaluation) for evaluation in simulation.run()]


def _calibration_table(rows: list[dict[str, float]]) -> str:
    lines = ["\nDecision calibration (simulated over-confident model; ECE, lower is better)"]
    lines += [
        f"  after {row['n']:>4.0f} outcomes: raw {row['raw_ece']:.3f}, calibrated "
        f"{row['calibrated_ece']:.3f}, ratio {row['calibrated_ece'] / row['raw_ece']:.2f}"
        for row in rows
    ]
    return "\n".join(lines)


def main() -> int:
    from bench import expressions, templates

    results = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cold_start": cold_start(),
        "conditions": expressions.bench_conditions(),
        "templates": templates.bench_templates(),
        "calibration": _calibration(),
        **live_figures(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    bounds = results["templates"]
    sys.stdout.write(
        table(results)
        + "\n\nWhat the hardening bounds cost (each against the unbounded way, same run)\n"
        + expressions.table(results["conditions"])
        + f"\ntemplate render (loop of 50 with filters), median of {bounds['runs']}:"
        f" jinja2 sandbox {bounds['baseline_ms']:.3f} ms, bounded {bounds['aura_ms']:.3f} ms,"
        f" ratio {bounds['ratio']:.2f}\n"
        + _calibration_table(results["calibration"])
        + f"\n\nwritten to {RESULTS / 'latest.json'}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
