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
BATCH = 50


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
    outcome = await send(http, due, settings)
    async with pool.acquire() as conn:
        status = await delivery.record(conn, due, outcome, settings.retry_scale, utcnow())
    if status == "FAILED":
        log.warning("webhook endpoint %s disabled: delivery %s failed", due.endpoint_id, due.delivery_id)


async def webhook_loop(pool: asyncpg.Pool, settings: Settings) -> None:
    interval = min(1.0, settings.relay_interval * 10)
    lease = settings.webhook_timeout + 30
    timeout = httpx.Timeout(settings.webhook_timeout)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as http:
        while True:
            busy = False
            try:
                async with pool.acquire() as conn:
                    busy = await delivery.fan_out_once(conn) > 0
                    due = await delivery.claim_due(conn, BATCH, lease)
                if due:
                    busy = True
                    await asyncio.gather(*(_deliver(pool, http, d, settings) for d in due))
            except Exception:
                log.exception("webhook delivery failed; retrying")
                await asyncio.sleep(1)
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.sleep(interval)
