"""Email without the emulators: preferences, signed links, rendering of hostile text, the
MIME message, SMTP error handling against the local capture server, the backoff schedule
and the unsubscribe pages."""

from __future__ import annotations

import itertools
import smtplib
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from shared.accounts.models import EMAIL_KINDS, Settings, UpdateSettings
from shared.email import links, pages, render
from shared.email.models import (
    BACKOFF_S,
    MAX_ATTEMPTS,
    MAX_SUBJECT_CHARS,
    PREFERENCE_OF,
    SendEmailTask,
    backoff,
    preference_for,
)
from shared.email.smtp import (
    ConfigError,
    PermanentSendError,
    SmtpConfig,
    SmtpTransport,
    TransientSendError,
    _classify,
    build_message,
    message_id,
)
from shared.errors import InvalidArgument
from shared.validation import parse
from tools.standin.mail import MailServer

KEY = b"unit-test-link-key"
ORIGIN = "https://aura.example"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script> & <img src=x onerror=alert(2)> \"quoted\" 'single'"


# --- preferences ---------------------------------------------------------------------


def test_email_is_off_by_default_and_each_kind_needs_it_on() -> None:
    settings = Settings()
    assert not settings.email.enabled
    assert all(preference_for(settings, kind) is None for kind in PREFERENCE_OF)
    on = UpdateSettings(email={"enabled": True}).applied_to(settings)  # type: ignore[arg-type]
    assert preference_for(on, "reminder") == "reminders"
    assert preference_for(on, "briefing") == "briefing"
    assert preference_for(on, "export") == "exports"
    assert preference_for(on, "workflow") is None  # automations: only when asked for
    assert preference_for(on, "decision") is None  # a kind never emailed
    workflows = UpdateSettings(email={"kinds": {"workflows": True}}).applied_to(on)  # type: ignore[arg-type]
    assert preference_for(workflows, "workflow") == "workflows"


def test_every_email_kind_has_one_notification_kind_and_a_label() -> None:
    assert sorted(PREFERENCE_OF.values()) == sorted(EMAIL_KINDS)
    assert set(render.KIND_LABELS) == set(EMAIL_KINDS)


def test_email_settings_change_only_the_fields_given() -> None:
    command = parse(UpdateSettings, {"email": {"kinds": {"reminders": False}}})
    assert command.changes() == {"settings.email.kinds.reminders": False}
    command = parse(UpdateSettings, {"email": {"enabled": True, "kinds": {"workflows": True}}})
    assert command.changes() == {
        "settings.email.enabled": True,
        "settings.email.kinds.workflows": True,
    }
    applied = command.applied_to(Settings())
    assert applied.email.enabled
    assert applied.email.kinds.workflows
    assert applied.email.kinds.reminders  # untouched


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": {}}, "email"),
        ({"email": {"enabled": "yes"}}, "email.enabled"),
        ({"email": {"kinds": {"spam": True}}}, "email.kinds.spam"),
        ({"email": {"kinds": {"reminders": 1}}}, "email.kinds.reminders"),
        ({"email": {"address": "x@example.com"}}, "email.address"),
    ],
)
def test_bad_email_settings_name_the_field(payload: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse(UpdateSettings, payload)
    assert caught.value.field == field


def test_the_send_task_takes_an_outbox_id_only() -> None:
    assert SendEmailTask.model_validate({"outboxId": "a" * 40}).outbox_id == "a" * 40
    for bad in ({"outboxId": "../x"}, {"outboxId": "a" * 40, "more": 1}, {}):
        with pytest.raises(ValueError, match="validation error"):
            SendEmailTask.model_validate(bad)


# --- the backoff schedule --------------------------------------------------------------


def test_backoff_grows_and_ends() -> None:
    waits = [backoff(n) for n in range(1, MAX_ATTEMPTS)]
    assert waits == [timedelta(seconds=s) for s in BACKOFF_S]
    assert all(a < b for a, b in itertools.pairwise(waits) if a and b)
    assert backoff(MAX_ATTEMPTS) is None  # the last attempt has no next one
    assert sum(BACKOFF_S) < 3_600  # every email is settled within the hour
    with pytest.raises(ValueError, match="from 1"):
        backoff(0)


# --- signed links ----------------------------------------------------------------------


def test_a_link_verifies_for_its_user_and_kind_only() -> None:
    token = links.sign(KEY, "user-1", "reminders")
    assert links.verify(KEY, uid="user-1", kind="reminders", token=token) == links.Unsubscribe(
        "user-1", "reminders"
    )
    assert links.verify(KEY, uid="user-2", kind="reminders", token=token) is None
    assert links.verify(KEY, uid="user-1", kind="briefing", token=token) is None
    assert links.verify(b"another-key", uid="user-1", kind="reminders", token=token) is None
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert links.verify(KEY, uid="user-1", kind="reminders", token=flipped) is None


@pytest.mark.parametrize(
    ("uid", "kind", "token"),
    [
        ("", "reminders", "x" * 43),
        ("user/1", "reminders", "x" * 43),
        ("u" * 129, "reminders", "x" * 43),
        ("user-1", "everything", "x" * 43),
        ("user-1", "reminders", ""),
        ("user-1", "reminders", "x" * 44),
        ("user-1", "reminders", "=" * 43),
    ],
)
def test_malformed_links_are_refused(uid: str, kind: str, token: str) -> None:
    assert links.verify(KEY, uid=uid, kind=kind, token=token) is None


def test_an_empty_key_signs_nothing() -> None:
    with pytest.raises(ValueError, match="EMAIL_LINK_KEY"):
        links.sign(b"", "user-1", "reminders")


def test_the_link_is_absolute_on_the_app_origin() -> None:
    url = links.url(KEY, origin=ORIGIN + "/", uid="user-1", kind="exports")
    token = links.sign(KEY, "user-1", "exports")
    assert url == f"{ORIGIN}/email/unsubscribe?u=user-1&k=exports&t={token}"


# --- rendering -------------------------------------------------------------------------


def _render(title: str = "Call Bob", body: str = "Due today", link: str | None = "/tasks"):  # type: ignore[no-untyped-def]
    return render.render(
        title=title,
        body=body,
        link=link,
        kind="reminders",
        origin=ORIGIN,
        unsubscribe_url=f"{ORIGIN}/email/unsubscribe?u=u&k=reminders&t=abc",
    )


def test_hostile_text_is_escaped_in_html_and_plain_in_text() -> None:
    email = _render(title=HOSTILE, body=HOSTILE + "\nsecond line")
    assert "<script>" not in email.html
    assert "<img" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
    assert "&amp;" in email.html
    assert "&#34;quoted&#34;" in email.html
    assert HOSTILE in email.text  # plain text is not markup
    assert "second line" in email.text
    # The page's own markup is intact: one script-free document with the button.
    assert email.html.count("<a href=") == 3


def test_subjects_are_one_line_and_bounded() -> None:
    email = _render(title="Line one\r\nBcc: victim@example.com\u2028x\x00y")
    assert "\r" not in email.subject
    assert "\n" not in email.subject
    assert email.subject == "Line one Bcc: victim@example.com x y"
    long = _render(title="x" * 1_000)
    assert len(long.subject) == MAX_SUBJECT_CHARS
    assert long.subject.endswith("…")
    assert _render(title=" \n ").subject == "Aura"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("/tasks?task=t1", f"{ORIGIN}/tasks?task=t1"),
        (None, f"{ORIGIN}/inbox"),
        ("javascript:alert(1)", f"{ORIGIN}/inbox"),
        ("//evil.example/x", f"{ORIGIN}/inbox"),
        ("data:text/html,<b>x</b>", f"{ORIGIN}/inbox"),
        ("http://evil.example/x", f"{ORIGIN}/inbox"),
        (
            "https://storage.example/export.json.gz?t=1",
            "https://storage.example/export.json.gz?t=1",
        ),
        ("http://127.0.0.1:9199/v0/b/x", "http://127.0.0.1:9199/v0/b/x"),
    ],
)
def test_links_in_emails_lead_to_the_app_or_https(link: str | None, expected: str) -> None:
    assert render.app_link(link, ORIGIN) == expected
    assert f'href="{expected.replace("&", "&amp;")}"' in _render(link=link).html


# --- the message -----------------------------------------------------------------------


def _message(**overrides: Any) -> EmailMessage:
    email = _render()
    fields: dict[str, Any] = {
        "outbox_id": "f" * 40,
        "sender": "Aura <no-reply@aura.example>",
        "to": "person@example.com",
        "subject": email.subject,
        "text": email.text,
        "html": email.html,
        "unsubscribe_url": f"{ORIGIN}/email/unsubscribe?u=u&k=reminders&t=abc",
        "date": NOW,
        **overrides,
    }
    return build_message(**fields)


def test_the_message_has_both_parts_and_one_click_unsubscribe_headers() -> None:
    message = _message()
    assert message["Message-ID"] == f"<{'f' * 40}@aura.example>"
    assert message["List-Unsubscribe"] == f"<{ORIGIN}/email/unsubscribe?u=u&k=reminders&t=abc>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["From"] == "Aura <no-reply@aura.example>"
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert "Call Bob" in text.get_content()  # type: ignore[attr-defined]
    assert "<h1" in html.get_content()  # type: ignore[attr-defined]


def test_a_header_with_a_line_break_is_refused_not_sent() -> None:
    with pytest.raises(ValueError, match=r"linefeed|carriage"):
        _message(subject="Hi\r\nBcc: victim@example.com")


def test_the_message_id_is_the_same_for_every_attempt() -> None:
    assert message_id("a" * 40, "Aura <x@mail.example>") == message_id("a" * 40, "x@mail.example")
    assert message_id("a" * 40, "nobody") == f"<{'a' * 40}@aura.invalid>"


# --- SMTP: configuration, errors, and the real capture server -----------------------------


PARAMS = {
    "SMTP_HOST": "smtp.example.com",
    "SMTP_PORT": "587",
    "SMTP_SECURITY": "starttls",
    "SMTP_USERNAME": "aura",
    "EMAIL_FROM": "Aura <no-reply@aura.example>",
}


def test_config_from_params_and_emulator_only_overrides() -> None:
    env = {"AURA_SMTP_HOST": "127.0.0.1", "AURA_SMTP_PORT": "8825", "AURA_SMTP_SECURITY": "none"}
    deployed = SmtpConfig.load(params=PARAMS, password="pw", env=env, in_emulator=False)
    assert (deployed.host, deployed.port, deployed.security) == (
        "smtp.example.com",
        587,
        "starttls",
    )
    local = SmtpConfig.load(params=PARAMS, password="pw", env=env, in_emulator=True)
    assert (local.host, local.port, local.security) == ("127.0.0.1", 8825, "none")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SMTP_SECURITY": "none"}, "local capture server only"),
        ({"SMTP_SECURITY": "tls1.0"}, "SMTP_SECURITY must be one of"),
        ({"SMTP_PORT": "smtp"}, "SMTP_PORT must be a number"),
        ({"EMAIL_FROM": "Aura"}, "EMAIL_FROM must name an address"),
    ],
)
def test_unusable_config_is_refused(change: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SmtpConfig.load(params={**PARAMS, **change}, password="", env={}, in_emulator=False)


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (smtplib.SMTPDataError(451, b"try later"), TransientSendError),
        (smtplib.SMTPDataError(554, b"no"), PermanentSendError),
        (smtplib.SMTPSenderRefused(550, b"sender", "x@example.com"), PermanentSendError),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no")}), PermanentSendError),
        (smtplib.SMTPRecipientsRefused({"a@x": (450, b"later")}), TransientSendError),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), TransientSendError),
        (smtplib.SMTPServerDisconnected("gone"), TransientSendError),
        (ConnectionRefusedError(111, "refused"), TransientSendError),
        (TimeoutError("timed out"), TransientSendError),
    ],
)
def test_smtp_errors_are_transient_or_permanent(exc: Exception, kind: type) -> None:
    classified = _classify(exc)
    assert type(classified) is kind
    assert len(classified.detail) <= 500


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer(port=_free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _transport(port: int) -> SmtpTransport:
    config = SmtpConfig.load(
        params={**PARAMS, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_USERNAME": ""},
        password="",
        env={"AURA_SMTP_SECURITY": "none"},
        in_emulator=True,
    )
    return SmtpTransport(config, timeout_s=5)


def test_the_capture_server_receives_what_is_sent(mail: MailServer) -> None:
    _transport(mail.port).send(_message(subject="Call <Bob>"))
    [received] = mail.store.messages
    assert received["rcptTos"] == ["person@example.com"]
    assert received["subject"] == "Call <Bob>"
    assert received["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Call Bob" in received["text"]
    assert "<h1" in received["html"]


@pytest.mark.parametrize(("code", "kind"), [(451, TransientSendError), (550, PermanentSendError)])
def test_relay_refusals_surface_as_their_kind(mail: MailServer, code: int, kind: type) -> None:
    mail.store.faults.append(code)
    with pytest.raises(kind) as caught:
        _transport(mail.port).send(_message())
    assert str(code) in caught.value.detail
    assert mail.store.messages == []
    _transport(mail.port).send(_message())  # the fault was for one message
    assert len(mail.store.messages) == 1


def test_no_server_is_a_transient_failure() -> None:
    with pytest.raises(TransientSendError):
        _transport(_free_port()).send(_message())


def test_starttls_is_required_when_asked_for(mail: MailServer) -> None:
    """The capture server offers no STARTTLS: a relay that does not upgrade gets nothing."""
    config = SmtpConfig.load(
        params={**PARAMS, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mail.port)},
        password="",
        env={},
        in_emulator=False,
    )
    with pytest.raises(TransientSendError, match="STARTTLS"):
        SmtpTransport(config, timeout_s=5).send(_message())
    assert mail.store.messages == []


# --- the unsubscribe pages -----------------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[links.Unsubscribe] = []

    def __call__(self, *, db: Any, request: links.Unsubscribe) -> bool:
        self.calls.append(request)
        return True


def _args(uid: str = "user-1", kind: str = "reminders", key: bytes = KEY) -> dict[str, str]:
    return {"u": uid, "k": kind, "t": links.sign(key, uid, kind)}


def test_get_asks_and_post_unsubscribes() -> None:
    recorder = _Recorder()
    shown = pages.answer(db=None, key=KEY, method="GET", args=_args(), unsubscribe=recorder)  # type: ignore[arg-type]
    assert shown.status == 200
    assert b'<form method="post">' in shown.body
    assert recorder.calls == []  # a link scanner's GET changes nothing
    done = pages.answer(db=None, key=KEY, method="POST", args=_args(), unsubscribe=recorder)  # type: ignore[arg-type]
    assert done.status == 200
    assert b"You are unsubscribed" in done.body
    assert recorder.calls == [links.Unsubscribe("user-1", "reminders")]
    assert done.headers["Referrer-Policy"] == "no-referrer"
    assert done.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "args",
    [
        {},
        _args(key=b"forged"),
        {**_args(), "u": "user-2"},
        {**_args(), "k": "briefing"},
        {**_args(), "u": "<script>"},
    ],
)
def test_forged_links_are_403_and_change_nothing(args: dict[str, str]) -> None:
    recorder = _Recorder()
    for method in ("GET", "POST"):
        answer = pages.answer(db=None, key=KEY, method=method, args=args, unsubscribe=recorder)  # type: ignore[arg-type]
        assert answer.status == 403
        assert b"<script>" not in answer.body
    assert recorder.calls == []
