"""Webhook delivery, the HTTP side: POSTs leased deliveries with Standard Webhooks headers and records
each attempt (domain/webhooks/delivery.py decides retries). An attempt is bounded as a whole by the
timeout and reads only the status, headers and a few KiB of the answer. Redirects are not followed; a URL
whose host now resolves to an internal address is refused before connecting (unless the setting allows
it), and the connection goes to an address that check approved (server/pinning.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import asyncpg
import httpx

from domain.db import utcnow
from domain.webhooks import delivery, signing, urls
from domain.webhooks.delivery import Attempt, Due
from server.pinning import PinnedClient
from server.settings import Settings

log = logging.getLogger("baton.webhooks")
IN_FLIGHT = 50  # requests under way at once per process
MAX_BODY = 4096  # bytes of an answer read, at most (a network read may bring a little more)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return (parsedate_to_datetime(value) - utcnow()).total_seconds()
        except (TypeError, ValueError):
            return None


async def _check(url: str, allow_private: bool) -> tuple[str | None, list[str]]:
    """Why the URL is refused now (or None), and the addresses the check approved. Any failure of the
    check itself is a refusal too, so it becomes a recorded attempt rather than one retried for ever."""
    try:
        return None, await urls.check(url, allow_private)
    except urls.UrlRefused as exc:
        return f"refused: {exc}", []
    except Exception as exc:
        return f"refused: the url could not be checked ({type(exc).__name__})", []


async def _drain(response: httpx.Response) -> None:
    """Reads at most about MAX_BODY bytes of the answer (so a short one leaves the connection reusable);
    the status and headers are all that counts."""
    read = 0
    with contextlib.suppress(httpx.HTTPError):
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read >= MAX_BODY:
                break


async def send(http: httpx.AsyncClient, due: Due, settings: Settings) -> Attempt:
    """One attempt, bounded as a whole (URL check, connecting, sending, the answer) by the timeout, so
    it always ends well inside the delivery's lease."""
    started = time.perf_counter()

    def took() -> int:
        return int((time.perf_counter() - started) * 1000)

    if due.body is None:
        return Attempt(None, 0, "the event was pruned before it could be delivered")
    answered: list[httpx.Response] = []
    try:
        async with asyncio.timeout(settings.webhook_timeout):
            refused, addresses = await _check(due.url, settings.webhook_allow_private)
            if refused is not None:
                return Attempt(None, took(), refused)
            if addresses:  # the connection goes to an approved address, not to a fresh DNS answer
                if not isinstance(http, PinnedClient):
                    return Attempt(None, took(), "refused: the client cannot pin checked addresses")
                http.pin(httpx.URL(due.url).raw_host.decode("ascii"), addresses[0])
            timestamp = int(time.time())
            headers = {
                "content-type": "application/json",
                "user-agent": "Baton-Webhooks/1",
                "webhook-id": due.message_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": signing.signature_header(
                    due.secrets, due.message_id, timestamp, due.body
                ),
            }
            async with http.stream("POST", due.url, content=due.body.encode(), headers=headers) as response:
                answered.append(response)
                await _drain(response)
    except TimeoutError:
        if not answered:
            return Attempt(None, took(), "timed out")
        # The status and headers came back in time; only the rest of the body did not.
    except httpx.TimeoutException:
        return Attempt(None, took(), "timed out")
    except Exception as exc:  # httpx.HTTPError, and anything else the request raises (an invalid URL …)
        if not answered:
            return Attempt(None, took(), f"{type(exc).__name__}: {exc}")
    response = answered[0]
    error = f"redirect to {response.headers.get('location')} not followed" if response.is_redirect else None
    return Attempt(response.status_code, took(), error, _retry_after(response))


async def _deliver(pool: asyncpg.Pool, http: httpx.AsyncClient, due: Due, settings: Settings) -> None:
    try:
        outcome = await send(http, due, settings)
        async with pool.acquire() as conn:
            status = await delivery.record(conn, due, outcome, settings.retry_scale, utcnow())
    except Exception:  # the lease runs out and another attempt is made
        log.exception("delivery %s could not be recorded", due.delivery_id)
        return
    if status is None:
        log.info("delivery %s: attempt not recorded (cancelled or claimed again)", due.delivery_id)
    if status == "FAILED":
        log.warning("webhook endpoint %s disabled: delivery %s failed", due.endpoint_id, due.delivery_id)


async def webhook_loop(pool: asyncpg.Pool, settings: Settings) -> None:
    """Claims due deliveries while fewer than IN_FLIGHT requests are under way, so one slow endpoint
    holds a slot for its timeout but never the others' deliveries. send() bounds each attempt as a
    whole by the timeout; httpx's own (per connect, read, write) is only a backstop."""
    interval = min(1.0, settings.relay_interval * 10)
    lease = settings.webhook_timeout + 30
    timeout = httpx.Timeout(settings.webhook_timeout)
    in_flight: set[asyncio.Task[None]] = set()
    async with PinnedClient(timeout, connect_by_name=settings.webhook_allow_private) as http:
        try:
            while True:
                busy = False
                try:
                    async with pool.acquire() as conn:
                        busy = await delivery.fan_out_once(conn) > 0
                        room = IN_FLIGHT - len(in_flight)
                        due = await delivery.claim_due(conn, room, lease) if room > 0 else []
                    for item in due:
                        task = asyncio.create_task(_deliver(pool, http, item, settings))
                        in_flight.add(task)
                        task.add_done_callback(in_flight.discard)
                    busy = busy or bool(due)
                except Exception:
                    log.exception("webhook delivery failed; retrying")
                    await asyncio.sleep(1)
                if not busy:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.sleep(interval)
        finally:
            for task in in_flight:
                task.cancel()  # their leases run out and the deliveries are tried again
            await asyncio.gather(*in_flight, return_exceptions=True)
