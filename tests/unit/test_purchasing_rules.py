"""Purchasing's pure rules: the purchase order status table, reorder point arithmetic, and order
quantities rounded to what a supplier sells."""

from __future__ import annotations

import math
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.purchasing.models import PurchaseOrder
from domain.purchasing.rules import (
    DemandStats,
    demand_stats,
    is_orderable,
    needs_reorder,
    order_quantity,
    reorder_levels,
    z_score,
)
from domain.purchasing.status import TRANSITIONS, PurchaseOrderStatus, after_receipt, can_move
from domain.purchasing.suggesting import Policy, Source, Stock, suggest

S = PurchaseOrderStatus


def test_a_draft_is_submitted_or_cancelled_and_nothing_leaves_received_or_cancelled():
    assert TRANSITIONS[S.DRAFT] == {S.SUBMITTED, S.CANCELLED}
    assert can_move(S.SUBMITTED, S.PARTIALLY_RECEIVED) and can_move(S.SUBMITTED, S.RECEIVED)
    assert can_move(S.PARTIALLY_RECEIVED, S.RECEIVED) and can_move(S.PARTIALLY_RECEIVED, S.CANCELLED)
    assert not can_move(S.DRAFT, S.RECEIVED)  # a draft was never sent: nothing can arrive
    for closed in (S.RECEIVED, S.CANCELLED):
        assert all(not can_move(closed, to) for to in S)
    assert set(TRANSITIONS) == set(S)


def test_a_receipt_leaves_the_order_received_only_when_every_unit_is_in():
    assert after_receipt(10, 4) == S.PARTIALLY_RECEIVED
    assert after_receipt(10, 10) == S.RECEIVED


def test_a_refused_move_raises_invalid_transition_and_changes_nothing():
    po = PurchaseOrder(id=uuid.uuid4(), number=1001, status=S.RECEIVED)

    with pytest.raises(DomainError) as refused:
        po.move_to(S.CANCELLED)

    assert refused.value.code == "INVALID_TRANSITION" and po.status == S.RECEIVED
    assert po.take_events() == []


def test_a_move_records_its_event_and_stamps_the_submission():
    po = PurchaseOrder(id=uuid.uuid4(), number=1001, status=S.DRAFT)

    po.move_to(S.SUBMITTED)
    po.expect_in(7)

    assert po.submitted_at is not None and (po.expected_at - po.submitted_at).days == 7
    [event] = po.take_events()
    assert (event.type, event.old, event.new) == ("PURCHASE_ORDER_STATUS_CHANGED", "DRAFT", "SUBMITTED")


def test_demand_statistics_count_days_without_sales():
    stats = demand_stats([4, 0, 2, 0, 4])

    assert stats.mean == 2.0
    assert math.isclose(stats.sd, 2.0)
    assert demand_stats([]) == DemandStats(0.0, 0.0) and demand_stats([3]) == DemandStats(3.0, 0.0)


def test_the_z_score_grows_with_the_service_level_and_is_refused_outside_its_range():
    assert math.isclose(z_score(0.5), 0.0, abs_tol=1e-12)
    assert math.isclose(z_score(0.95), 1.6449, abs_tol=1e-4)
    with pytest.raises(ValueError):
        z_score(0.9999)


def test_the_reorder_point_covers_lead_time_demand_plus_safety_stock():
    # 10 a day (sd 4), 9 days' lead time, 95 %: 90 + 1.645 * 4 * 3 = 109.7 -> 110
    levels = reorder_levels(DemandStats(10, 4), lead_time_days=9, review_period_days=7, service_level=0.95)

    assert levels.lead_time_demand == 90
    assert math.isclose(levels.safety_stock, 1.6449 * 4 * 3, rel_tol=1e-4)
    assert levels.reorder_point == 110
    # up to: 16 days of demand (160) + 1.645 * 4 * 4 = 186.3 -> 187
    assert levels.order_up_to == 187


def test_without_demand_the_reorder_point_set_by_hand_holds_and_up_to_is_one_above_it():
    levels = reorder_levels(DemandStats(0, 0), 5, 7, 0.95, floor=5)

    assert (levels.reorder_point, levels.order_up_to) == (5, 6)


def test_a_position_at_the_reorder_point_is_due_but_zero_at_zero_is_not():
    assert needs_reorder(5, 5) and needs_reorder(4, 5) and not needs_reorder(6, 5)
    assert not needs_reorder(0, 0) and needs_reorder(-2, 0)  # units owed to backorders


def test_order_quantities_meet_the_minimum_in_whole_packs():
    assert order_quantity(0, 10, 6) == 0
    assert order_quantity(3, 10, 1) == 10
    assert order_quantity(13, 10, 6) == 18
    assert order_quantity(12, 1, 12) == 12
    assert is_orderable(18, 10, 6) and not is_orderable(12, 13, 6) and not is_orderable(14, 10, 6)


def _stock(available: int, incoming: int = 0, on_order: int = 0, floor: int = 0) -> Stock:
    return Stock(uuid.uuid4(), "TEE", uuid.uuid4(), available, incoming, on_order, floor)


SOURCE = Source(uuid.uuid4(), "Acme Textiles", 4, 24, 12, 550, "USD")
POLICY = Policy(service_level=0.95, review_period_days=7, history_days=28)


def test_a_suggestion_orders_up_to_the_level_in_the_suppliers_packs():
    # 5 a day, no spread, 4 days' lead time: reorder at 20, up to 55
    due = suggest(_stock(available=12, incoming=3), SOURCE, DemandStats(5, 0), POLICY)

    assert (due.levels.reorder_point, due.levels.order_up_to) == (20, 55)
    assert due.needs_reorder and due.quantity == 48  # 40 wanted -> 4 packs of 12
    assert due.cost == 48 * 550


def test_units_on_order_count_so_a_drafted_need_is_not_suggested_again():
    first = suggest(_stock(available=12), SOURCE, DemandStats(5, 0), POLICY)
    again = suggest(_stock(available=12, on_order=first.quantity), SOURCE, DemandStats(5, 0), POLICY)

    assert first.quantity > 0 and not again.needs_reorder and again.quantity == 0


@given(st.integers(-5, 10_000), st.integers(1, 500), st.integers(1, 144))
def test_an_order_quantity_is_the_least_whole_packs_that_cover_the_need_and_the_minimum(need, minimum, pack):
    quantity = order_quantity(need, minimum, pack)

    if need <= 0:
        assert quantity == 0
        return
    assert quantity >= max(need, minimum) and quantity % pack == 0
    assert quantity - pack < max(need, minimum)  # one pack fewer would not do


@given(
    st.floats(0, 500),
    st.floats(0, 200),
    st.integers(0, 120),
    st.integers(0, 60),
    st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999]),
)
def test_order_up_to_is_above_the_reorder_point_and_more_service_never_lowers_either(
    mean, sd, lead, review, level
):
    low = reorder_levels(DemandStats(mean, sd), lead, review, 0.5)
    high = reorder_levels(DemandStats(mean, sd), lead, review, level)

    assert high.order_up_to > high.reorder_point >= 0
    assert high.reorder_point >= low.reorder_point and high.order_up_to >= low.order_up_to
