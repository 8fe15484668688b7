"""refundCreate's rules on the lines it refunds (domain/refunds/lines.py), on rows built in memory: which
units a refund of a return covers, the share each line gives back after earlier refunds, the restocking fee
on returned units no longer needed, and the userErrors for lines not on the order or not left to refund."""

from __future__ import annotations

import uuid

from domain.errors import Code, Problems
from domain.orders.line_models import OrderLine
from domain.refunds.lines import Asked, line_refunds, of_return
from domain.returns.models import ReturnLine
from domain.returns.status import ReturnReason

TEE, MUG = uuid.uuid4(), uuid.uuid4()
# 3 tees at 10.00 with 1.00 tax on the line; 2 mugs at 5.00 with 0.33 tax
LINES = {
    TEE: OrderLine(id=TEE, sku="TEE", quantity=3, subtotal=3000, tax=100),
    MUG: OrderLine(id=MUG, sku="MUG", quantity=2, subtotal=1000, tax=33),
}


def returned(order_line_id, quantity, reason, received=0, refunded=0, position=0) -> ReturnLine:
    return ReturnLine(
        id=uuid.uuid4(),
        order_line_id=order_line_id,
        position=position,
        quantity=quantity,
        reason=reason,
        resellable=received,
        damaged=0,
        defective=0,
        refunded=refunded,
    )


def errors(problems: Problems) -> list[tuple[Code, list[str]]]:
    return [(e.code, e.field) for e in problems.errors]


def test_each_line_gives_back_its_share_after_what_was_refunded_before():
    problems = Problems()
    asked = [Asked(0, TEE, 1), Asked(1, MUG, 2)]

    refunds = line_refunds(problems, asked, LINES, {TEE: 1}, restocking_fee_bps=1000)

    assert [(r.order_line_id, r.quantity, r.amount, r.restocking_fee) for r in refunds] == [
        (TEE, 1, 3100 * 2 // 3 - 3100 // 3, 0),
        (MUG, 2, 1033, 0),
    ]
    assert problems.errors == []


def test_a_line_not_on_the_order_or_past_what_is_left_is_a_user_error_and_gives_nothing():
    problems = Problems()
    asked = [Asked(0, uuid.uuid4(), 1), Asked(1, TEE, 3), Asked(2, MUG, 1)]

    refunds = line_refunds(problems, asked, LINES, {TEE: 1}, restocking_fee_bps=0)

    assert [r.order_line_id for r in refunds] == [MUG]
    assert errors(problems) == [
        (Code.NOT_FOUND, ["lines", "0", "orderLineId"]),
        (Code.EXCEEDS_REFUNDABLE, ["lines", "1", "quantity"]),
    ]
    assert problems.errors[1].message == "Only 2 unit(s) of TEE are left to refund"


def test_the_restocking_fee_is_kept_only_on_returned_units_no_longer_needed():
    unwanted = returned(TEE, 1, ReturnReason.NO_LONGER_NEEDED, received=1)
    broken = returned(MUG, 1, ReturnReason.DAMAGED, received=1)
    asked = [Asked(0, TEE, 1, unwanted), Asked(1, MUG, 1, broken)]

    refunds = line_refunds(Problems(), asked, LINES, {}, restocking_fee_bps=1500)

    assert [(r.amount, r.restocking_fee, r.return_line_id) for r in refunds] == [
        (1033, 155, unwanted.id),  # 15% of 10.33, half up
        (516, 0, broken.id),
    ]


def test_a_refund_of_a_return_without_lines_covers_every_unit_received_and_not_yet_refunded():
    lines = [
        returned(TEE, 3, ReturnReason.NO_LONGER_NEEDED, received=2, refunded=1, position=0),
        returned(MUG, 2, ReturnReason.DAMAGED, received=1, refunded=1, position=1),
    ]

    asked = of_return(Problems(), lines, None)

    assert [(a.index, a.order_line_id, a.units, a.return_line) for a in asked] == [(0, TEE, 1, lines[0])]


def test_lines_of_a_return_must_be_on_it_and_not_refunded_past_its_quantity():
    problems = Problems()
    lines = [returned(TEE, 2, ReturnReason.NO_LONGER_NEEDED, received=0, refunded=1)]

    asked = of_return(problems, lines, [(MUG, 1), (TEE, 2), (TEE, 1)])

    assert [(a.index, a.units) for a in asked] == [(2, 1)]
    assert errors(problems) == [
        (Code.NOT_FOUND, ["lines", "0", "orderLineId"]),
        (Code.EXCEEDS_REFUNDABLE, ["lines", "1", "quantity"]),
    ]
