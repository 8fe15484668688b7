"""Which URLs an endpoint may have: http(s) only, with a well-formed host, and (unless allowed by a
setting) never one that resolves to a loopback, private, link-local or otherwise internal address, so a
tenant cannot make the service call into its own network. IPv6 addresses that carry an IPv4 address
(mapped, translated, compatible, NAT64, 6to4) are judged by the IPv4 address inside. Checked when an
endpoint is saved and again before every attempt, since DNS answers change."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL = 2000
RESOLVE_TIMEOUT = 5.0  # seconds for the host's DNS answer

IPv4 = ipaddress.IPv4Address
IPv6 = ipaddress.IPv6Address
# IPv4 addresses dressed as IPv6 (the IPv4 address in the last 32 bits is where the packets go).
_V4_IN_LOW_BITS = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765)
        "::/96",  # IPv4-compatible (deprecated; includes :: and ::1)
        "64:ff9b::/96",  # NAT64, well-known prefix (RFC 6052)
    )
)
# Local-use NAT64 (RFC 8215): where the IPv4 address sits depends on the local prefix length (/48 to
# /96), so it cannot be read reliably; the whole range is local by definition and is refused.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
_IETF_PROTOCOL = ipaddress.IPv4Network("192.0.0.0/24")  # not globally reachable; older Pythons miss parts


class UrlRefused(Exception):
    def __init__(self, message: str, private: bool = False) -> None:
        super().__init__(message)
        self.private = private


def _internal_ip(ip: IPv4 | IPv6) -> bool:
    if isinstance(ip, IPv4) and ip in _IETF_PROTOCOL:
        return True
    if isinstance(ip, IPv6) and ip.is_site_local:  # fec0::/10, deprecated but still routable locally
        return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
        or ip.is_multicast
    )


def embedded_ipv4(ip: IPv6) -> IPv4 | None:
    """The IPv4 address an IPv6 address carries, if it is one of the forms that carry one."""
    if ip.sixtofour is not None:  # 2002::/16, the IPv4 address in bits 16-48
        return ip.sixtofour
    if any(ip in net for net in _V4_IN_LOW_BITS):
        return IPv4(int(ip) & 0xFFFFFFFF)
    return None


def internal(address: str) -> bool:
    """Whether an address (as getaddrinfo gives it) is one a webhook must never be sent to."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, IPv6):
        if ip in _LOCAL_NAT64:
            return True
        inner = embedded_ipv4(ip)
        if inner is not None:
            if _internal_ip(inner):
                return True
            if ip.sixtofour is None:  # a plain IPv4 address in disguise: the IPv4 address decides
                return False
    return _internal_ip(ip)


def shape(url: str) -> str:
    """The URL's host, once the URL is well-formed; else UrlRefused."""
    if len(url) > MAX_URL:
        raise UrlRefused(f"url is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlRefused("url is not a valid URL") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused("url must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise UrlRefused("url must not carry credentials")
    del port
    host = parts.hostname
    try:
        host.encode("idna")  # empty labels (a..b, ...) and labels over 63 characters fail here
    except (UnicodeError, ValueError) as exc:
        raise UrlRefused("url's host is not a valid host name") from exc
    return host


async def check(url: str, allow_private: bool, resolve_within: float = RESOLVE_TIMEOUT) -> list[str]:
    """Refuses a malformed URL, and one whose host resolves to an internal address. Returns the
    addresses it approved, for the request to connect to (server/pinning.py), so that a DNS answer
    changed since (rebinding) is never used; none when private addresses are allowed (nothing checked)."""
    host = shape(url)
    if allow_private:
        return []
    try:
        async with asyncio.timeout(resolve_within):
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except TimeoutError as exc:
        raise UrlRefused(f"url's host {host!r} did not resolve within {resolve_within:g} s") from exc
    except socket.gaierror as exc:
        raise UrlRefused(f"url's host {host!r} does not resolve") from exc
    except (UnicodeError, ValueError) as exc:  # a host name the resolver cannot even encode
        raise UrlRefused("url's host is not a valid host name") from exc
    addresses = [str(info[4][0]) for info in infos]
    try:
        refused = any(internal(address) for address in addresses)
    except ValueError as exc:  # pragma: no cover - getaddrinfo answered something that is not an address
        raise UrlRefused(f"url's host {host!r} resolves to an unreadable address") from exc
    if refused:
        raise UrlRefused(f"url's host {host!r} resolves to a private or loopback address", private=True)
    return addresses
