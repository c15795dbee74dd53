"""What reaching people costs (`make bench`; docs/channels.md, docs/platform.md):

* email: from an inbox notification's creation to the message in the local SMTP
  capture server (the notification trigger, the outbox, the `sendemail` Cloud Task, the
  SMTP conversation), for a user with email on and a verified address;
* billing: from paying on the Stripe stand-in's checkout page to the profile on `pro`
  (the signed webhook, its verification, the subscription read back from the API, the
  profile, the claim);

each against one warm callable round trip (`update_settings`) measured interleaved, so
the ratio says how many callable round trips the channel's path costs.

    venv/bin/python -m bench.channels      # alone, on a stack of its own
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

RUNS = 5
T = TypeVar("T")


def _wait(probe: Callable[[], T | None], timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.05)
    msg = "timed out"
    raise TimeoutError(msg)


def _user(emu: Any) -> Any:
    new = emu.sign_up()
    assert emu.call("ensure_profile", {}, new.id_token).status == "OK"
    return new.refresh()


def _round_trip(emu: Any, user: Any) -> float:
    started = time.perf_counter()
    answer = emu.call("update_settings", {"timezone": "Europe/Berlin"}, user.id_token)
    assert answer.status == "OK", answer
    return time.perf_counter() - started


def _email_once(emu: Any) -> float:
    """A fresh reader (so the per-user email limit never counts), one notification."""
    from shared.notifications.service import notify_once
    from shared.platform import clients
    from tools.stack import PROJECT_ID

    user = _user(emu)
    emu.session.post(
        f"{emu.AUTH}/identitytoolkit.googleapis.com/v1/projects/{PROJECT_ID}/accounts:update",
        json={"localId": user.uid, "emailVerified": True},
        headers={"Authorization": "Bearer owner"},
        timeout=10,
    ).raise_for_status()
    answer = emu.call("update_settings", {"email": {"enabled": True}}, user.id_token)
    assert answer.status == "OK", answer
    mail = f"{emu.STANDIN}/_standin/mail"

    def arrived() -> bool | None:
        messages = emu.session.get(mail, timeout=10).json()
        return True if any(user.email in m["rcptTos"] for m in messages) else None

    started = time.perf_counter()
    notify_once(
        db=clients.get_db(),
        uid=user.uid,
        notification_id="bench-email",
        title="Water the plants",
        body="Before the weekend.",
        kind="reminder",
        link="/inbox",
        now=datetime.now(UTC),
    )
    _wait(arrived)
    return time.perf_counter() - started


def _billing_once(emu: Any) -> float:
    """Checkout through the stand-in, then the time from paying to the profile on pro."""
    from shared.platform import clients

    user = _user(emu)
    here = f"{emu.HOSTING}/plan"
    answer = emu.call(
        "start_checkout",
        {"successUrl": f"{here}?checkout=success", "cancelUrl": f"{here}?checkout=canceled"},
        user.id_token,
    )
    assert answer.status == "OK", answer
    profile = clients.get_db().document(f"users/{user.uid}")

    def on_pro() -> bool | None:
        return True if (profile.get().to_dict() or {}).get("plan") == "pro" else None

    started = time.perf_counter()
    paid = emu.session.post(answer.result["url"], allow_redirects=False, timeout=30)
    assert paid.status_code == 303, paid.status_code
    _wait(on_pro)
    return time.perf_counter() - started


def figures() -> dict[str, Any]:
    from tests.support import emulators as emu

    caller = _user(emu)
    for _ in range(3):  # warm the workers the paths use
        _round_trip(emu, caller)
    _email_once(emu)
    _billing_once(emu)
    email, billing, base = [], [], []
    for _ in range(RUNS):
        base.append(_round_trip(emu, caller))
        email.append(_email_once(emu))
        base.append(_round_trip(emu, caller))
        billing.append(_billing_once(emu))
    base_s = float(statistics.median(base))
    email_s = float(statistics.median(email))
    billing_s = float(statistics.median(billing))
    return {
        "runs": RUNS,
        "callable_s": base_s,
        "email_s": email_s,
        "email_ratio": email_s / base_s,
        "billing_s": billing_s,
        "billing_ratio": billing_s / base_s,
    }


def table(results: dict[str, Any]) -> list[str]:
    row = results["channels"]
    return [
        "",
        f"Channels (median of {row['runs']}; against one warm update_settings round trip, "
        f"{row['callable_s'] * 1000:.0f} ms)",
        f"  {'notification to SMTP (s)':<28} {row['email_s']:>10.2f} "
        f"{row['callable_s']:>10.2f} {row['email_ratio']:>7.2f}",
        f"  {'pay to plan pro (s)':<28} {row['billing_s']:>10.2f} "
        f"{row['callable_s']:>10.2f} {row['billing_ratio']:>7.2f}",
    ]


def main() -> int:
    import sys

    from tools import stack

    with stack.running() as running:
        os.environ.update(running.env)
        results = {"channels": figures()}
    sys.stdout.write("\n".join(table(results)) + "\n\n" + json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
