"""shared.net.pinned: requests go to the address the SSRF guard cleared, within one deadline.

Every connection here is real, to a server on 127.0.0.1; only name resolution is a test
double (a resolver, or `socket.getaddrinfo` itself where `run_http` is driven end to end),
answering a cleared address first and a metadata or loopback address on any later call.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import json
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from shared.errors import InvalidArgument
from shared.net import pinned, ssrf
from shared.net.headers import REFUSED_NAMES, BlockedHeader, check_headers
from shared.net.pinned import fetch
from shared.validation import parse
from shared.workflows.models import HttpNode, SaveWorkflow
from shared.workflows.nodes import NodeContext, NodeFailed, run_http

PUBLIC = "93.184.215.14"
METADATA = "169.254.169.254"
DRIP_INTERVAL = 0.3


class Server:
    """A local HTTP(S) server on 127.0.0.1 that records what reaches it.

    Paths: /echo (the request as JSON), /drip/<n> (headers, then n body bytes one every
    DRIP_INTERVAL s), /drip-head (the status line a byte at a time), /big/<n>,
    /encoded/<coding>, /bomb (10 MiB of zeros, gzipped), /redirect, /status/<code>.
    """

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._serve(b"")

            def do_POST(self) -> None:
                self._serve(self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def _serve(self, body: bytes) -> None:
                seen = {
                    "method": self.command,
                    "path": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body": body.decode(),
                }
                outer.requests.append(seen)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._route(seen)  # a client that gave up, as it should, breaks the pipe

            def _route(self, seen: dict[str, Any]) -> None:
                parts = self.path.split("/")
                if parts[1] == "drip":
                    self._head(200, {"Content-Length": parts[2]})
                    for _ in range(int(parts[2])):
                        time.sleep(DRIP_INTERVAL)
                        self.wfile.write(b"x")
                        self.wfile.flush()
                elif parts[1] == "drip-head":
                    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                        time.sleep(DRIP_INTERVAL)
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                elif parts[1] == "big":
                    self._send(200, b"y" * int(parts[2]))
                elif parts[1] == "encoded":
                    payload = json.dumps({"decoded": True}).encode()
                    coded = {
                        "gzip": gzip.compress(payload),
                        "deflate": zlib.compress(payload),
                        "raw-deflate": zlib.compress(payload)[2:-4],
                        "br": b"\x0b\x02\x80{}\x03",
                    }[parts[2]]
                    coding = "deflate" if parts[2] == "raw-deflate" else parts[2]
                    self._send(200, coded, {"Content-Encoding": coding})
                elif parts[1] == "bomb":
                    bomb = gzip.compress(b"\0" * 10_485_760)
                    self._send(200, bomb, {"Content-Encoding": "gzip"})
                elif parts[1] == "redirect":
                    self._send(302, b"", {"Location": f"http://{METADATA}/computeMetadata/v1/"})
                elif parts[1] == "status":
                    self._send(int(parts[2]), b"no")
                else:
                    self._send(200, json.dumps(seen).encode(), {"Content-Type": "application/json"})

            def _head(self, status: int, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.flush()

            def _send(
                self, status: int, body: bytes, headers: dict[str, str] | None = None
            ) -> None:
                self._head(status, {**(headers or {}), "Content-Length": str(len(body))})
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def hosts(self) -> list[str]:
        return [dict(r["headers"])["Host"] for r in self.requests]


@pytest.fixture(scope="module")
def _running() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


@pytest.fixture
def server(_running: Server) -> Server:
    _running.requests.clear()
    return _running


class DNS:
    """A resolver double: the first answer, then `later` for every other lookup."""

    def __init__(self, first: list[str], later: list[str]) -> None:
        self.first = first
        self.later = later
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return self.first if len(self.asked) == 1 else self.later


def get(url: str, **options: Any) -> pinned.Response:
    kwargs: dict[str, Any] = {"max_bytes": 100_000, "deadline_s": 5.0, "allow_private": True}
    return fetch(options.pop("method", "GET"), url, **{**kwargs, **options})


def echoed(response: pinned.Response) -> dict[str, Any]:
    assert response.status == 200
    return cast(dict[str, Any], json.loads(response.body))


# --- pinning: one lookup, and the connection goes where it pointed ------------------------


def test_connects_to_the_cleared_address_and_never_resolves_again(server: Server) -> None:
    dns = DNS(first=["127.0.0.1"], later=[METADATA])

    response = get(f"http://rebind.test:{server.port}/echo", resolver=dns)

    assert echoed(response)["path"] == "/echo"
    assert dns.asked == [("rebind.test", server.port)]
    assert server.hosts == [f"rebind.test:{server.port}"]  # the name, not the address


def test_a_public_answer_is_dialled_even_if_the_name_now_points_at_loopback(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Production settings (no private addresses). The public address cannot be reached
    # from a test, so the dial is recorded and refused; what matters is that the loopback
    # server, which a second lookup would have named, sees nothing.
    dialled: list[tuple[str, int]] = []

    def dial(address: str, port: int, timeout: float) -> socket.socket:
        dialled.append((address, port))
        raise ConnectionRefusedError("refused by the test")

    monkeypatch.setattr(pinned, "_dial", dial)
    dns = DNS(first=[PUBLIC], later=["127.0.0.1"])

    with pytest.raises(pinned.NetworkFailed, match="refused by the test"):
        get(f"http://rebind.test:{server.port}/echo", resolver=dns, allow_private=False)

    assert dialled == [(PUBLIC, server.port)]
    assert dns.asked == [("rebind.test", server.port)]
    assert server.requests == []


@pytest.mark.parametrize("allow_private", [False, True])
def test_a_metadata_first_answer_is_refused_before_any_connection(
    server: Server, allow_private: bool
) -> None:
    dns = DNS(first=[METADATA], later=["127.0.0.1"])

    with pytest.raises(ssrf.BlockedURL, match="cloud metadata address"):
        get(f"http://rebind.test:{server.port}/echo", resolver=dns, allow_private=allow_private)

    assert dns.asked == [("rebind.test", server.port)]
    assert server.requests == []


def test_each_cleared_address_is_tried_in_order(server: Server) -> None:
    # Nothing listens on 127.0.0.2 (also loopback on Linux): refused, then the next one.
    response = get(
        f"http://two.test:{server.port}/echo", resolver=DNS(["127.0.0.2", "127.0.0.1"], [])
    )

    assert echoed(response)["path"] == "/echo"


def test_no_cleared_address_accepting_is_a_retryable_network_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the request

    with pytest.raises(pinned.NetworkFailed, match=r"could not connect to closed\.test") as caught:
        get(f"http://closed.test:{port}/", resolver=DNS(["127.0.0.1"], []))

    assert caught.value.retryable


# --- what is sent -----------------------------------------------------------------------


def test_host_header_and_defaults_and_caller_headers(server: Server) -> None:
    response = get(
        f"http://API.Example.test:{server.port}/echo/%7Euser/ü?q=é&x=1",
        resolver=DNS(["127.0.0.1"], []),
        headers={"X-Api-Key": " secret ", "Accept": "application/json"},
    )

    seen = echoed(response)
    headers = dict(seen["headers"])
    assert headers["Host"] == f"api.example.test:{server.port}"
    assert headers["X-Api-Key"] == "secret"
    assert headers["Accept"] == "application/json"  # the caller's, not the default
    assert headers["User-Agent"] == pinned.USER_AGENT
    assert seen["path"] == "/echo/%7Euser/%C3%BC?q=%C3%A9&x=1"


@pytest.mark.parametrize(
    ("scheme", "host", "port", "expected"),
    [
        ("https", "api.example.test", 443, "api.example.test"),
        ("http", "api.example.test", 80, "api.example.test"),
        ("https", "api.example.test", 8443, "api.example.test:8443"),
        ("https", "2606:2800:21f::1", 443, "[2606:2800:21f::1]"),
        ("http", "2606:2800:21f::1", 8080, "[2606:2800:21f::1]:8080"),
    ],
)
def test_the_host_header_is_the_url_authority(
    scheme: str, host: str, port: int, expected: str
) -> None:
    target = ssrf.ResolvedTarget(scheme=scheme, host=host, port=port, addresses=(PUBLIC,))

    assert pinned._request_headers(target, [])[0] == ("Host", expected)


def test_a_body_is_sent_with_its_length_and_post_without_one_sends_zero(server: Server) -> None:
    url = f"http://127.0.0.1:{server.port}/echo"

    with_body = echoed(get(url, method="POST", body=b'{"a": 1}'))
    without = echoed(get(url, method="POST"))

    assert (with_body["body"], dict(with_body["headers"])["Content-Length"]) == ('{"a": 1}', "8")
    assert dict(without["headers"])["Content-Length"] == "0"


def test_redirects_are_returned_not_followed(server: Server) -> None:
    response = get(f"http://127.0.0.1:{server.port}/redirect")

    assert response.status == 302
    assert dict(response.headers)["Location"].startswith(f"http://{METADATA}/")
    assert len(server.requests) == 1


# --- one deadline for the whole request -------------------------------------------------


@pytest.mark.parametrize("path", ["/drip/20", "/drip-head"])
def test_a_server_dripping_bytes_is_cut_at_the_deadline(server: Server, path: str) -> None:
    # Every gap (0.3 s) is far below the 1 s budget, so a per-read timeout of 1 s would
    # wait out all 20 bytes (6 s); one deadline for the whole request does not.
    started = time.monotonic()

    with pytest.raises(pinned.DeadlineExceeded) as caught:
        get(f"http://127.0.0.1:{server.port}{path}", deadline_s=1.0)

    assert time.monotonic() - started < 2.5
    assert caught.value.retryable
    assert len(server.requests) == 1  # it connected; the reads ran out of time


def test_a_slow_body_within_the_deadline_is_read_whole(server: Server) -> None:
    response = get(f"http://127.0.0.1:{server.port}/drip/3", deadline_s=5.0)

    assert response.body == b"xxx"


# --- what is read -----------------------------------------------------------------------


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_bodies_are_decoded(server: Server, coding: str) -> None:
    response = get(f"http://127.0.0.1:{server.port}/encoded/{coding}")

    assert json.loads(response.body) == {"decoded": True}


def test_an_unknown_encoding_is_refused(server: Server) -> None:
    with pytest.raises(pinned.UnsupportedEncoding) as caught:
        get(f"http://127.0.0.1:{server.port}/encoded/br")

    assert not caught.value.retryable


@pytest.mark.parametrize("path", ["/big/2000", "/bomb"])
def test_bodies_over_the_cap_are_refused_while_reading(server: Server, path: str) -> None:
    with pytest.raises(pinned.ResponseTooLarge, match="larger than 1000 bytes") as caught:
        get(f"http://127.0.0.1:{server.port}{path}", max_bytes=1000)

    assert not caught.value.retryable


def test_each_thread_gets_its_own_default_tls_context() -> None:
    # httpcore sets ALPN on the context for every connection: sharing one across
    # threads would race.
    mine = pinned._default_ssl_context()
    theirs: list[ssl.SSLContext] = []
    worker = threading.Thread(target=lambda: theirs.append(pinned._default_ssl_context()))
    worker.start()
    worker.join()

    assert pinned._default_ssl_context() is mine
    assert theirs[0] is not mine
    assert mine.verify_mode == ssl.CERT_REQUIRED
    assert mine.check_hostname


def test_the_charset_of_the_content_type_decodes_the_text() -> None:
    assert pinned._charset("text/plain; charset=ISO-8859-1") == "iso8859-1"
    assert pinned._charset("text/plain; charset=no-such-codec") == "utf-8"
    assert pinned._charset(None) == "utf-8"
    body = "café".encode("latin-1")
    assert pinned.Response(status=200, headers=(), body=body, encoding="iso8859-1").text() == "café"


# --- headers the caller may not set -----------------------------------------------------

FORBIDDEN = [
    *sorted(REFUSED_NAMES),
    "X-Google-Metadata-Request",
    "x-google-anything",
    "X-Forwarded-For",
    "x-forwarded-host",
    "X-aws-ec2-metadata-token",
    "X-aws-ec2-metadata-token-ttl-seconds",
]


def case_variants(name: str) -> list[str]:
    return list(dict.fromkeys([name, name.lower(), name.upper(), name.title()]))


@pytest.mark.parametrize("name", [v for n in FORBIDDEN for v in case_variants(n)])
def test_forbidden_headers_are_refused_before_connecting(server: Server, name: str) -> None:
    with pytest.raises(BlockedHeader, match="may not be set") as caught:
        get(f"http://127.0.0.1:{server.port}/echo", headers={name: "x"})

    assert caught.value.name == name
    assert server.requests == []


def test_every_header_named_in_the_brief_is_refused() -> None:
    brief = ["Host", "Metadata-Flavor", "Forwarded", "Connection", "Keep-Alive", "TE", "Trailer"]
    brief += ["Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "Upgrade"]
    brief += ["Transfer-Encoding", "Content-Length", "X-Google-Foo", "X-Forwarded-Proto"]
    for name in brief:
        with pytest.raises(BlockedHeader):
            check_headers([(name, "x")])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Note", "a\r\nHost: 169.254.169.254"),
        ("X-Note", "a\nb"),
        ("X-Note", "a\rb"),
        ("X-Note", "nul\0"),
        ("X-Note", "del\x7f"),
        ("X-Note", "café"),
        ("Bad Name", "x"),
        ("X-Note\r\nHost", "x"),
        ("", "x"),
    ],
)
def test_header_names_and_values_must_be_clean(name: str, value: str) -> None:
    with pytest.raises(BlockedHeader):
        check_headers([(name, value)])


def test_ordinary_headers_pass() -> None:
    check_headers(
        [
            ("Authorization", "Bearer abc.def"),
            ("X-Api-Key", "k\tv"),
            ("Accept", "application/json"),
            ("X-Forwarded", "not a prefix match"),
            ("Metadata-Flavour", "a different name"),
        ]
    )


def save_with_headers(headers: dict[str, str]) -> SaveWorkflow:
    return parse(
        SaveWorkflow,
        {
            "name": "Fetch",
            "nodes": [
                {
                    "id": "a",
                    "type": "http",
                    "config": {"url": "https://api.example.com", "headers": headers},
                }
            ],
            "edges": [],
        },
    )


@pytest.mark.parametrize("name", ["Host", "metadata-flavor", "X-Google-Token", "x-forwarded-for"])
def test_forbidden_header_names_are_refused_at_save_time(name: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        save_with_headers({name: "{{ input.x }}"})

    assert caught.value.field == "nodes[0].config.headers"
    assert f"header '{name}' may not be set" in caught.value.message


def test_ordinary_header_names_are_saved() -> None:
    saved = save_with_headers({"Authorization": "Bearer {{ vars.token }}"})

    assert isinstance(saved.nodes[0], HttpNode)


# --- run_http end to end, with DNS itself answering differently the second time ----------


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`socket.getaddrinfo` for 'rebind.test': 127.0.0.1 once, the metadata address after.

    Patched at the socket level so that any HTTP client's own lookup sees it too: the old
    `run_http` (check, then let httpx resolve again) connected to 169.254.169.254.
    """
    lookups: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else METADATA
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 80)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def http_node(url: str, **config: Any) -> HttpNode:
    return HttpNode.model_validate(
        {"id": "fetch", "type": "http", "config": {"url": url, "timeoutSeconds": 2, **config}}
    )


def context(**scope: Any) -> NodeContext:
    return NodeContext(
        uid="u1",
        execution_id="e1",
        correlation_id="c1",
        plan="free",
        scope={"input": {}, "vars": {}, "nodes": {}, "trigger": {}, **scope},
        db=cast(Any, None),
        now=datetime(2026, 12, 1, tzinfo=UTC),
        gateway=cast(Any, None),
        publish=lambda envelope: None,
        allow_private_urls=True,
    )


def test_run_http_connects_where_the_guard_looked(server: Server, rebinding_dns: list[str]) -> None:
    result = run_http(http_node(f"http://rebind.test:{server.port}/echo"), context())

    assert result.output["status"] == 200
    assert result.output["body"]["path"] == "/echo"
    assert rebinding_dns == ["rebind.test"]
    assert server.hosts == [f"rebind.test:{server.port}"]


def test_run_http_stops_a_dripping_server_at_timeout_seconds(server: Server) -> None:
    started = time.monotonic()

    with pytest.raises(NodeFailed, match="within 1 s") as caught:
        run_http(http_node(f"http://127.0.0.1:{server.port}/drip/20", timeoutSeconds=1), context())

    assert time.monotonic() - started < 2.5
    assert caught.value.retryable


def test_run_http_refuses_a_header_value_that_renders_a_line_break(server: Server) -> None:
    node = http_node(f"http://127.0.0.1:{server.port}/echo", headers={"X-Note": "{{ input.note }}"})

    with pytest.raises(NodeFailed, match="header 'X-Note'") as caught:
        run_http(node, context(input={"note": "a\r\nMetadata-Flavor: Google"}))

    assert not caught.value.retryable
    assert server.requests == []


@pytest.mark.parametrize(
    ("path", "retryable", "message"),
    [
        ("/big/300000", False, "larger than 262144 bytes"),
        ("/status/503", True, "HTTP 503 from 127.0.0.1"),
        ("/status/404", False, "HTTP 404 from 127.0.0.1"),
    ],
)
def test_run_http_failures_keep_their_retry_stance(
    server: Server, path: str, retryable: bool, message: str
) -> None:
    with pytest.raises(NodeFailed, match=message) as caught:
        run_http(http_node(f"http://127.0.0.1:{server.port}{path}"), context())

    assert caught.value.retryable is retryable


def test_run_http_refuses_the_metadata_address_without_retry() -> None:
    with pytest.raises(NodeFailed, match="url refused") as caught:
        run_http(http_node(f"http://{METADATA}/computeMetadata/v1/"), context())

    assert not caught.value.retryable


# --- TLS: the certificate and SNI name the URL's host, not the pinned address ------------


def self_signed(host: str, directory: Path) -> tuple[Path, Path, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file, key_file = directory / f"{host}.crt", directory / f"{host}.key"
    cert_file.write_bytes(pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file, pem.decode()


def tls_server(cert_host: str, directory: Path) -> tuple[Server, ssl.SSLContext, list[str]]:
    """A server presenting a certificate for `cert_host`, a client context trusting that
    certificate, and the server names (SNI) clients asked for."""
    cert_file, key_file, pem = self_signed(cert_host, directory)
    names: list[str] = []
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert_file, key_file)

    def record_sni(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        names.append(str(name))

    server_side.sni_callback = record_sni
    return Server(tls=server_side), ssl.create_default_context(cadata=pem), names


def test_https_verifies_the_url_host_and_sends_it_as_sni(tmp_path: Path) -> None:
    running, trusted, names = tls_server("pinned.test", tmp_path)
    try:
        dns = DNS(first=["127.0.0.1"], later=[METADATA])
        response = get(
            f"https://pinned.test:{running.port}/echo", resolver=dns, ssl_context=trusted
        )
    finally:
        running.close()

    assert echoed(response)["path"] == "/echo"
    # The certificate names pinned.test only (not 127.0.0.1), so it verified the name.
    assert names == ["pinned.test"]
    assert running.hosts == [f"pinned.test:{running.port}"]
    assert dns.asked == [("pinned.test", running.port)]


def test_https_refuses_a_certificate_for_another_name(tmp_path: Path) -> None:
    running, trusted, names = tls_server("other.test", tmp_path)
    try:
        with pytest.raises(pinned.NetworkFailed, match="certificate verify failed"):
            get(
                f"https://pinned.test:{running.port}/echo",
                resolver=DNS(["127.0.0.1"], []),
                ssl_context=trusted,
            )
    finally:
        running.close()

    assert names == ["pinned.test"]
    assert running.requests == []
