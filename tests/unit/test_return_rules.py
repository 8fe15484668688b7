"""Return and refund rules without a database: the window, what a line still holds, the status an order
shows, refund shares and fees, and the return's state machine with the events it records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import Code, DomainError
from domain.refunds.calculation import line_share, restocking_fee, shipping_charged
from domain.returns.events import ReturnStatusChanged
from domain.returns.models import Return, rma
from domain.returns.rules import ReturnSummary, order_return_status, units_claimed, window_ends
from domain.returns.status import (
    ACTIVE,
    RECEIVABLE,
    TRANSITIONS,
    OrderReturnStatus,
    ReturnStatus,
    can_move,
)

S = ReturnStatus
OS = OrderReturnStatus


def a_return(status: ReturnStatus = S.REQUESTED, exchange_order_id: uuid.UUID | None = None) -> Return:
    return Return(
        id=uuid.uuid4(),
        order_id=uuid.uuid4(),
        number=1001,
        status=status,
        exchange_order_id=exchange_order_id,
    )


# ---- line_share, restocking fee, shipping -----------------------------------------------------------


@given(
    charged=st.integers(0, 10**12),
    quantity=st.integers(1, 60),
    data=st.data(),
)
def test_refunding_every_unit_in_any_steps_gives_back_exactly_what_was_charged(charged, quantity, data):
    steps = data.draw(st.lists(st.integers(1, quantity), max_size=quantity))
    before, shares = 0, []
    for units in steps:
        units = min(units, quantity - before)
        if units == 0:
            break
        shares.append(line_share(charged, quantity, before, units))
        before += units
    if before < quantity:
        shares.append(line_share(charged, quantity, before, quantity - before))
    assert sum(shares) == charged
    assert all(s >= 0 for s in shares)
    # No step gives back more than one unit's share, rounded up, times its units.
    assert max(shares) <= -(-charged // quantity) * quantity


@given(charged=st.integers(0, 10**9), quantity=st.integers(1, 50), data=st.data())
def test_a_share_grows_with_the_units_and_never_passes_the_charge(charged, quantity, data):
    before = data.draw(st.integers(0, quantity))
    units = data.draw(st.integers(0, quantity - before))
    share = line_share(charged, quantity, before, units)
    assert 0 <= share <= charged
    if units == 0:
        assert share == 0


def test_a_line_share_splits_an_uneven_charge_without_losing_a_cent():
    # 1000 over 3 units: 333, 333, 334 in whatever order the units come back.
    assert [line_share(1000, 3, i, 1) for i in range(3)] == [333, 333, 334]
    assert line_share(1000, 3, 0, 2) + line_share(1000, 3, 2, 1) == 1000
    assert line_share(1000, 3, 0, 3) == 1000


@pytest.mark.parametrize(("before", "units"), [(-1, 1), (0, 4), (3, 1), (2, -1)])
def test_a_share_outside_the_line_is_refused(before, units):
    with pytest.raises(ValueError):
        line_share(1000, 3, before, units)


def test_the_restocking_fee_is_a_rate_of_the_refunded_value_rounded_half_up():
    assert restocking_fee(1999, 1500) == 300  # 299.85
    assert restocking_fee(1000, 0) == 0
    assert restocking_fee(1000, 10_000) == 1000
    assert restocking_fee(5, 1000) == 1  # 0.5 rounds up


def test_shipping_as_charged_includes_the_tax_on_it():
    # order tax 180 = lines 150 + shipping 30
    assert shipping_charged(300, 180, 150) == 330
    assert shipping_charged(0, 150, 150) == 0


# ---- the window and what a line holds ------------------------------------------------------------------


def test_the_window_ends_its_days_after_it_starts_and_is_open_until_something_ships():
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert window_ends(start, 30) == start + timedelta(days=30)
    assert window_ends(start, 0) == start
    assert window_ends(None, 30) is None


@pytest.mark.parametrize(
    ("status", "claimed"),
    [
        (S.REQUESTED, 5),
        (S.APPROVED, 5),
        (S.IN_TRANSIT, 5),
        (S.RECEIVED, 5),
        (S.CLOSED, 3),  # what actually came back
        (S.DECLINED, 0),
        (S.CANCELLED, 0),
    ],
)
def test_a_return_holds_what_it_asks_for_while_it_runs_and_what_came_back_once_closed(status, claimed):
    assert units_claimed(status, quantity=5, received=3) == claimed


# ---- the order's return status ----------------------------------------------------------------------


def summary(status: ReturnStatus, received: int = 0) -> ReturnSummary:
    return ReturnSummary(status, received)


@pytest.mark.parametrize(
    ("returns", "expected"),
    [
        ([], OS.NO_RETURN),
        ([summary(S.DECLINED), summary(S.CANCELLED)], OS.NO_RETURN),
        ([summary(S.REQUESTED)], OS.RETURN_REQUESTED),
        ([summary(S.REQUESTED), summary(S.APPROVED)], OS.IN_PROGRESS),
        ([summary(S.REQUESTED), summary(S.IN_TRANSIT)], OS.IN_PROGRESS),
        ([summary(S.CLOSED, 4), summary(S.APPROVED)], OS.IN_PROGRESS),
        ([summary(S.CLOSED, 4), summary(S.REQUESTED)], OS.RETURN_REQUESTED),
        ([summary(S.RECEIVED, 1)], OS.PARTIALLY_RETURNED),
        ([summary(S.CLOSED, 2), summary(S.RECEIVED, 2)], OS.RETURNED),
        ([summary(S.CLOSED, 4)], OS.RETURNED),
        ([summary(S.CLOSED, 0)], OS.NO_RETURN),
        ([summary(S.CLOSED, 3), summary(S.DECLINED)], OS.PARTIALLY_RETURNED),
    ],
)
def test_an_order_shows_handling_before_waiting_before_what_came_back(returns, expected):
    assert order_return_status(returns, units_ordered=4) == expected


# ---- the state machine ------------------------------------------------------------------------------


def test_every_return_status_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(ReturnStatus)
    assert RECEIVABLE <= ACTIVE


@pytest.mark.parametrize("final", [S.DECLINED, S.CLOSED, S.CANCELLED])
def test_a_finished_return_can_go_nowhere(final):
    assert not any(can_move(final, s) for s in ReturnStatus)


def test_the_rma_number_is_spelled_from_the_tenants_counter():
    assert rma(1001) == "RMA-1001"
    assert a_return().rma_number == "RMA-1001"


def test_approving_then_receiving_then_closing_records_each_step():
    r = a_return()
    r.approve()
    r.in_transit("generic", "RET-1")
    r.received()
    r.received()  # more units of the same return: no second status change
    r.close()

    assert r.status == S.CLOSED
    assert r.approved_at and r.received_at and r.closed_at
    assert (r.carrier, r.tracking_number) == ("generic", "RET-1")
    events = r.take_events()
    assert all(isinstance(e, ReturnStatusChanged) for e in events)
    assert [(e.old_status, e.new_status) for e in events] == [
        ("REQUESTED", "APPROVED"),
        ("APPROVED", "IN_TRANSIT"),
        ("IN_TRANSIT", "RECEIVED"),
        ("RECEIVED", "CLOSED"),
    ]
    assert events[1].tracking_number == "RET-1"
    assert {e.rma_number for e in events} == {"RMA-1001"}
    assert {e.order_id for e in events} == {r.order_id}
    assert events[0].timeline_subject() == r.order_id
    assert events[1].message() == "Return RMA-1001: APPROVED -> IN_TRANSIT (RET-1)"


@pytest.mark.parametrize("steps", [["approve"], ["approve", "in_transit"]])
def test_a_return_whose_goods_never_arrive_can_be_closed(steps):
    r = a_return()
    for step in steps:
        getattr(r, step)(*(("generic", "RET-1") if step == "in_transit" else ()))

    r.close()

    assert (r.status, r.received_at) == (S.CLOSED, None)
    assert r.take_events()[-1].new_status == "CLOSED"


def test_an_approved_return_can_be_received_without_a_tracking_number():
    r = a_return(S.APPROVED)
    r.received()
    assert r.status == S.RECEIVED
    (event,) = r.take_events()
    assert (event.old_status, event.new_status, event.tracking_number) == ("APPROVED", "RECEIVED", None)


def test_declining_records_the_reason():
    r = a_return()
    r.decline("worn")
    assert (r.status, r.decline_reason) == (S.DECLINED, "worn")
    (event,) = r.take_events()
    assert (event.new_status, event.reason) == ("DECLINED", "worn")
    assert event.message() == "Return RMA-1001: REQUESTED -> DECLINED (worn)"


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (S.REQUESTED, lambda r: r.close()),
        (S.REQUESTED, lambda r: r.in_transit("generic", "T")),
        (S.REQUESTED, lambda r: r.received()),
        (S.APPROVED, lambda r: r.approve()),
        (S.APPROVED, lambda r: r.decline("late")),
        (S.IN_TRANSIT, lambda r: r.approve()),
        (S.IN_TRANSIT, lambda r: r.in_transit("generic", "T2")),
        (S.RECEIVED, lambda r: r.cancel("no")),
        (S.RECEIVED, lambda r: r.decline("no")),
        (S.DECLINED, lambda r: r.approve()),
        (S.CLOSED, lambda r: r.received()),
        (S.CANCELLED, lambda r: r.cancel("again")),
    ],
)
def test_a_step_the_table_does_not_allow_is_refused_and_changes_nothing(status, step):
    r = a_return(status)
    r.carrier, r.tracking_number = "generic", "ORIGINAL"
    with pytest.raises(DomainError) as refused:
        step(r)
    assert refused.value.code == Code.INVALID_TRANSITION
    assert refused.value.field == ["id"]
    assert r.status == status
    assert (r.carrier, r.tracking_number) == ("generic", "ORIGINAL")
    assert r.decline_reason is None and r.cancel_reason is None
    assert r.take_events() == []


@pytest.mark.parametrize("status", [S.REQUESTED, S.APPROVED, S.IN_TRANSIT])
def test_a_return_not_yet_received_can_be_cancelled(status):
    r = a_return(status)
    r.cancel("changed mind")
    assert (r.status, r.cancel_reason) == (S.CANCELLED, "changed mind")
    (event,) = r.take_events()
    assert (event.old_status, event.new_status, event.reason) == (status, "CANCELLED", "changed mind")


def test_a_return_with_an_exchange_order_cannot_be_cancelled():
    r = a_return(S.APPROVED, exchange_order_id=uuid.uuid4())
    with pytest.raises(DomainError) as refused:
        r.cancel("no")
    assert refused.value.code == Code.RETURN_NOT_CANCELLABLE
    assert (r.status, r.cancel_reason) == (S.APPROVED, None)
    assert r.take_events() == []


def test_every_movement_kind_fits_the_ledger_column():
    from domain.inventory.models import InventoryMovement, MovementKind

    width = InventoryMovement.__table__.c.kind.type.length
    assert all(len(kind.value) <= width for kind in MovementKind), width
