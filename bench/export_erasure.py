"""What data export and account erasure cost (`make bench`; docs/platform.md).

Both run as Cloud Tasks in the Functions emulator; each is timed from the callable's
answer to the moment its result is visible (the export's `done`, the erasure's Auth
account gone), for an account seeded with SEEDED documents, and set against a baseline
measured in the same run on the same emulator, from this process:

* export: the cheapest way to read those documents (pages of PAGE ordered by id, as the
  export pages them) — the rest is encoding, gzip, the upload and the bookkeeping;
* erasure: the cheapest way to delete them (batches of PAGE deletes) — the rest is the
  registry walk, the re-scan that proves nothing is left, the receipt and the Auth delete.

Seeded into `briefings` (SEEDED_IN), which no trigger watches, so the figures are not
the triggers' cost (`notifications` has had one since email delivery, and 2,000 of its
runs would queue ahead of everything measured after). Sizes: archive bytes per document,
gzip against the JSON it holds.

    venv/bin/python -m bench.export_erasure      # alone, on a stack of its own
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import time
from datetime import UTC, datetime
from typing import Any

SEEDED = 2_000
SEEDED_IN = "briefings"
PAGE = 300
RUNS = 3


def _seed(uid: str) -> None:
    from shared.platform import clients

    db = clients.get_db()
    now = datetime.now(UTC)
    for start in range(0, SEEDED, 400):
        batch = db.batch()
        for i in range(start, min(start + 400, SEEDED)):
            batch.set(
                db.document(f"users/{uid}/{SEEDED_IN}/b{i:05d}"),
                {
                    "date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "summary": f"Briefing {i}: water the plants before the weekend. " * 3,
                    "items": [{"kind": "task", "title": f"Task {i}", "due": None}],
                    "createdAt": now,
                },
            )
        batch.commit()


def _read_all(uid: str) -> int:
    """The baseline read: every seeded document, in pages ordered by id."""
    from shared.platform import clients

    ref = clients.get_db().collection(f"users/{uid}/{SEEDED_IN}")
    count, last = 0, None
    while True:
        query = ref.order_by("__name__").limit(PAGE)
        if last is not None:
            query = query.start_after(last)
        page = list(query.stream())
        count += len(page)
        if len(page) < PAGE:
            return count
        last = page[-1]


def _delete_all(uid: str) -> int:
    """The baseline delete: every seeded document, in batches of PAGE."""
    from shared.platform import clients

    db = clients.get_db()
    ref = db.collection(f"users/{uid}/{SEEDED_IN}")
    deleted = 0
    while page := list(ref.limit(PAGE).select([]).stream()):
        batch = db.batch()
        for snapshot in page:
            batch.delete(snapshot.reference)
        batch.commit()
        deleted += len(page)
    return deleted


def _wait(check: Any, timeout: float = 300.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := check()) is not None:
            return value
        time.sleep(0.05)
    msg = "timed out"
    raise TimeoutError(msg)


def _export_once(emu: Any) -> dict[str, float]:
    from shared.platform import clients

    user = emu.sign_up()
    assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
    _seed(user.uid)

    started = time.perf_counter()
    assert _read_all(user.uid) == SEEDED
    baseline_s = time.perf_counter() - started

    started = time.perf_counter()
    reply = emu.call("export_my_data", {}, user.id_token)
    assert reply.status == "OK", reply
    ref = clients.get_db().document(f"users/{user.uid}/exports/{reply.result['exportId']}")

    def done() -> dict[str, Any] | None:
        doc = ref.get().to_dict() or {}
        return doc if doc.get("status") in {"done", "failed"} else None

    doc = _wait(done)
    export_s = time.perf_counter() - started
    assert doc["status"] == "done", doc.get("error")
    archive = emu.session.get(doc["downloadUrl"], timeout=60).content
    plain = gzip.decompress(archive)
    documents = len(json.loads(plain)["documents"])
    return {
        "export_s": export_s,
        "read_s": baseline_s,
        "documents": documents,
        "archive_bytes": len(archive),
        "json_bytes": len(plain),
    }


def _erase_once(emu: Any) -> dict[str, float]:
    from shared.platform import clients

    # The baseline deletes another account's equal seed, so neither side warms the other.
    other = emu.sign_up()
    assert emu.call("ensure_profile", {}, other.id_token).status == "OK"
    _seed(other.uid)
    started = time.perf_counter()
    assert _delete_all(other.uid) == SEEDED
    baseline_s = time.perf_counter() - started

    user = emu.sign_up()
    assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
    _seed(user.uid)
    user.refresh()  # a fresh sign-in: delete_my_account wants a recent one
    started = time.perf_counter()
    reply = emu.call("delete_my_account", {"confirm": "delete my account"}, user.id_token)
    assert reply.status == "OK", reply
    db = clients.get_db()
    _wait(lambda: True if not db.document(f"_erasures/{user.uid}").get().exists else None)
    erase_s = time.perf_counter() - started
    assert not db.document(f"users/{user.uid}").get().exists
    return {"erase_s": erase_s, "delete_s": baseline_s}


def figures() -> dict[str, Any]:
    """Medians of RUNS exports and RUNS erasures, each beside its baseline."""
    from tests.support import emulators as emu

    exports = [_export_once(emu) for _ in range(RUNS)]
    erasures = [_erase_once(emu) for _ in range(RUNS)]

    def med(rows: list[dict[str, float]], key: str) -> float:
        return float(statistics.median(r[key] for r in rows))

    export_s, read_s = med(exports, "export_s"), med(exports, "read_s")
    # The task is queued START_DELAY_S after the request (shared/platform/erasure.py):
    # the work is what follows that wait.
    from shared.platform.erasure import START_DELAY_S

    erase_s = med(erasures, "erase_s") - START_DELAY_S
    delete_s = med(erasures, "delete_s")
    documents = med(exports, "documents")
    return {
        "seeded": SEEDED,
        "runs": RUNS,
        "export_s": export_s,
        "read_s": read_s,
        "export_ratio": export_s / read_s,
        "export_ms_per_1000_docs": export_s * 1000 / documents * 1000,
        "archive_bytes_per_doc": med(exports, "archive_bytes") / documents,
        "gzip_ratio": med(exports, "archive_bytes") / med(exports, "json_bytes"),
        "erase_s": erase_s,
        "delete_s": delete_s,
        "erase_ratio": erase_s / delete_s,
    }


def table(results: dict[str, Any]) -> list[str]:
    row = results["platform"]
    return [
        "",
        f"Export and erasure ({row['seeded']} seeded documents, median of {row['runs']}; "
        "from the callable's answer to the result)",
        f"  {'export to done (s)':<28} {row['export_s']:>10.2f} {row['read_s']:>10.2f} "
        f"{row['export_ratio']:>7.2f}  reading the same documents in pages",
        f"  {'erasure to receipt (s)':<28} {row['erase_s']:>10.2f} {row['delete_s']:>10.2f} "
        f"{row['erase_ratio']:>7.2f}  deleting the same documents in batches "
        "(after the task's start delay)",
        f"  archive {row['archive_bytes_per_doc']:.0f} bytes a document, gzip "
        f"{row['gzip_ratio'] * 100:.0f}% of its JSON",
    ]


def main() -> int:
    import sys

    from tools import stack

    with stack.running() as running:
        os.environ.update(running.env)
        results = {"platform": figures()}
    sys.stdout.write("\n".join(table(results)) + "\n\n" + json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
