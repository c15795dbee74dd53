from __future__ import annotations

import socket

import pytest

from shared.net import ssrf
from shared.net.ssrf import BlockedURL, ResolvedTarget, check_url

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"

DNS: dict[str, list[str]] = {
    "example.com": [PUBLIC_V4, PUBLIC_V6],
    "localhost": ["127.0.0.1", "::1"],
    "intranet.corp": ["10.1.2.3"],
    "half-private.example": [PUBLIC_V4, "192.168.1.10"],
    "cgnat.example": ["100.64.0.7"],
    "rebind-metadata.example": ["169.254.169.254"],
    "aws6.example": ["fd00:ec2::254"],
    "mapped.example": ["::ffff:10.0.0.1"],
    "ula.example": ["fd12:3456:789a::1"],
    "linklocal6.example": ["fe80::1"],
    "multicast.example": ["239.1.2.3"],
    "zero.example": ["0.0.0.0"],
    "nothing.example": [],
    "garbage.example": ["not-an-ip"],
}
asked: list[tuple[str, int]] = []


def resolver(host: str, port: int) -> list[str]:
    asked.append((host, port))
    if host not in DNS:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return DNS[host]


@pytest.fixture(autouse=True)
def _forget_lookups() -> None:
    asked.clear()


def test_public_host_is_accepted_with_every_address() -> None:
    target = check_url("https://Example.COM/path?q=1#frag", resolver=resolver)
    assert target == ResolvedTarget(
        scheme="https", host="example.com", port=443, addresses=(PUBLIC_V4, PUBLIC_V6)
    )
    assert asked == [("example.com", 443)]


def test_ports_and_ip_literals() -> None:
    assert check_url("http://example.com:8080/", resolver=resolver).port == 8080
    target = check_url(f"http://{PUBLIC_V4}/", resolver=resolver)
    assert target.addresses == (PUBLIC_V4,)
    assert asked == [("example.com", 8080)]  # a literal is not looked up
    v6 = check_url(f"HTTP://[{PUBLIC_V6}]:81/", resolver=resolver)
    assert (v6.scheme, v6.host, v6.port, v6.addresses) == ("http", PUBLIC_V6, 81, (PUBLIC_V6,))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "loopback address"),
        ("http://127.8.9.10:9000/", "loopback address"),
        ("http://localhost/", "loopback address"),
        ("http://[::1]/", "loopback address"),
        ("http://10.0.0.1/", "private address"),
        ("http://172.16.5.4/", "private address"),
        ("http://172.31.255.255/", "private address"),
        ("http://192.168.0.1/", "private address"),
        ("http://intranet.corp/", "private address"),
        ("http://half-private.example/", "private address"),  # ANY address refused
        ("http://[fd12:3456:789a::1]/", "private address"),
        ("http://ula.example/", "private address"),
        ("http://100.64.0.1/", "shared address space"),
        ("http://cgnat.example/", "shared address space"),
        ("http://169.254.1.1/", "link-local address"),
        ("http://[fe80::1]/", "link-local address"),
        ("http://linklocal6.example/", "link-local address"),
        ("http://224.0.0.1/", "multicast address"),
        ("http://multicast.example/", "multicast address"),
        ("http://[ff02::1]/", "multicast address"),
        ("http://0.0.0.0/", "unspecified address"),
        ("http://zero.example/", "unspecified address"),
        ("http://[::]/", "unspecified address"),
        ("http://240.0.0.1/", "reserved address"),
        ("http://255.255.255.255/", "reserved address"),
        ("http://192.0.2.1/", "reserved address"),
        ("http://198.18.0.1/", "reserved address"),
        ("http://[2001:db8::1]/", "reserved address"),
        ("http://[2002:7f00:1::]/", "reserved address"),  # 6to4 carrying 127.0.0.1
        ("http://[64:ff9b::7f00:1]/", "reserved address"),  # NAT64 of 127.0.0.1
        ("http://[::7f00:1]/", "reserved address"),  # IPv4-compatible, deprecated
        ("http://[::ffff:127.0.0.1]/", "loopback address"),  # IPv4-mapped
        ("http://[::ffff:7f00:1]/", "loopback address"),
        ("http://[::ffff:169.254.169.254]/", "cloud metadata address"),
        ("http://mapped.example/", "private address"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata address"),
        ("http://rebind-metadata.example/", "cloud metadata address"),
        ("http://[fd00:ec2::254]/", "cloud metadata address"),
        ("http://aws6.example/", "cloud metadata address"),
        ("http://100.100.100.200/", "cloud metadata address"),
    ],
)
def test_non_public_addresses_are_refused(url: str, reason: str) -> None:
    with pytest.raises(BlockedURL, match=reason):
        check_url(url, resolver=resolver)


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/",  # hex and a short form
        "http://0x7f000001/",
        "http://017700000001/",  # octal
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://127.0.1/",
        "http://0/",  # 0.0.0.0
        "http://0x0a.0x00.0x00.0x01/",  # 10.0.0.1
        "http://2852039166/",  # 169.254.169.254
        "http://127.0.0.1./",  # trailing dot
    ],
)
def test_numeric_hosts_are_read_as_ipv4_and_refused(url: str) -> None:
    with pytest.raises(BlockedURL, match="address"):
        check_url(url, resolver=resolver)
    assert asked == []  # never sent to DNS, where inet_aton would read them the same way


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://1572394766/", PUBLIC_V4),  # 93.184.215.14 as one number
        ("http://0x5d.0xb8.0xd7.0x0e/", PUBLIC_V4),
        ("http://93.12113678/", PUBLIC_V4),
    ],
)
def test_numeric_public_hosts_resolve_to_the_same_address(url: str, expected: str) -> None:
    assert check_url(url, resolver=resolver).addresses == (expected,)


@pytest.mark.parametrize(
    "url",
    ["http://256.1.1.1/", "http://1.2.3.4.5/", "http://0x1g.1/", "http://foo.123/", "http://1..1/"],
)
def test_malformed_numeric_hosts_are_refused(url: str) -> None:
    with pytest.raises(BlockedURL, match="not a valid"):
        check_url(url, resolver=resolver)


@pytest.mark.parametrize(
    "url",
    [
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://METADATA.google.internal./",
        "http://metadata/",
        "http://metadata:80/",
    ],
)
@pytest.mark.parametrize("allow_private", [False, True])
def test_metadata_hosts_are_refused_before_lookup(url: str, allow_private: bool) -> None:
    with pytest.raises(BlockedURL, match="cloud metadata service"):
        check_url(url, allow_private=allow_private, resolver=resolver)
    assert asked == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/",
        "http://[fd00:ec2::254]/",
        "http://rebind-metadata.example/",
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_metadata_addresses_stay_blocked_with_allow_private(url: str) -> None:
    with pytest.raises(BlockedURL, match="cloud metadata address"):
        check_url(url, allow_private=True, resolver=resolver)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8790/",
        "http://localhost:5001/",
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://intranet.corp/",
        "http://[fd12:3456:789a::1]/",
        "http://100.64.0.1/",
        "http://mapped.example/",
    ],
)
def test_allow_private_lets_the_local_stack_through(url: str) -> None:
    assert check_url(url, allow_private=True, resolver=resolver).addresses


@pytest.mark.parametrize(
    "url",
    ["http://169.254.1.1/", "http://[fe80::1]/", "http://224.0.0.1/", "http://0.0.0.0/"],
)
def test_allow_private_still_refuses_link_local_multicast_and_unspecified(url: str) -> None:
    with pytest.raises(BlockedURL):
        check_url(url, allow_private=True, resolver=resolver)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://example.com/", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("//example.com/", "only http and https"),
        ("example.com", "only http and https"),
        ("http:///path", "no host"),
        ("http://", "no host"),
        ("http://user:pass@example.com/", "user name or password"),
        ("http://user@example.com/", "user name or password"),
        ("http://example.com@127.0.0.1/", "user name or password"),
        ("http://example.com\\@127.0.0.1/", "user name or password"),
        ("http://example.com:99999/", "malformed"),
        ("http://example.com:abc/", "malformed"),
        ("http://example.com:0/", "port 0"),
        ("http://[::1/", "malformed"),
        ("http://exa mple.com/", "whitespace or control"),
        ("http://example.com/\r\nX: 1", "whitespace or control"),
        ("http://[fe80::1%25eth0]/", "network interface"),
        ("http://[1.2.3.4]/", "malformed"),
        ("http://unknown.example/", "does not resolve"),
        ("http://nothing.example/", "does not resolve to any address"),
        ("http://garbage.example/", "resolves to an address that is not allowed"),
    ],
)
def test_bad_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(BlockedURL, match=reason):
        check_url(url, resolver=resolver)


def test_unicode_hosts_are_looked_up_in_idna_form() -> None:
    DNS["xn--bcher-kva.example"] = [PUBLIC_V4]
    try:
        assert check_url("https://bücher.example/", resolver=resolver).host == (
            "xn--bcher-kva.example"
        )
    finally:
        del DNS["xn--bcher-kva.example"]


def test_blocked_url_is_a_value_error() -> None:
    assert issubclass(BlockedURL, ValueError)


def test_default_resolver_uses_getaddrinfo(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake_getaddrinfo(host: str, port: int, **kwargs: object) -> list[tuple[object, ...]]:
        calls.append((host, port, kwargs))
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_V4, port)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port, 0, 0)),
        ]

    monkeypatch.setattr(ssrf.socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(BlockedURL, match=r"example\.org \(::1\) is a loopback address"):
        check_url("https://example.org/")
    assert calls == [("example.org", 443, {"type": socket.SOCK_STREAM})]
