"""The SSRF guard: which URLs a workflow's `http` node may call, and at which addresses.

`check_url` vets a URL and every address its host resolves to, and returns them in a
`ResolvedTarget`. Vetting alone cannot stop DNS rebinding: a host may answer with a public
address now and a private one when an HTTP client resolves it again a moment later. So
the guard's answer is also what the connection uses: `shared.net.pinned.fetch` calls
`check_url` once and then

- dials only `ResolvedTarget.addresses` (its network backend never resolves a name: it
  accepts only the vetted host and connects to those addresses), while sending
  `Host: <host>` and, for https, using `host` as the TLS server name (SNI) and for
  certificate verification;
- does not follow redirects (a `Location` would have to go through `check_url` again);
- reads no proxy settings from the environment, which would connect elsewhere;
- refuses headers that would reach past the guard (`Host`, metadata and forwarding
  headers, hop-by-hop headers: `shared.net.headers`).

Call `fetch`, not an HTTP client of your own, for any URL a user can influence.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

DEFAULT_PORTS = {"http": 80, "https": 443}
# Refused even with allow_private: the instance metadata services hand out credentials.
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata"})
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # GCP, AWS, Azure, DigitalOcean, OpenStack
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud (in the shared space allowed with allow_private)
    )
)


def _nets(*cidrs: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# Written out rather than read from ipaddress's is_private/is_global, whose tables changed
# between Python patch releases (CVE-2024-4032). Checked in this order; the first match names
# the reason. "Private" classes are the ones allow_private lets through.
_PRIVATE_CLASSES = (
    ("loopback address", _nets("127.0.0.0/8", "::1/128")),
    ("private address", _nets("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")),
    ("shared address space (100.64.0.0/10)", _nets("100.64.0.0/10")),
)
_ALWAYS_BLOCKED = (
    ("unspecified address", _nets("0.0.0.0/8", "::/128")),
    ("link-local address", _nets("169.254.0.0/16", "fe80::/10")),
    ("multicast address", _nets("224.0.0.0/4", "ff00::/8")),
    (
        "reserved address",
        _nets(
            "192.0.0.0/24",  # IETF protocol assignments
            "192.0.2.0/24",  # documentation (TEST-NET-1..3)
            "198.51.100.0/24",
            "203.0.113.0/24",
            "192.88.99.0/24",  # 6to4 relay anycast
            "198.18.0.0/15",  # benchmarking
            "240.0.0.0/4",  # reserved, and the broadcast address
            "100::/64",  # discard-only
            "2001::/23",  # IETF protocol assignments, Teredo
            "2001:db8::/32",  # documentation
            "2002::/16",  # 6to4, which can carry any IPv4 address
            "fec0::/10",  # site-local (deprecated)
        ),
    ),
)
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
# A host whose last label is a number is an IPv4 address, however written (WHATWG URL
# standard; inet_aton agrees): `2130706433`, `0x7f.1`, `017700000001` are all 127.0.0.1.
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")


class BlockedURL(ValueError):
    """The URL may not be fetched; the message says why."""


@dataclass(frozen=True)
class ResolvedTarget:
    """A vetted URL's parts, and the addresses the caller should connect to."""

    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def check_url(
    url: str, *, allow_private: bool = False, resolver: Resolver | None = None
) -> ResolvedTarget:
    """Vet a URL for the workflow `http` node.

    Args:
        url: an absolute http or https URL without userinfo.
        allow_private: let loopback, RFC 1918, unique-local and shared (100.64/10)
            addresses through (the local stack only); metadata, link-local, multicast
            and reserved addresses stay blocked.
        resolver: `(host, port) -> addresses`; the default asks the system resolver
            (socket.getaddrinfo) for every address of the host.

    Returns:
        The scheme, host (lower case, IDNA-encoded, no brackets), port and every address
        the host resolved to; connect to one of these (see the module docstring).

    Raises:
        BlockedURL: the URL is malformed or not http(s), has userinfo, names a metadata
            host, does not resolve, or any of its addresses is refused.
    """
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise BlockedURL("the URL contains whitespace or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedURL(f"the URL is malformed: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise BlockedURL(f"only http and https URLs are allowed, not '{scheme or url}'")
    if "@" in parts.netloc:
        raise BlockedURL("the URL may not carry a user name or password (user:pass@)")
    if "\\" in parts.netloc:
        raise BlockedURL("the URL's host contains a backslash")
    if not parts.hostname:
        raise BlockedURL("the URL has no host")
    if port == 0:
        raise BlockedURL("port 0 is not allowed")
    port = port or DEFAULT_PORTS[scheme]
    host = _ascii_host(parts.hostname)
    bare = host.rstrip(".")
    if bare in METADATA_HOSTS:
        raise BlockedURL(f"'{host}' is the cloud metadata service")

    literal = _literal_address(bare)
    if literal is not None:
        addresses = [literal]
    else:
        addresses = _resolve(bare, port, resolver or _system_resolver)
    for address in addresses:
        reason = _refusal(address, allow_private=allow_private)
        if reason is not None:
            shown = host if str(address) == bare else f"{host} ({address})"
            raise BlockedURL(f"{shown} is a {reason}")
    return ResolvedTarget(
        scheme=scheme,
        host=host,
        port=port,
        addresses=tuple(dict.fromkeys(str(a) for a in addresses)),
    )


def _ascii_host(hostname: str) -> str:
    if hostname.isascii():
        return hostname
    try:
        return hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise BlockedURL(f"'{hostname}' is not a valid host name") from None


def _literal_address(host: str) -> IPAddress | None:
    """The address a host names by itself: an IP literal or a legacy IPv4 number."""
    if "%" in host:  # an IPv6 zone (`fe80::1%eth0`) picks a local interface
        raise BlockedURL(f"'{host}' names a network interface, which is not allowed")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if ":" in host:
        raise BlockedURL(f"'{host}' is not a valid IPv6 address")
    labels = host.split(".")
    if not _NUMERIC_LABEL.match(labels[-1]):
        return None
    return _legacy_ipv4(host, labels)


def _legacy_ipv4(host: str, labels: list[str]) -> ipaddress.IPv4Address:
    """Parse `a`, `a.b`, `a.b.c`, `a.b.c.d` with decimal, octal (0..) or hex (0x..) parts."""
    invalid = BlockedURL(f"'{host}' looks like an IPv4 address but is not a valid one")
    if len(labels) > 4:
        raise invalid
    numbers = []
    for label in labels:
        try:
            if label.startswith("0x"):
                numbers.append(int(label[2:] or "0", 16))
            elif len(label) > 1 and label.startswith("0"):
                numbers.append(int(label, 8))
            else:
                numbers.append(int(label, 10))
        except ValueError:
            raise invalid from None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise invalid
    value = last
    for i, n in enumerate(head):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _resolve(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    try:
        found = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise BlockedURL(f"'{host}' does not resolve: {exc}") from None
    if not found:
        raise BlockedURL(f"'{host}' does not resolve to any address")
    addresses = []
    for text in found:
        try:
            addresses.append(ipaddress.ip_address(text))
        except ValueError:
            raise BlockedURL(f"'{host}' resolves to an address that is not allowed") from None
    return addresses


def _refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why `address` is refused, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "cloud metadata address"
    for reason, networks in _ALWAYS_BLOCKED:
        if any(address in net for net in networks):
            return reason
    for reason, networks in _PRIVATE_CLASSES:
        if any(address in net for net in networks):
            return None if allow_private else reason
    if isinstance(address, ipaddress.IPv6Address) and address not in _GLOBAL_UNICAST_V6:
        return "reserved address"
    return None
