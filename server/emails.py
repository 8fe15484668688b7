"""Customer emails, the SMTP side: turns new events into notifications, then sends them with the
standard library's smtplib (in a thread). Runs only when BATON_SMTP_HOST is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import asyncpg

from domain.db import utcnow
from domain.notifications import outbox
from domain.notifications.outbox import Email
from server.settings import Settings

log = logging.getLogger("baton.emails")
BATCH = 20
LEASE = 120.0


def message(email: Email, settings: Settings) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((" ".join(email.sender_name.split()), settings.smtp_from))
    msg["To"] = email.recipient
    msg["Subject"] = " ".join(email.subject.split())  # a header is one line
    # The same on every attempt: a copy sent again after a crash can be recognised as the same email.
    msg["Message-ID"] = make_msgid(idstring=email.dedupe_key, domain="baton")
    msg["X-Baton-Dedupe-Key"] = email.dedupe_key
    msg.set_content(email.body)
    return msg


def _send(msg: EmailMessage, settings: Settings) -> None:
    assert settings.smtp_host
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(msg)


async def _deliver(pool: asyncpg.Pool, email: Email, settings: Settings) -> None:
    try:
        msg = message(email, settings)
    except Exception as exc:  # a message that cannot be built never will be: no retries
        async with pool.acquire() as conn:
            await outbox.failed(
                conn, email, f"{type(exc).__name__}: {exc}", settings.retry_scale, permanent=True
            )
        log.warning("email %s to %s cannot be built: %s", email.id, email.recipient, exc)
        return
    try:
        await asyncio.to_thread(_send, msg, settings)
    except (OSError, smtplib.SMTPException) as exc:
        async with pool.acquire() as conn:
            status = await outbox.failed(conn, email, f"{type(exc).__name__}: {exc}", settings.retry_scale)
        log.warning("email %s to %s not sent (%s): %s", email.id, email.recipient, status, exc)
        return
    async with pool.acquire() as conn:
        if not await outbox.sent(conn, email):
            log.warning("email %s was sent after its lease ran out; another sender had claimed it", email.id)


async def email_loop(pool: asyncpg.Pool, settings: Settings) -> None:
    interval = min(1.0, settings.relay_interval * 10)
    while True:
        busy = False
        try:
            async with pool.acquire() as conn:
                busy = await outbox.enqueue_once(conn, utcnow()) > 0
            # One at a time, each claimed just before it is sent: a lease then covers one send,
            # never a queue of them, and a mail server is happier with one connection.
            for _ in range(BATCH):
                async with pool.acquire() as conn:
                    due = await outbox.claim(conn, 1, LEASE)
                if not due:
                    break
                busy = True
                await _deliver(pool, due[0], settings)
        except Exception:
            log.exception("customer emails failed; retrying")
            await asyncio.sleep(1)
        if not busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.sleep(interval)
