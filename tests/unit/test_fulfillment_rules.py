"""Fulfillment rules without a database: the state machine, priorities, carriers, signatures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.db import utcnow
from domain.errors import Code, DomainError
from domain.fulfillment.events import FulfillmentOrderHoldReleased, FulfillmentOrderStatusChanged
from domain.fulfillment.models import FulfillmentOrder
from domain.fulfillment.priority import compute_priority, default_ship_by
from domain.fulfillment.status import FulfillmentOrderStatus as S
from domain.fulfillment.status import HoldReason, can_move
from domain.orders.status import CustomerTier, ShippingMethod
from domain.shipping.carriers import GENERIC, carrier_for
from domain.shipping.tracking import sign, signature_ok

PLACED = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _fo(status: S = S.OPEN) -> FulfillmentOrder:
    return FulfillmentOrder(id=uuid.uuid4(), order_id=uuid.uuid4(), status=status, packages=[])


def test_closed_and_cancelled_fulfillment_orders_go_nowhere():
    for done in (S.CLOSED, S.CANCELLED):
        assert not any(can_move(done, target) for target in S)


def test_picking_cannot_start_while_on_hold():
    fo = _fo()
    fo.hold(HoldReason.AWAITING_PAYMENT, None, None)

    with pytest.raises(DomainError) as refused:
        fo.start_picking()

    assert refused.value.code == Code.FULFILLMENT_ON_HOLD


def test_the_last_released_hold_resumes_the_status_held_before():
    fo = _fo(S.PACKED)
    first = fo.hold(HoldReason.HIGH_RISK_OF_FRAUD, "score 90", "staff")
    second = fo.hold(HoldReason.AWAITING_APPROVAL, None, "staff")

    fo.release(first, holds_left=1)
    assert fo.status == S.ON_HOLD
    fo.release(second, holds_left=0)

    assert fo.status == S.PACKED
    events = fo.take_events()
    assert [type(e) for e in events][-2:] == [FulfillmentOrderHoldReleased, FulfillmentOrderStatusChanged]
    assert events[-1].timeline_subject() == fo.order_id


def test_priority_rises_with_method_tier_and_a_close_promise():
    far = PLACED + timedelta(days=5)
    standard = compute_priority(ShippingMethod.STANDARD, CustomerTier.STANDARD, far, PLACED)
    overnight = compute_priority(ShippingMethod.OVERNIGHT, CustomerTier.STANDARD, far, PLACED)
    vip = compute_priority(ShippingMethod.STANDARD, CustomerTier.VIP, far, PLACED)
    urgent = compute_priority(
        ShippingMethod.STANDARD, CustomerTier.STANDARD, PLACED + timedelta(hours=6), PLACED
    )

    assert standard < overnight and standard < vip and standard < urgent
    top = compute_priority(ShippingMethod.OVERNIGHT, CustomerTier.VIP, PLACED, PLACED)
    assert top == 100


def test_the_default_ship_by_date_follows_the_method():
    assert default_ship_by(ShippingMethod.EXPRESS, PLACED) == PLACED + timedelta(days=1)
    assert default_ship_by(ShippingMethod.OVERNIGHT, PLACED) < default_ship_by(
        ShippingMethod.STANDARD, PLACED
    )


def test_the_generic_carrier_understands_baton_statuses_and_common_words():
    assert carrier_for("GENERIC") is GENERIC
    assert GENERIC.normalize("delivered") == "DELIVERED"
    assert GENERIC.normalize("Out for delivery") == "OUT_FOR_DELIVERY"
    assert GENERIC.normalize("departed-facility") == "IN_TRANSIT"
    assert GENERIC.normalize("return to sender") == "RETURNED_TO_SENDER"
    assert GENERIC.normalize("teleported") is None
    assert carrier_for("pigeon") is None


def test_a_carrier_signature_holds_only_for_its_secret_body_and_a_fresh_timestamp():
    now = utcnow()
    stamp = str(int(now.timestamp()))
    body = b'{"status":"DELIVERED"}'
    good = "sha256=" + sign("cs_secret", stamp, body)

    assert signature_ok("cs_secret", stamp, body, good, now)
    assert not signature_ok("cs_other", stamp, body, good, now)
    assert not signature_ok("cs_secret", stamp, body + b" ", good, now)
    assert not signature_ok("cs_secret", stamp, body, good, now + timedelta(minutes=6))
    assert not signature_ok("cs_secret", "yesterday", body, good, now)
