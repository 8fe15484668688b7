"""Webhook delivery, the HTTP side: POSTs leased deliveries with Standard Webhooks headers and records
each attempt (domain/webhooks/delivery.py decides retries). Redirects are not followed; a URL whose host
now resolves to an internal address is refused before connecting (unless the setting allows it)."""

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
from server.settings import Settings

log = logging.getLogger("baton.webhooks")
IN_FLIGHT = 50  # requests under way at once per process


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


async def send(http: httpx.AsyncClient, due: Due, settings: Settings) -> Attempt:
    started = time.perf_counter()

    def took() -> int:
        return int((time.perf_counter() - started) * 1000)

    if due.body is None:
        return Attempt(None, 0, "the event was pruned before it could be delivered")
    try:
        await urls.check(due.url, settings.webhook_allow_private)
    except urls.UrlRefused as exc:
        return Attempt(None, took(), f"refused: {exc}")
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "Baton-Webhooks/1",
        "webhook-id": due.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(due.secrets, due.message_id, timestamp, due.body),
    }
    try:
        response = await http.post(due.url, content=due.body.encode(), headers=headers)
    except httpx.TimeoutException:
        return Attempt(None, took(), "timed out")
    except httpx.HTTPError as exc:
        return Attempt(None, took(), f"{type(exc).__name__}: {exc}")
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
    if status == "FAILED":
        log.warning("webhook endpoint %s disabled: delivery %s failed", due.endpoint_id, due.delivery_id)


async def webhook_loop(pool: asyncpg.Pool, settings: Settings) -> None:
    """Claims due deliveries while fewer than IN_FLIGHT requests are under way, so one slow endpoint
    holds a slot for its timeout but never the others' deliveries."""
    interval = min(1.0, settings.relay_interval * 10)
    lease = settings.webhook_timeout + 30
    timeout = httpx.Timeout(settings.webhook_timeout)
    in_flight: set[asyncio.Task[None]] = set()
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as http:
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
