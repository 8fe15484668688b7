"""Which URLs an endpoint may have: http(s) only, and (unless allowed by a setting) never one that
resolves to a loopback, private, link-local or otherwise internal address, so a tenant cannot make the
service call into its own network. Checked when an endpoint is saved and again before every attempt,
since DNS answers change."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL = 2000


class UrlRefused(Exception):
    def __init__(self, message: str, private: bool = False) -> None:
        super().__init__(message)
        self.private = private


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


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
    return parts.hostname


async def check(url: str, allow_private: bool) -> None:
    """Refuses a malformed URL, and one whose host resolves to an internal address."""
    host = shape(url)
    if allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UrlRefused(f"url's host {host!r} does not resolve") from exc
    if any(_internal(str(info[4][0])) for info in infos):
        raise UrlRefused(f"url's host {host!r} resolves to a private or loopback address", private=True)
