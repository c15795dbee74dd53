"""infra/provision.sh against a stand-in `gcloud` (on PATH) that records each call and
keeps the backup schedules it was asked to create: the script provisions the daily and
weekly backups once, and a second run (the script is meant to be re-run after each
deploy) creates nothing new."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "infra" / "provision.sh"

FAKE_GCLOUD = """#!{python}
import json, os, sys
from pathlib import Path
state = Path(os.environ["FAKE_GCLOUD_STATE"])
args = sys.argv[1:]
with open(state / "calls.jsonl", "a") as calls:
    calls.write(json.dumps(args) + "\\n")
schedules = state / "schedules.json"
known = json.loads(schedules.read_text()) if schedules.exists() else []
if args[:3] == ["firestore", "backups", "schedules"] and args[3] == "list":
    print(json.dumps(known))
elif args[:3] == ["firestore", "backups", "schedules"] and args[3] == "create":
    weekly = {{"weeklyRecurrence": {{"day": "SUNDAY"}}}}
    known.append({{"dailyRecurrence": {{}}}} if "--recurrence=daily" in args else weekly)
    schedules.write_text(json.dumps(known))
elif args[:2] == ["projects", "describe"]:
    print("123456")
"""


def run_script(tmp_path: Path) -> list[list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "gcloud"
    fake.write_text(FAKE_GCLOUD.format(python=sys.executable))
    fake.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PROJECT": "demo-aura",
        "FAKE_GCLOUD_STATE": str(tmp_path),
    }
    subprocess.run(["bash", str(SCRIPT)], env=env, check=True, capture_output=True, cwd=ROOT)
    lines = (tmp_path / "calls.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def creates(calls: list[list[str]]) -> list[list[str]]:
    return [c for c in calls if c[:4] == ["firestore", "backups", "schedules", "create"]]


def test_backups_are_scheduled_daily_and_weekly_once(tmp_path: Path) -> None:
    first = creates(run_script(tmp_path))
    assert len(first) == 2
    daily, weekly = first
    assert "--recurrence=daily" in daily
    assert "--retention=7d" in daily
    assert "--recurrence=weekly" in weekly
    assert "--day-of-week=SUN" in weekly
    assert "--retention=14w" in weekly
    for call in first:
        assert "--database=(default)" in call
        assert call[call.index("--project") + 1] == "demo-aura"

    all_calls = run_script(tmp_path)
    assert len(creates(all_calls)) == 2  # the first run's two; the second added none
