"""Rules of live updates that need no database: the subscriber's switch-over from replay to live
batches, webhook retry timing, and which events send which customer email."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace

import pytest

from domain.events import hub as hub_module
from domain.events.hub import Subscription
from domain.notifications import templates
from domain.webhooks import signing
from domain.webhooks.delivery import SCHEDULE, Attempt, next_delay


class Log:
    """Stands in for the hub: the tenant's log as a list, read like the table."""

    def __init__(self, upto: int) -> None:
        self.rows = [SimpleNamespace(position=p) for p in range(1, upto + 1)]
        self.reads = 0

    async def read(self, tenant: uuid.UUID, after: int, limit: int) -> list[SimpleNamespace]:
        self.reads += 1
        return [r for r in self.rows if r.position > after][:limit]

    def grow(self, upto: int) -> list[SimpleNamespace]:
        new = [SimpleNamespace(position=p) for p in range(len(self.rows) + 1, upto + 1)]
        self.rows += new
        return new


async def take(sub: Subscription, after: int | None, count: int) -> list[int]:
    got: list[int] = []
    stream = sub.events(after)
    while len(got) < count:
        got.append((await asyncio.wait_for(anext(stream), 2)).position)
    await stream.aclose()
    return got


async def test_a_subscriber_drops_live_events_it_already_replayed_and_misses_none():
    log = Log(upto=5)
    sub = Subscription(log, uuid.uuid4(), start=3)  # type: ignore[arg-type]
    sub.offer(log.grow(7))  # live batch 4..7 arrived while the replay (which sees 1..7) was running
    sub.offer(log.grow(9))

    assert await take(sub, after=1, count=8) == [2, 3, 4, 5, 6, 7, 8, 9]


async def test_a_subscriber_without_a_cursor_starts_where_the_feed_was_when_it_joined():
    log = Log(upto=5)
    sub = Subscription(log, uuid.uuid4(), start=5)  # type: ignore[arg-type]
    sub.offer(log.grow(6))

    assert await take(sub, after=None, count=1) == [6]


async def test_a_batch_that_does_not_follow_on_makes_the_subscriber_read_the_gap_from_the_table():
    log = Log(upto=2)
    sub = Subscription(log, uuid.uuid4(), start=2)  # type: ignore[arg-type]
    log.grow(5)  # 3..5 were never offered to this subscriber
    sub.offer(log.grow(7)[-1:])  # only 7 was

    assert await take(sub, after=2, count=5) == [3, 4, 5, 6, 7]


async def test_a_subscriber_too_far_behind_is_told_to_replay_instead_of_queueing_without_end(monkeypatch):
    monkeypatch.setattr(hub_module, "QUEUE_BATCHES", 3)
    log = Log(upto=0)
    sub = Subscription(log, uuid.uuid4(), start=0)  # type: ignore[arg-type]
    for upto in range(1, 11):
        sub.offer(log.grow(upto))

    assert sub._queue.qsize() == 1  # everything dropped but the "replay" marker
    assert await take(sub, after=0, count=10) == list(range(1, 11))


def test_webhook_retries_follow_the_schedule_with_jitter_then_stop():
    failure = Attempt(status_code=500, latency_ms=3)
    for attempt, base in enumerate(SCHEDULE, start=1):
        delay = next_delay(attempt, 1.0, failure)
        assert delay is not None and base * 0.8 <= delay <= base * 1.2
    assert next_delay(len(SCHEDULE) + 1, 1.0, failure) is None
    hours = 3600
    assert (5, 300, 1800, 2 * hours, 5 * hours, 10 * hours, 14 * hours, 20 * hours, 24 * hours) == SCHEDULE
    assert next_delay(1, 0.001, failure) <= 5 * 0.0012  # the scale the tests use


def test_a_429_waits_as_long_as_retry_after_says_within_a_day():
    assert next_delay(1, 0.001, Attempt(429, 1, retry_after=30)) == 30
    assert next_delay(1, 1.0, Attempt(429, 1, retry_after=10**9)) == 86400


def test_a_signature_is_the_standard_webhooks_hmac_of_id_timestamp_and_body():
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    header = signing.signature_header([secret, signing.new_secret()], "msg_1", 1614265330, '{"a":1}')
    first, second = header.split(" ")
    assert first == signing.sign(secret, "msg_1", 1614265330, '{"a":1}')
    assert first.startswith("v1,") and second.startswith("v1,") and first != second
    assert signing.sign(secret, "msg_1", 1614265331, '{"a":1}') != first


@pytest.mark.parametrize(
    ("event_type", "payload", "template"),
    [
        ("ORDER_STATUS_CHANGED", {"newStatus": "CONFIRMED"}, "ORDER_CONFIRMED"),
        ("ORDER_STATUS_CHANGED", {"newStatus": "SHIPPED"}, "ORDER_SHIPPED"),
        ("ORDER_STATUS_CHANGED", {"newStatus": "DELIVERED"}, "ORDER_DELIVERED"),
        ("ORDER_STATUS_CHANGED", {"newStatus": "CANCELLED"}, "ORDER_CANCELLED"),
        ("REFUND_ISSUED", {"amount": {"amount": "5.00", "currencyCode": "USD"}}, "REFUND_ISSUED"),
        ("ORDER_STATUS_CHANGED", {"newStatus": "PENDING"}, None),
        ("ORDER_CREATED", {}, None),
    ],
)
def test_emails_are_chosen_by_event_type_and_new_status(event_type, payload, template):
    assert templates.trigger(event_type, payload) == template


def test_templates_fill_known_placeholders_and_name_unknown_ones():
    assert templates.unknown_placeholders("{orderNumber} {nope} {total} {alsoNope}") == ["alsoNope", "nope"]
    assert templates.render(
        "Hi {customerName}, {orderNumber}", {"customerName": "Ada", "orderNumber": "#1"}
    ) == ("Hi Ada, #1")
