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
    msg["From"] = formataddr((email.sender_name, settings.smtp_from))
    msg["To"] = email.recipient
    msg["Subject"] = email.subject
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
        await asyncio.to_thread(_send, message(email, settings), settings)
    except (OSError, smtplib.SMTPException) as exc:
        async with pool.acquire() as conn:
            status = await outbox.failed(conn, email, f"{type(exc).__name__}: {exc}", settings.retry_scale)
        log.warning("email %s to %s not sent (%s): %s", email.id, email.recipient, status, exc)
        return
    async with pool.acquire() as conn:
        await outbox.sent(conn, email)


async def email_loop(pool: asyncpg.Pool, settings: Settings) -> None:
    interval = min(1.0, settings.relay_interval * 10)
    while True:
        busy = False
        try:
            async with pool.acquire() as conn:
                busy = await outbox.enqueue_once(conn, utcnow()) > 0
                due = await outbox.claim(conn, BATCH, LEASE)
            for email in due:  # one at a time: a mail server is happier with one connection
                busy = True
                await _deliver(pool, email, settings)
        except Exception:
            log.exception("customer emails failed; retrying")
            await asyncio.sleep(1)
        if not busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.sleep(interval)
