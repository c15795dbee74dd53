from __future__ import annotations

import json

import pytest

from shared.platform import logs


def test_entries_are_json_with_severity_and_bound_context(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with logs.context(correlationId="c-1", uid="u-1"):
        logs.info("hello", step=2)
        with logs.context(function="f"):
            logs.error("bad")
    logs.info("outside")

    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    err = [json.loads(line) for line in captured.err.splitlines()]
    assert out[0] == {
        "severity": "INFO",
        "message": "hello",
        "correlationId": "c-1",
        "uid": "u-1",
        "step": 2,
    }
    assert out[1] == {"severity": "INFO", "message": "outside"}
    assert err == [
        {
            "severity": "ERROR",
            "message": "bad",
            "correlationId": "c-1",
            "uid": "u-1",
            "function": "f",
        }
    ]


def test_error_goes_to_stderr_with_context(capsys: pytest.CaptureFixture[str]) -> None:
    with logs.context(correlationId="c-2", uid=None):
        logs.error("bad")
    entry = json.loads(capsys.readouterr().err)
    assert entry == {"severity": "ERROR", "message": "bad", "correlationId": "c-2"}


def test_preview_never_logs_long_text_whole() -> None:
    text = "secret prompt " * 50
    shown = logs.preview(text)
    assert len(shown) < 120
    assert shown.endswith(f"({len(text)} chars)")
