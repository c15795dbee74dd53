"""The upload `firebase deploy` would make, installed into a clean virtualenv and imported.

Firebase uploads the functions source folder (".") minus firebase.json's `ignore` list and
installs requirements.txt beside main.py. If main.py imports anything that is ignored or
not pinned in requirements.txt, the deploy breaks; this test catches it here.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def ignore_patterns() -> list[str]:
    config = json.loads((ROOT / "firebase.json").read_text())
    return list(config["functions"][0]["ignore"])


def ignored(relative: Path, patterns: list[str]) -> bool:
    text = relative.as_posix()
    return any(
        fnmatch.fnmatch(text, pattern)
        or any(fnmatch.fnmatch(part, pattern.removeprefix("**/")) for part in relative.parts)
        for pattern in patterns
    )


def assemble_upload(target: Path) -> list[str]:
    """Copy what deploy uploads (tracked or not, as the CLI does) into `target`."""
    patterns = ignore_patterns()
    copied = []
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if path.is_dir() or ignored(relative, patterns):
            continue
        if any(
            ignored(Path(*relative.parts[: i + 1]), patterns) for i in range(len(relative.parts))
        ):
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        copied.append(relative.as_posix())
    return copied


def test_upload_contains_the_functions_and_nothing_of_the_rest(tmp_path: Path) -> None:
    files = assemble_upload(tmp_path / "upload")
    tops = {f.split("/", 1)[0] for f in files}
    assert {"main.py", "requirements.txt", "functions", "shared", ".env"} <= tops
    assert not tops & {"hosting", "tests", "tools", "infra", "venv", "docs", "bench", ".git"}


def test_upload_installs_and_imports_in_a_clean_venv(tmp_path: Path) -> None:
    upload = tmp_path / "upload"
    assemble_upload(upload)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            upload / "requirements.txt",
        ],
        check=True,
        timeout=900,
    )
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "FIRESTORE_", "FIREBASE_", "PUBSUB_"))
    }
    # What the Firebase CLI does on deploy: import main.py and read the function manifest.
    probe = (
        "from firebase_functions.private import serving; import main, yaml; "
        "print(','.join(sorted(yaml.safe_load(serving.functions_as_yaml("
        "serving.get_functions()))['endpoints'])))"
    )
    result = subprocess.run(
        [python, "-I", "-c", f"import sys; sys.path.insert(0, '.'); {probe}"],
        cwd=upload,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    import main

    assert result.stdout.strip() == ",".join(sorted(main.__all__))
    assert sys.prefix != str(env_dir)
