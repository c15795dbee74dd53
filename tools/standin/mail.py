"""The local stack's mail server: a real SMTP server (aiosmtpd) that keeps what it gets.

The functions send over SMTP exactly as in production (smtplib, no TLS locally: see
shared/email/smtp.py); this server accepts every message, parses it and keeps it in
memory for tests and `make dev` to read through the stand-in's control API:

    GET    /_standin/mail          the messages, oldest first: id, receivedAt, mailFrom,
                                   rcptTos, to, subject, messageId, headers, text, html
    DELETE /_standin/mail          forget every message and armed fault
    POST   /_standin/mail/faults   {"code": 451, "count": 1}: the next `count` messages
                                   are answered with that SMTP code (4xx: try again;
                                   5xx: refused for good) and not kept

It runs in the stand-in's process (`tools/standin/server.py` starts it), on its own
thread and event loop (aiosmtpd's Controller), on MAIL_PORT.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MAIL_PORT = 8825
MAX_MESSAGES = 1_000  # the oldest are forgotten beyond this
REPLIES = {
    421: "421 4.3.2 Service not available, closing transmission channel",
    450: "450 4.2.0 Mailbox unavailable, try again later",
    451: "451 4.3.0 Local error in processing, try again later",
    452: "452 4.3.1 Insufficient system storage",
    550: "550 5.1.1 Mailbox unavailable",
    552: "552 5.3.4 Message too big",
    554: "554 5.7.1 Transaction failed",
}


@dataclass
class MailStore:
    """Received messages and armed faults, shared by the SMTP thread and the HTTP app."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    faults: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def take_fault(self) -> int | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def keep(self, entry: dict[str, Any]) -> None:
        with self.lock:
            entry["id"] = next(self.ids)
            self.messages.append(entry)
            del self.messages[:-MAX_MESSAGES]

    def clear(self) -> int:
        with self.lock:
            cleared = len(self.messages)
            self.messages.clear()
            self.faults.clear()
            return cleared


def parse(raw: bytes) -> dict[str, Any]:
    """A received message as tests read it: headers, and the text and HTML parts."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return {
        "to": str(message.get("To", "")),
        "subject": str(message.get("Subject", "")),
        "messageId": str(message.get("Message-ID", "")),
        "headers": {name: str(value) for name, value in message.items()},
        "text": text.get_content() if text is not None else None,
        "html": html.get_content() if html is not None else None,
    }


class _Handler:
    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        code = self.store.take_fault()
        if code is not None:
            return REPLIES.get(code, f"{code} {'4.0.0' if code < 500 else '5.0.0'} Fault")
        raw: bytes = envelope.original_content or envelope.content
        entry = {
            "receivedAt": time.time(),
            "mailFrom": envelope.mail_from,
            "rcptTos": list(envelope.rcpt_tos),
            **parse(raw),
        }
        self.store.keep(entry)
        return "250 2.0.0 Message accepted"


class MailServer:
    """The SMTP server and its control routes (mounted into the stand-in's app)."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = MAIL_PORT) -> None:
        self.store = MailStore()
        self._controller = Controller(_Handler(self.store), hostname=host, port=port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def routes(self) -> list[Route]:
        return [
            Route("/_standin/mail", self._list, methods=["GET"]),
            Route("/_standin/mail", self._clear, methods=["DELETE"]),
            Route("/_standin/mail/faults", self._fault, methods=["POST"]),
        ]

    async def _list(self, request: Request) -> Response:
        with self.store.lock:
            return JSONResponse(list(self.store.messages))

    async def _clear(self, request: Request) -> Response:
        return JSONResponse({"cleared": self.store.clear()})

    async def _fault(self, request: Request) -> Response:
        try:
            body = await request.json()
            code, count = int(body["code"]), int(body.get("count", 1))
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "give {code: 4xx|5xx, count?: n}"}, status_code=400)
        if not (400 <= code < 600 and 1 <= count <= 100):
            return JSONResponse({"error": "code 400-599, count 1-100"}, status_code=400)
        with self.store.lock:
            self.store.faults.extend([code] * count)
        return JSONResponse({"armed": code, "count": count})
