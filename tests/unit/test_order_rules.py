import uuid

import pytest

from domain.errors import Code, DomainError
from domain.orders.events import OrderPaid, OrderStatusChanged
from domain.orders.models import Order
from domain.orders.status import OPEN, TRANSITIONS, OrderStatus, PaymentStatus, can_move


def order(total: int = 1000) -> Order:
    return Order(
        id=uuid.uuid4(),
        number=1001,
        status=OrderStatus.PENDING,
        payment_status=PaymentStatus.PENDING,
        currency="USD",
        subtotal=total,
        shipping=0,
        tax=0,
        total=total,
        paid=0,
    )


def test_every_status_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(OrderStatus)


def test_a_cancelled_order_can_go_nowhere():
    assert not any(can_move(OrderStatus.CANCELLED, s) for s in OrderStatus)
    assert OrderStatus.CANCELLED not in OPEN


def test_confirming_a_pending_order_records_the_status_change():
    o = order()
    o.confirm()
    assert o.status == OrderStatus.CONFIRMED and o.confirmed_at is not None
    (event,) = o.take_events()
    assert isinstance(event, OrderStatusChanged)
    assert (event.old_status, event.new_status) == ("PENDING", "CONFIRMED")


def test_cancelling_a_cancelled_order_is_refused():
    o = order()
    o.cancel("changed mind")
    with pytest.raises(DomainError) as refused:
        o.cancel("again")
    assert refused.value.code == Code.ORDER_NOT_CANCELLABLE


def test_confirming_twice_is_an_invalid_transition():
    o = order()
    o.confirm()
    with pytest.raises(DomainError) as refused:
        o.confirm()
    assert refused.value.code == Code.INVALID_TRANSITION


def test_partial_then_full_payment_moves_the_payment_status():
    o = order(1000)
    o.record_payment(400, "p1")
    assert o.payment_status == PaymentStatus.PARTIALLY_PAID
    o.record_payment(600, "p2")
    assert o.payment_status == PaymentStatus.PAID
    events = o.take_events()
    assert [e.payment_status for e in events if isinstance(e, OrderPaid)] == ["PARTIALLY_PAID", "PAID"]


@pytest.mark.parametrize("amount", [0, -5, 1001])
def test_a_payment_outside_the_balance_due_is_refused(amount):
    with pytest.raises(DomainError) as refused:
        order(1000).record_payment(amount, "p")
    assert refused.value.code == Code.INVALID_AMOUNT


def test_a_cancelled_order_takes_no_payment():
    o = order()
    o.cancel(None)
    with pytest.raises(DomainError) as refused:
        o.record_payment(100, "p")
    assert refused.value.code == Code.INVALID_TRANSITION
