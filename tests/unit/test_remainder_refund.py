"""What cancelling the unshipped units of a partly shipped order pays back (orderCancelRemaining), without
a database: refunds/calculation.py dropped_units_refund."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from domain.refunds.calculation import ChargedLine, dropped_units_refund
from domain.refunds.issuing import Amounts, LineRefund

TEE, MUG = uuid.uuid4(), uuid.uuid4()
SHIPPING = 500  # charged for shipping, tax included, none of it refunded


def tee(dropped: int, refunded: int = 0, through_returns: int = 0) -> ChargedLine:
    """Four units charged 10.00 each, tax included."""
    return ChargedLine(TEE, 4000, 4, refunded, through_returns, dropped)


def test_a_fully_paid_order_gets_back_the_dropped_units_line_by_line():
    assert dropped_units_refund(4500, [tee(dropped=2)], SHIPPING) == Amounts([LineRefund(TEE, 2, 2000)])


def test_a_partly_paid_order_gets_back_only_what_was_paid_beyond_what_it_keeps_naming_no_units():
    # It keeps two units (20.00) and the shipping (5.00): of 30.00 paid, 5.00 come back.
    assert dropped_units_refund(3000, [tee(dropped=2)], SHIPPING) == Amounts([], extra=500)


def test_nothing_comes_back_when_the_payments_cover_only_what_is_kept():
    assert dropped_units_refund(2500, [tee(dropped=2)], SHIPPING) is None
    assert dropped_units_refund(2000, [tee(dropped=2)], SHIPPING) is None


def test_nothing_comes_back_on_an_unpaid_order_or_when_no_unit_is_dropped():
    assert dropped_units_refund(0, [tee(dropped=2)], SHIPPING) is None
    assert dropped_units_refund(4500, [tee(dropped=0)], SHIPPING) is None


def test_units_refunded_earlier_without_a_return_count_as_dropped_ones_first():
    # One unit was refunded (10.00) before it shipped: of the two dropped now, one is still owed.
    line = tee(dropped=2, refunded=1)
    assert dropped_units_refund(3500, [line], SHIPPING) == Amounts([LineRefund(TEE, 1, 1000)])


def test_units_refunded_through_a_return_had_shipped_so_every_dropped_unit_is_still_owed():
    line = tee(dropped=2, refunded=1, through_returns=1)
    assert dropped_units_refund(3500, [line], SHIPPING) == Amounts([LineRefund(TEE, 2, 2000)])


def test_shipping_already_refunded_is_no_longer_owed():
    # Shipping refunded in full: the kept units alone are owed, so a 25.00 payment returns 5.00.
    assert dropped_units_refund(2500, [tee(dropped=2)], 0) == Amounts([], extra=500)


def test_only_lines_with_dropped_units_are_refunded_and_the_kept_lines_stay_owed():
    mug = ChargedLine(MUG, 1500, 1, 0, 0, 0)  # shipped in full
    paid = 4000 + 1500 + SHIPPING
    assert dropped_units_refund(paid, [tee(dropped=3), mug], SHIPPING) == Amounts([LineRefund(TEE, 3, 3000)])


def test_the_dropped_units_share_of_a_line_that_does_not_divide_evenly_leaves_the_kept_units_theirs():
    # 10.00 over three units: the dropped unit's share is what keeps the running total exact.
    line = ChargedLine(TEE, 1000, 3, 0, 0, 1)
    assert dropped_units_refund(1000, [line], 0) == Amounts([LineRefund(TEE, 1, 333)])


@given(
    quantity=st.integers(1, 20),
    unit=st.integers(1, 10_000),
    shipping=st.integers(0, 2_000),
    data=st.data(),
)
def test_the_refund_never_exceeds_what_is_held_nor_the_dropped_units_value(quantity, unit, shipping, data):
    dropped = data.draw(st.integers(0, quantity))  # unshipped
    through_returns = data.draw(st.integers(0, quantity - dropped))  # shipped, then returned
    refunded = through_returns + data.draw(st.integers(0, quantity - through_returns))
    held = data.draw(st.integers(-1_000, quantity * unit + shipping))
    line = ChargedLine(TEE, quantity * unit, quantity, refunded, through_returns, dropped)
    amounts = dropped_units_refund(held, [line], shipping)
    if amounts is None:
        return
    assert 0 < amounts.total <= held
    assert amounts.total <= unit * dropped
    assert amounts.extra == 0 or amounts.lines == []
