"""Storage without the emulator: download-token URLs, the bucket name, and the local
rules runtime's wire protocol (tools/storage_rules_runtime, built as the stack builds it)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from shared.platform import clients
from tools import stack

STORAGE_ENV = (
    "STORAGE_EMULATOR_HOST",
    "FIREBASE_STORAGE_EMULATOR_HOST",
    "AURA_STORAGE_BUCKET",
    "FIREBASE_CONFIG",
    "GCLOUD_PROJECT",  # read before GOOGLE_CLOUD_PROJECT; the emulator tiers set it
)


@pytest.fixture(autouse=True)
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in STORAGE_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "aura-prod")


def test_production_url_encodes_the_path_as_one_segment() -> None:
    url = clients.storage_download_url("aura-prod.appspot.com", "users/u1/exports/e 1.json.gz", "t")
    assert url == (
        "https://firebasestorage.googleapis.com/v0/b/aura-prod.appspot.com/o/"
        "users%2Fu1%2Fexports%2Fe%201.json.gz?alt=media&token=t"
    )


def test_reserved_characters_cannot_escape_the_segment_or_the_query() -> None:
    url = clients.storage_download_url("b", "a/../?x=1&token=evil#frag/ü", "tok en&x=1")
    path, _, query = url.partition("?")
    assert (
        path
        == "https://firebasestorage.googleapis.com/v0/b/b/o/a%2F..%2F%3Fx%3D1%26token%3Devil%23frag%2F%C3%BC"
    )
    assert query == "alt=media&token=tok+en%26x%3D1"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("STORAGE_EMULATOR_HOST", "http://127.0.0.1:9199"),  # what the emulator gives functions
        ("STORAGE_EMULATOR_HOST", "127.0.0.1:9199"),
        ("FIREBASE_STORAGE_EMULATOR_HOST", "127.0.0.1:9199"),
    ],
)
def test_under_the_emulator_the_url_points_at_it(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str
) -> None:
    monkeypatch.setenv(key, value)
    url = clients.storage_download_url("demo-aura.appspot.com", "users/u/x", "t")
    assert (
        url == "http://127.0.0.1:9199/v0/b/demo-aura.appspot.com/o/users%2Fu%2Fx?alt=media&token=t"
    )


def test_bucket_name_defaults_to_the_projects_and_can_be_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert clients.storage_bucket_name() == "aura-prod.appspot.com"
    config = {"projectId": "aura-prod", "storageBucket": "aura-prod.firebasestorage.app"}
    monkeypatch.setenv("FIREBASE_CONFIG", json.dumps(config))  # as Cloud Functions set it
    assert clients.storage_bucket_name() == "aura-prod.firebasestorage.app"
    monkeypatch.setenv("AURA_STORAGE_BUCKET", "aura-exports")
    assert clients.storage_bucket_name() == "aura-exports"


def test_upload_chunks_are_whole_objects_only_under_the_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert clients.upload_chunk_size(1_048_576) == 1_048_576
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", "http://127.0.0.1:9199")
    assert clients.upload_chunk_size(1_048_576) == clients.EMULATOR_UPLOAD_CHUNK_BYTES
    assert clients.EMULATOR_UPLOAD_CHUNK_BYTES % (256 * 1024) == 0


# --- the local rules runtime ------------------------------------------------------------


def converse(requests: list[str]) -> tuple[list[dict[str, Any]], str]:
    """Run the runtime as the Storage emulator does; its JSON replies and its stderr."""
    jar = stack.storage_rules_runtime()
    java = stack.java_home() / "bin/java"
    done = subprocess.run(
        [str(java), "-Djava.security.manager=disallow", "-jar", str(jar), "serve"],
        input="".join(line + "\n" for line in requests),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    replies = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return replies, done.stderr


def load(content: str, request_id: int = 0) -> str:
    return json.dumps(
        {
            "action": "load_ruleset",
            "context": {
                "rulesetName": str(request_id),
                "source": {"files": [{"name": "storage.rules", "content": content}]},
            },
            "id": request_id,
        }
    )


def verify(request_id: int, path: str = "/b/demo-aura.appspot.com/o/users/u/x") -> str:
    variables = {"request": {"map_value": {"fields": {"auth": {"null_value": None}}}}}
    return json.dumps(
        {
            "action": "verify",
            "context": {
                "rulesetName": "0",
                "service": "firebase.storage",
                "path": path,
                "method": "get",
                "variables": variables,
            },
            "id": request_id,
        }
    )


def test_the_runtime_loads_aura_rules_and_denies_every_verify() -> None:
    rules = (stack.ROOT / "storage.rules").read_text()
    replies, stderr = converse([load(rules), verify(1), verify(2, '/b/x/o/users/u/ü "q"')])
    assert replies == [
        {"id": -1, "status": "ok"},
        {"id": 0, "status": "ok", "result": {"rulesVersion": 2}, "errors": [], "warnings": []},
        {"id": 1, "status": "ok", "result": {"permit": False}, "errors": [], "warnings": []},
        {"id": 2, "status": "ok", "result": {"permit": False}, "errors": [], "warnings": []},
    ]
    assert stderr == ""  # storage.rules grants nothing: no warning


def test_the_runtime_names_each_grant_it_does_not_evaluate() -> None:
    rules = (
        "service firebase.storage {\n"
        "  match /b/{bucket}/o {\n"
        "    // allow read;  (a comment, not a grant)\n"
        "    match /users/{uid}/{p=**} {\n"
        "      allow read: if request.auth.uid == uid;\n"
        "      allow write;\n"
        "      allow delete: if false;\n"
        "    }\n"
        "  }\n"
        "}\n"
    )
    replies, stderr = converse([load(rules), verify(1)])
    assert replies[1]["result"] == {"rulesVersion": 1}  # no rules_version line
    assert replies[2]["result"] == {"permit": False}
    grants = stderr.splitlines()
    assert len(grants) == 2
    assert "storage.rules:5: allow read: if request.auth.uid == uid;" in grants[0]
    assert "storage.rules:6: allow write;" in grants[1]
    assert "jarfile" not in stderr  # the emulator aborts on that word in stderr


def test_the_runtime_survives_garbage_and_answers_unknown_actions() -> None:
    replies, stderr = converse(["not json", '{"no": "id"}', '{"action": "other", "id": 7}'])
    assert replies[1]["id"] == 7
    assert replies[1]["result"] == {"permit": False}
    assert replies[1]["errors"] == ["unsupported action other"]
    assert "unreadable request" in stderr


def test_the_jar_is_built_once_per_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stack, "EMULATOR_BIN_DIR", tmp_path)
    first = stack.storage_rules_runtime()
    built = first.stat().st_mtime_ns
    assert stack.storage_rules_runtime() == first
    assert first.stat().st_mtime_ns == built
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no temp files left
