"""Sending one message over SMTP with the standard library (`smtplib`, `email.message`).

    SmtpConfig.load(...)   host, port, security, credentials and sender, from params
    build_message(...)     the MIME message: text and HTML alternatives, RFC 8058 headers,
                           a Message-ID derived from the outbox id
    SmtpTransport.send()   one connection per message; raises TransientSendError (retry:
                           4xx, connection lost, timeouts, authentication) or
                           PermanentSendError (5xx: the relay will never take it)

`security` is "starttls" (port 587: the connection must upgrade, or nothing is sent),
"ssl" (implicit TLS, port 465) or "none", which only the local capture server accepts:
`SmtpConfig.load` refuses it outside the Functions emulator.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Literal, Protocol

from shared.email.models import SMTP_TIMEOUT_S

Security = Literal["starttls", "ssl", "none"]
SECURITIES: tuple[Security, ...] = ("starttls", "ssl", "none")


class SendError(Exception):
    """Sending failed; `detail` is safe to store (no credentials)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail[:500]


class TransientSendError(SendError):
    """Try again later: the relay or the network may take it then."""


class PermanentSendError(SendError):
    """The relay refused this message for good (5xx): retrying cannot help."""


class ConfigError(ValueError):
    """The SMTP settings are unusable (a deployment mistake, not a message's)."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: Security
    username: str
    password: str
    sender: str  # "Name <address>"

    @classmethod
    def load(
        cls,
        *,
        params: Mapping[str, str],
        password: str,
        env: Mapping[str, str],
        in_emulator: bool,
    ) -> SmtpConfig:
        """From the params (SMTP_HOST, SMTP_PORT, SMTP_SECURITY, SMTP_USERNAME,
        EMAIL_FROM) and the SMTP_PASSWORD secret. Inside the Functions emulator only,
        AURA_SMTP_HOST, AURA_SMTP_PORT and AURA_SMTP_SECURITY (set by tools/stack.py for
        the local capture server) take precedence: the emulator writes every param's
        default into .env.local, which would hide the stack's values.

        Raises:
            ConfigError: a port that is not a number, an unknown security, "none"
                outside the emulator, or a sender without an address.
        """
        values = dict(params)
        if in_emulator:
            for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY"):
                if override := env.get(f"AURA_{name}"):
                    values[name] = override
        security = values.get("SMTP_SECURITY", "starttls")
        if security not in SECURITIES:
            raise ConfigError(f"SMTP_SECURITY must be one of {SECURITIES}, not {security!r}")
        if security == "none" and not in_emulator:
            raise ConfigError("SMTP_SECURITY=none is for the local capture server only")
        try:
            port = int(values.get("SMTP_PORT", "587"))
        except ValueError:
            raise ConfigError("SMTP_PORT must be a number") from None
        sender = values.get("EMAIL_FROM", "")
        if "@" not in parseaddr(sender)[1]:
            raise ConfigError("EMAIL_FROM must name an address: 'Aura <no-reply@example.com>'")
        return cls(
            host=values.get("SMTP_HOST", ""),
            port=port,
            security=security,
            username=values.get("SMTP_USERNAME", ""),
            password=password,
            sender=sender,
        )


def message_id(outbox_id: str, sender: str) -> str:
    """`<{outbox id}@{sender's domain}>`: the same for every attempt at one email, so a
    receiver can drop a copy a lost acknowledgement made us send twice."""
    local, at, domain = parseaddr(sender)[1].rpartition("@")
    if not (local and at and domain):
        domain = "aura.invalid"
    return f"<{outbox_id}@{domain}>"


def build_message(
    *,
    outbox_id: str,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str,
    date: datetime,
) -> EmailMessage:
    """The message as sent. Header values are one line already (`render.one_line`); the
    default policy would raise on a CR or LF rather than let one through."""
    # Loaded here, not with the module: its header parser costs ~80 ms of every cold start.
    from email.headerregistry import Address

    name, address = parseaddr(sender)
    message = EmailMessage()
    message["From"] = Address(display_name=name, addr_spec=address)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id(outbox_id, sender)
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand `message` to the relay, or raise a SendError."""


def _classify(exc: Exception) -> SendError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = f"recipient refused: {codes}"
        permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        return PermanentSendError(detail) if permanent else TransientSendError(detail)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # Wrong credentials fail every message alike: retry, so a fixed secret sends them.
        return TransientSendError(f"authentication failed ({exc.smtp_code})")
    if isinstance(exc, smtplib.SMTPResponseException):
        raw = exc.smtp_error
        reply = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
        detail = f"{exc.smtp_code} {reply}"
        if 500 <= exc.smtp_code < 600:
            return PermanentSendError(detail)
        return TransientSendError(detail)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return TransientSendError("the relay does not offer STARTTLS")
    return TransientSendError(f"{type(exc).__name__}: {exc}")


class SmtpTransport:
    """One SMTP connection per message (a function instance sends a few at most)."""

    def __init__(self, config: SmtpConfig, *, timeout_s: float = SMTP_TIMEOUT_S) -> None:
        self._config = config
        self._timeout_s = timeout_s

    def _connect(self) -> smtplib.SMTP:
        c = self._config
        if c.security == "ssl":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(c.host, c.port, timeout=self._timeout_s, context=context)
        return smtplib.SMTP(c.host, c.port, timeout=self._timeout_s)

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as client:  # closed however the exchange ends
                if self._config.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self._config.username:
                    client.login(self._config.username, self._config.password)
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:  # TimeoutError is an OSError
            raise _classify(exc) from exc
