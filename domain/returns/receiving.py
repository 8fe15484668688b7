"""returnReceive: returned units arrive at a location. Resellable ones go back to onHand (and may fill
backorders waiting there); damaged and defective ones are kept apart as non-sellable stock. Either way
the ledger gets a movement row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.errors import Code, DomainError, Problems
from domain.fulfillment.backorders import fill_backorders
from domain.fulfillment.repository import require_location
from domain.inventory.models import MovementKind
from domain.inventory.repository import lock_levels
from domain.orders.repository import lines_of_order
from domain.returns import repository
from domain.returns.events import ReturnUnitsReceived
from domain.returns.models import Return
from domain.returns.status import RECEIVABLE, ItemCondition
from domain.uow import UnitOfWork


@dataclass(frozen=True)
class ReceiptLine:
    return_line_id: uuid.UUID
    quantity: int
    condition: ItemCondition


@dataclass(frozen=True)
class Receipt:
    """What a receipt names: the return, where its units arrived, and the lines."""

    return_id: uuid.UUID
    location_id: uuid.UUID
    lines: list[ReceiptLine]


async def receive(
    uow: UnitOfWork, return_id: uuid.UUID, location_id: uuid.UUID, lines: list[ReceiptLine]
) -> Return:
    problems = Problems()
    if not lines:
        problems.add(Code.REQUIRED, "A receipt needs at least one line", "lines")
    for i, line in enumerate(lines):
        if line.quantity <= 0:
            problems.add(Code.INVALID_QUANTITY, "quantity must be at least 1", "lines", i, "quantity")
    problems.raise_if_any()
    async with uow as tx:
        order, ret, return_lines = await repository.lock_return(tx, return_id)
        if ret.status not in RECEIVABLE:
            raise DomainError(
                Code.INVALID_TRANSITION,
                f"Return {ret.rma_number} is {ret.status}: only approved returns take in units",
                ["id"],
            )
        await require_location(tx, location_id)
        by_id = {rl.id: rl for rl in return_lines}
        incoming: dict[uuid.UUID, int] = {}
        for i, line in enumerate(lines):
            rl = by_id.get(line.return_line_id)
            if rl is None:
                problems.add(Code.NOT_FOUND, "No such line in this return", "lines", i, "returnLineId")
                continue
            incoming[rl.id] = incoming.get(rl.id, 0) + line.quantity
            if rl.received + incoming[rl.id] > rl.quantity:
                problems.add(
                    Code.EXCEEDS_RETURN_QUANTITY,
                    f"Line {rl.position + 1} of the return expects {rl.quantity - rl.received} more unit(s)",
                    "lines",
                    i,
                    "quantity",
                )
        problems.raise_if_any()
        order_lines = await lines_of_order(tx, order.id)
        product_ids = sorted(
            {order_lines[by_id[line.return_line_id].order_line_id].product_id for line in lines}
        )
        levels = await lock_levels(tx, product_ids, ensure=[(p, location_id) for p in product_ids])
        received = []
        for line in lines:
            rl = by_id[line.return_line_id]
            ol = order_lines[rl.order_line_id]
            level = levels[ol.product_id, location_id]
            note = f"Return {ret.rma_number} of order {order.display_number}"
            if line.condition == ItemCondition.RESELLABLE:
                rl.resellable += line.quantity
                movement = level.move(
                    MovementKind.RETURNED,
                    on_hand_delta=line.quantity,
                    order_id=order.id,
                    note=note,
                    actor=tx.actor,
                )
            else:
                if line.condition == ItemCondition.DAMAGED:
                    rl.damaged += line.quantity
                else:
                    rl.defective += line.quantity
                movement = level.move(
                    MovementKind.RETURNED_DAMAGED,
                    damaged_delta=line.quantity,
                    order_id=order.id,
                    note=note,
                    actor=tx.actor,
                )
            tx.session.add(movement)
            received.append({"sku": ol.sku, "quantity": line.quantity, "condition": line.condition.value})
        ret.received()
        ret.record(
            ReturnUnitsReceived(
                ret.id, order_id=order.id, rma_number=ret.rma_number, location_id=location_id, lines=received
            )
        )
        restocked = {
            order_lines[by_id[line.return_line_id].order_line_id]
            for line in lines
            if line.condition == ItemCondition.RESELLABLE
        }
        for ol in sorted(restocked, key=lambda ol: ol.product_id):
            await fill_backorders(tx, levels[ol.product_id, location_id], ol.sku)
        await repository.refresh_order_status(tx, order)
        await uow.commit()
    return ret
