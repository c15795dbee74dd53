"""HTTP requests that connect only where the SSRF guard looked, within one deadline.

`fetch` resolves the URL's host once, through `ssrf.check_url`, and then dials only the
addresses that check cleared (`ResolvedTarget.addresses`, in order, until one accepts).
Nothing resolves the host again, so a DNS answer that changes between the check and the
connection (rebinding, TTL 0) cannot move the request to a loopback or metadata address.
The URL's host still names the server everywhere else: the `Host` header, the TLS server
name (SNI) and the name the certificate must match.

The plumbing is httpcore (the engine under httpx) with a network backend of our own:
its `connect_tcp` ignores name resolution and dials the pinned addresses, and its
streams give every socket operation (connect, TLS handshake, each write, each read) the
time left before one deadline computed when `fetch` starts; the body loop checks the
same deadline between chunks. A server that sends a byte a second therefore cannot hold
the calling thread past `deadline_s`, as it could with a per-read timeout. The pool reads
no proxy settings from the environment, and redirects are returned, never followed.

Errors, and whether trying again may help:

    ValueError
     ├── ssrf.BlockedURL          no   the URL or an address it resolves to is refused
     └── headers.BlockedHeader    no   a header the policy refuses
    FetchError
     ├── DeadlineExceeded         yes  the whole request took longer than deadline_s
     ├── NetworkFailed            yes  no address accepted, TLS failed, the connection
     │                                 broke, or the response was malformed
     ├── ResponseTooLarge         no   the (decoded) body is longer than max_bytes
     └── UnsupportedEncoding      no   a Content-Encoding other than gzip or deflate
"""

from __future__ import annotations

import codecs
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import quote, urlsplit

import httpcore

from shared.net import ssrf
from shared.net.headers import check_headers

USER_AGENT = "Aura-Workflows/1.0"
# Sent unless the caller sets them; the body decoder handles exactly these codings.
DEFAULT_HEADERS = (
    ("Accept", "*/*"),
    ("Accept-Encoding", "gzip, deflate"),
    ("User-Agent", USER_AGENT),
)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# RFC 3986 reserved and unreserved characters, and '%' so escapes stay as written.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_per_thread = threading.local()
# httpcore's per-operation timeouts; the streams cut each one to the time left.
_TIMEOUTS = ("connect", "read", "write", "pool")


class FetchError(Exception):
    """The request failed; `retryable` says whether trying again may help."""

    retryable = True


class DeadlineExceeded(FetchError):
    """The request did not finish within its deadline."""


class NetworkFailed(FetchError):
    """No cleared address accepted, TLS failed, the connection broke, or the response
    was not valid HTTP."""


class ResponseTooLarge(FetchError):
    """The response body, decoded, is longer than the cap."""

    retryable = False


class UnsupportedEncoding(FetchError):
    """The response uses a Content-Encoding this client does not decode."""

    retryable = False


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes  # decoded from any Content-Encoding
    encoding: str  # the charset from Content-Type, else utf-8

    def text(self) -> str:
        return self.body.decode(self.encoding, errors="replace")


def fetch(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    max_bytes: int,
    deadline_s: float,
    allow_private: bool = False,
    resolver: ssrf.Resolver | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> Response:
    """Send one request to a URL the SSRF guard clears, connecting only to its addresses.

    Args:
        method: the HTTP method, upper case.
        url: an absolute http(s) URL; see `ssrf.check_url`.
        headers: extra request headers; `headers.check_headers` must accept them.
            `Host`, `Content-Length` and (unless given) `Accept`, `Accept-Encoding` and
            `User-Agent` are set here.
        body: the request body; POST, PUT and PATCH without one send an empty body.
        max_bytes: the largest response body accepted, counted after decompression.
        deadline_s: the time the whole request may take, from this call to the last
            byte of the body (name resolution included, though a system resolver that
            hangs is bounded only by its own timeout).
        allow_private: passed to `ssrf.check_url`.
        resolver: passed to `ssrf.check_url`, which calls it once.
        ssl_context: for https, the context that verifies the server (tests pass one
            that trusts their own certificate); default: certifi's CA bundle.

    Returns:
        The status, headers and body of the response; redirects are not followed.

    Raises:
        ssrf.BlockedURL, headers.BlockedHeader, FetchError: see the module docstring.
    """
    deadline = _Deadline(deadline_s)
    extra = [(name, value.strip(" \t")) for name, value in (headers or {}).items()]
    check_headers(extra)
    target = ssrf.check_url(url, allow_private=allow_private, resolver=resolver)
    deadline.left(DeadlineExceeded)  # the lookup may have used it all
    if body is None and method in _BODY_METHODS:
        body = b""
    pool = httpcore.ConnectionPool(
        ssl_context=ssl_context or _default_ssl_context(),
        network_backend=_PinnedBackend(target, deadline),
        max_connections=1,
        retries=0,
    )
    try:
        with (
            pool,
            pool.stream(
                method,
                httpcore.URL(
                    scheme=target.scheme,
                    host=target.host,
                    port=target.port,
                    target=_request_target(url),
                ),
                headers=_request_headers(target, extra),
                content=body,
                extensions={"timeout": dict.fromkeys(_TIMEOUTS, deadline_s)},
            ) as response,
        ):
            fields = tuple(
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in response.headers
            )
            decoder = _BodyDecoder(_header(fields, "content-encoding"), max_bytes)
            for chunk in response.iter_stream():
                decoder.feed(chunk)
                deadline.left(DeadlineExceeded)
            content = decoder.finish()
    except httpcore.TimeoutException as exc:
        raise DeadlineExceeded(f"no complete response within {deadline_s:g} s") from exc
    except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
        raise NetworkFailed(f"{type(exc).__name__}: {exc}"[:300]) from exc
    return Response(
        status=response.status,
        headers=fields,
        body=content,
        encoding=_charset(_header(fields, "content-type")),
    )


class _Deadline:
    """A point in monotonic time; `left` is what each network operation may wait."""

    def __init__(self, seconds: float) -> None:
        if seconds <= 0:
            msg = "the deadline must be positive"
            raise ValueError(msg)
        self._at = time.monotonic() + seconds
        self._seconds = seconds

    def left(self, error: type[Exception], cap: float | None = None) -> float:
        """Seconds until the deadline (at most `cap`); `error` if it has passed."""
        remaining = self._at - time.monotonic()
        if remaining <= 0:
            raise error(f"no complete response within {self._seconds:g} s")
        return remaining if cap is None else min(remaining, cap)


class _PinnedBackend(httpcore.NetworkBackend):
    """Dials the addresses the guard cleared for the checked host; resolves no names."""

    def __init__(self, target: ssrf.ResolvedTarget, deadline: _Deadline) -> None:
        self._target = target
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if (host, port) != (self._target.host, self._target.port):
            # Only the origin of the checked URL is ever requested; anything else is a bug.
            msg = f"{host}:{port} is not the address the SSRF guard cleared"
            raise httpcore.ConnectError(msg)
        failures = []
        addresses = self._target.addresses
        for i, address in enumerate(addresses):
            # Share what is left between the addresses not tried yet, so one that
            # swallows packets does not use up the time of the others.
            left = self._deadline.left(httpcore.ConnectTimeout, timeout)
            try:
                sock = _dial(address, port, left / (len(addresses) - i))
            except OSError as exc:
                failures.append(f"{address}: {exc or type(exc).__name__}")
                continue
            for option in socket_options or ():
                sock.setsockopt(*option)
            return _DeadlineStream(sock, self._deadline)
        self._deadline.left(httpcore.ConnectTimeout)
        raise httpcore.ConnectError(f"could not connect to {host}: {'; '.join(failures)}")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")


def _dial(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to an IP address (a literal: connect() does no name lookup)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(timeout)
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every operation waits at most until the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._sock.settimeout(self._deadline.left(httpcore.ReadTimeout, timeout))
        try:
            return self._sock.recv(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        view = memoryview(buffer)
        while view:
            self._sock.settimeout(self._deadline.left(httpcore.WriteTimeout, timeout))
            try:
                view = view[self._sock.send(view) :]
            except TimeoutError as exc:
                raise httpcore.WriteTimeout(str(exc)) from exc
            except OSError as exc:
                raise httpcore.WriteError(str(exc)) from exc

    def close(self) -> None:
        self._sock.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # server_hostname is the URL's host (httpcore passes the origin's), so SNI and the
        # certificate check name the host, not the pinned address.
        try:
            self._sock.settimeout(self._deadline.left(httpcore.ConnectTimeout, timeout))
            tls = ssl_context.wrap_socket(self._sock, server_hostname=server_hostname)
        except TimeoutError as exc:
            self.close()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:
            self.close()
            raise httpcore.ConnectError(str(exc)) from exc
        except BaseException:
            self.close()
            raise
        return _DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object":  # httpcore asks it for the negotiated ALPN protocol
            return self._sock if isinstance(self._sock, ssl.SSLSocket) else None
        if info == "socket":
            return self._sock
        if info == "server_addr":
            return self._sock.getpeername()
        if info == "client_addr":
            return self._sock.getsockname()
        return None


class _BodyDecoder:
    """Undoes gzip or deflate while counting the decoded bytes, so that a small
    compressed body cannot expand past the cap in memory."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c not in ("", "identity")]
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self._first = True
        self._inflater: Any = None  # a zlib decompress object, when the body is encoded
        if codings in (["gzip"], ["x-gzip"]):
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif codings == ["deflate"]:
            self._inflater = zlib.decompressobj()
        elif codings:
            raise UnsupportedEncoding(
                f"the response is encoded as '{content_encoding}'; only gzip and deflate "
                "are decoded"
            )
        self._deflate = codings == ["deflate"]

    def feed(self, data: bytes) -> None:
        self._keep(self._inflate(data) if self._inflater is not None else data)

    def finish(self) -> bytes:
        if self._inflater is not None:
            self._keep(bytes(self._inflater.flush()))
        return b"".join(self._chunks)

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            raise ResponseTooLarge(f"response larger than {self._limit} bytes")
        self._chunks.append(data)

    def _inflate(self, data: bytes) -> bytes:
        first, self._first = self._first, False
        try:
            # At most one byte past the room left: reaching it proves the body too
            # large; stopping short of it means zlib has consumed all of `data`.
            return bytes(self._inflater.decompress(data, self._limit - self._size + 1))
        except zlib.error as exc:
            if not (first and self._deflate):
                raise NetworkFailed(f"the compressed body is corrupt: {exc}") from exc
        # "deflate" is sometimes sent without its zlib wrapper (httpx allows it too).
        self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inflate(data)


def _default_ssl_context() -> ssl.SSLContext:
    """certifi's CA bundle (as httpx uses). One context per thread: loading the bundle
    takes ~20 ms, and httpcore sets ALPN on the context for every connection, which is
    not safe while another thread connects with it."""
    context: ssl.SSLContext | None = getattr(_per_thread, "ssl_context", None)
    if context is None:
        import certifi

        context = _per_thread.ssl_context = ssl.create_default_context(cafile=certifi.where())
    return context


def _request_target(url: str) -> str:
    """The path and query of `url`, percent-encoded where they are not plain ASCII."""
    parts = urlsplit(url)
    path = quote(parts.path, safe=_PATH_SAFE) or "/"
    return f"{path}?{quote(parts.query, safe=_QUERY_SAFE)}" if parts.query else path


def _request_headers(
    target: ssrf.ResolvedTarget, extra: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    host = f"[{target.host}]" if ":" in target.host else target.host
    if target.port != ssrf.DEFAULT_PORTS[target.scheme]:
        host = f"{host}:{target.port}"
    given = {name.lower() for name, _ in extra}
    defaults = [(n, v) for n, v in DEFAULT_HEADERS if n.lower() not in given]
    return [("Host", host), *defaults, *extra]


def _header(fields: tuple[tuple[str, str], ...], name: str) -> str | None:
    values = [v for n, v in fields if n.lower() == name]
    return ", ".join(values) if values else None


def _charset(content_type: str | None) -> str:
    if content_type:
        message = Message()
        message["content-type"] = content_type
        charset = message.get_param("charset")
        if isinstance(charset, str):
            try:
                return codecs.lookup(charset).name
            except LookupError:
                pass
    return "utf-8"
