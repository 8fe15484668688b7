"""Webhook requests connect to the address the URL check approved, not to whatever the host name
resolves to a moment later: a DNS answer that changes between the check and the connection (DNS
rebinding) can no longer point a delivery at an internal address.

The client keeps the host name in the URL, so the Host header, TLS's server name and the certificate
check are all the name's, and pooled connections are kept per name; only the TCP connection goes to the
pinned address. A name with no pinned address is connected by name only when private addresses are
allowed (BATON_WEBHOOK_ALLOW_PRIVATE, where no check resolves anything)."""

from __future__ import annotations

import typing

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream
from httpcore._backends.auto import AutoBackend

# httpx's own defaults for a client's pool.
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


class PinnedBackend(AsyncNetworkBackend):
    def __init__(self, connect_by_name: bool) -> None:
        self.inner = AutoBackend()
        self.connect_by_name = connect_by_name
        self.pins: dict[str, str] = {}

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> AsyncNetworkStream:
        address = self.pins.get(host)
        if address is None and not self.connect_by_name:
            raise httpcore.ConnectError(f"no checked address for {host!r}")
        return await self.inner.connect_tcp(
            address or host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: typing.Any = None,
    ) -> AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are not sent over unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class PinnedClient(httpx.AsyncClient):
    """An httpx client whose connections go to pinned addresses (see the module's docstring)."""

    def __init__(self, timeout: httpx.Timeout, connect_by_name: bool) -> None:
        self.backend = PinnedBackend(connect_by_name)
        transport = httpx.AsyncHTTPTransport(limits=LIMITS)
        # httpx (pinned at 0.28) builds its httpcore pool with no way to pass a network backend, so the
        # transport gets a pool built the same way, with ours.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=LIMITS.max_connections,
            max_keepalive_connections=LIMITS.max_keepalive_connections,
            keepalive_expiry=LIMITS.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=self.backend,
        )
        super().__init__(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False)

    def pin(self, host: str, address: str) -> None:
        """Connections to `host` from now on go to `address` (one the URL check approved)."""
        self.backend.pins[host] = address
