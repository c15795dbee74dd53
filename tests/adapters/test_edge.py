"""The edge: one mapping from domain errors to HttpsError codes, and the caller."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from firebase_functions import https_fn

from functions import _edge
from shared import errors

Code = https_fn.FunctionsErrorCode


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.InvalidArgument("bad", field="a.b"), Code.INVALID_ARGUMENT),
        (errors.Unauthenticated("who"), Code.UNAUTHENTICATED),
        (errors.PermissionDenied("no"), Code.PERMISSION_DENIED),
        (errors.NotFound("gone"), Code.NOT_FOUND),
        (errors.AlreadyExists("again"), Code.ALREADY_EXISTS),
        (errors.FailedPrecondition("state"), Code.FAILED_PRECONDITION),
        (errors.ResourceExhausted("quota"), Code.RESOURCE_EXHAUSTED),
        (errors.Unavailable("later"), Code.UNAVAILABLE),
    ],
)
def test_each_domain_error_maps_to_its_code(error: errors.AuraError, code: Any) -> None:
    mapped = _edge.to_https_error(error)
    assert mapped.code == code
    assert mapped.message == error.message


def test_every_domain_error_class_is_mapped() -> None:
    def subclasses(cls: type[errors.AuraError]) -> list[type[errors.AuraError]]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    classes = subclasses(errors.AuraError)
    unmapped = [c for c in classes if _edge.to_https_error(c("x")).code == Code.INTERNAL]
    assert unmapped == []


def test_invalid_argument_carries_the_field_path() -> None:
    mapped = _edge.to_https_error(errors.InvalidArgument("timezone: bad", field="timezone"))
    assert mapped.details == {"field": "timezone"}


def request(auth: Any, data: Any = None) -> Any:
    return SimpleNamespace(auth=auth, data=data, raw_request=SimpleNamespace(headers={}))


def test_call_without_auth_raises_unauthenticated() -> None:
    with pytest.raises(https_fn.HttpsError) as caught, _edge.call(request(None), "f"):
        pass
    assert caught.value.code == Code.UNAUTHENTICATED


def test_call_maps_domain_errors_raised_inside() -> None:
    auth = SimpleNamespace(uid="u1", token={"role": "admin", "email": "a@b.c", "other": 1})
    seen = []

    def handler() -> None:
        with _edge.call(request(auth), "f") as caller:
            seen.append(caller)
            raise errors.NotFound("no such thing")

    with pytest.raises(https_fn.HttpsError) as caught:
        handler()
    assert caught.value.code == Code.NOT_FOUND
    assert seen[0].is_admin
    assert seen[0].claims == {"role": "admin"}


def test_a_crash_in_a_callable_is_reported_with_its_correlation_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Error Reporting groups the crash; the caller's correlation id leads to its logs.
    A domain error (an answer, not a crash) is not reported."""
    import json

    from shared.platform import logs

    auth = SimpleNamespace(uid="u1", token={})
    crashing = request(auth)
    crashing.raw_request.headers[_edge.CORRELATION_HEADER] = "corr-42"

    def handler() -> None:
        with _edge.call(crashing, "f"):
            raise KeyError("profile")

    with pytest.raises(KeyError):
        handler()
    with pytest.raises(https_fn.HttpsError), _edge.call(request(auth), "f"):
        raise errors.NotFound("no such thing")
    reports = [
        entry
        for entry in (json.loads(line) for line in capsys.readouterr().err.splitlines())
        if entry.get("@type") == logs.ERROR_EVENT_TYPE
    ]
    assert len(reports) == 1
    assert reports[0]["correlationId"] == "corr-42"
    assert reports[0]["uid"] == "u1"
    assert reports[0]["context"]["reportLocation"]["functionName"] == "handler"
    assert "KeyError: 'profile'" in reports[0]["message"]


def test_anonymous_auth_accounts_are_unauthenticated() -> None:
    auth = SimpleNamespace(uid="u1", token={"firebase": {"sign_in_provider": "anonymous"}})
    with pytest.raises(https_fn.HttpsError) as caught, _edge.call(request(auth), "f"):
        pass
    assert caught.value.code == Code.UNAUTHENTICATED


def test_callables_refuse_to_serve_when_tokens_would_go_unverified(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Auth emulator's variable in a deployed function (no FUNCTIONS_EMULATOR) makes
    the SDK accept unsigned tokens: every callable answers `unavailable` instead."""
    auth = SimpleNamespace(uid="u1", token={"firebase": {"sign_in_provider": "password"}})
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    monkeypatch.delenv("FUNCTIONS_EMULATOR", raising=False)
    with pytest.raises(https_fn.HttpsError) as caught, _edge.call(request(auth), "f"):
        pass
    assert caught.value.code == Code.UNAVAILABLE
    monkeypatch.setenv("FUNCTIONS_EMULATOR", "true")  # inside the emulator it is expected
    with _edge.call(request(auth), "f") as caller:
        assert caller.uid == "u1"


def test_a_body_nested_too_deeply_for_the_sdk_is_invalid_argument() -> None:
    """The SDK's own parse raises RecursionError (an `internal`) on deep JSON; the guard
    every callable is registered through answers `invalid-argument` first."""
    from flask import Flask

    from main import update_settings

    deep = '{"data": ' + '{"a":' * 5_000 + "1" + "}" * 5_000 + "}"
    with Flask(__name__).test_request_context(
        "/", method="POST", data=deep, content_type="application/json"
    ):
        from flask import request

        response = update_settings(request)
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"field": "data"}
    assert update_settings.__firebase_endpoint__.callableTrigger is not None


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidArgument("bad"), 400),
        (errors.NotFound("gone"), 404),
        (errors.FailedPrecondition("archived"), 400),
        (errors.ResourceExhausted("busy"), 429),
        (errors.Unavailable("later"), 503),
    ],
)
def test_plain_http_functions_map_domain_errors_with_the_callable_table(
    error: errors.AuraError, status: int
) -> None:
    assert _edge.http_status(error) == status
