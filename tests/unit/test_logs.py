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


# --- error reporting ----------------------------------------------------------------------


def crash() -> None:
    msg = "the disk is lava"
    raise RuntimeError(msg)


def test_a_crash_escaping_a_context_is_an_error_event_with_its_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(RuntimeError), logs.context(correlationId="c-9", uid="u-9", function="f"):
        crash()
    (entry,) = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert entry["severity"] == "ERROR"
    assert entry["@type"] == logs.ERROR_EVENT_TYPE
    assert entry["message"].startswith("Traceback (most recent call last):")
    assert "RuntimeError: the disk is lava" in entry["message"]
    assert entry["context"]["reportLocation"]["functionName"] == "crash"
    assert entry["context"]["reportLocation"]["filePath"].endswith("test_logs.py")
    assert entry["serviceContext"]["service"] == "f"
    assert (entry["correlationId"], entry["uid"]) == ("c-9", "u-9")


def test_a_crash_through_nested_contexts_is_reported_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(RuntimeError), logs.context(correlationId="outer"):  # noqa: SIM117
        with logs.context(step="inner"):
            crash()
    entries = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert len(entries) == 1
    assert entries[0]["step"] == "inner"


def test_domain_errors_and_what_adapters_raise_from_them_are_not_crashes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from shared.errors import InvalidArgument

    with pytest.raises(InvalidArgument), logs.context(correlationId="c"):
        raise InvalidArgument("bad", field="x")

    class Answer(Exception):
        pass

    def answer() -> None:
        try:
            raise InvalidArgument("bad", field="x")
        except InvalidArgument as exc:
            raise Answer("400") from exc

    with pytest.raises(Answer), logs.context(correlationId="c"):
        answer()
    assert capsys.readouterr().err == ""


def test_a_long_trace_keeps_its_end(capsys: pytest.CaptureFixture[str]) -> None:
    def deep(n: int) -> None:
        if n == 0:
            crash()
        deep(n - 1)

    with pytest.raises(RuntimeError), logs.context():
        deep(400)
    (entry,) = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert len(entry["message"]) <= logs.MAX_TRACE_CHARS + 20
    assert entry["message"].rstrip().endswith("RuntimeError: the disk is lava")
