"""Order editing: each mutation is one use case of domain/workflows/order_edit*.py, for keys with
orders:write (STAFF, ADMIN); public and customer keys are refused."""

from __future__ import annotations

import uuid

from domain.orders.inputs import AddressInput
from domain.tenancy.scopes import Scope
from domain.workflows import order_edit
from domain.workflows.order_edit import EditView
from domain.workflows.order_edit_commit import Committed, commit
from resolvers.context import Context
from resolvers.ids import local_id, require_id
from resolvers.outcome import Outcome, attempt


async def begin(ctx: Context, order_gid: str) -> Outcome[EditView]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: order_edit.begin(uow, require_id(order_gid, "Order", "orderId")))


async def add_line(
    ctx: Context, edit_gid: str, sku: str, quantity: int, customizations: list[tuple[str, str]]
) -> Outcome[EditView]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: order_edit.add_line(uow, _edit_id(edit_gid), sku, quantity, customizations))


async def set_quantity(ctx: Context, edit_gid: str, line_gid: str, quantity: int) -> Outcome[EditView]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(
        lambda: order_edit.set_quantity(
            uow, _edit_id(edit_gid), require_id(line_gid, "OrderLine", "lineId"), quantity
        )
    )


async def remove_unshipped(ctx: Context, edit_gid: str, line_gid: str) -> Outcome[EditView]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(
        lambda: order_edit.remove_unshipped(
            uow, _edit_id(edit_gid), require_id(line_gid, "OrderLine", "lineId")
        )
    )


async def set_shipping(
    ctx: Context, edit_gid: str, method: str | None, address: AddressInput | None
) -> Outcome[EditView]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: order_edit.set_shipping(uow, _edit_id(edit_gid), method, address))


async def adjust(
    ctx: Context, edit_gid: str, discount: bool, amount: str, reason: str | None
) -> Outcome[EditView]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: order_edit.adjust(uow, _edit_id(edit_gid), discount, amount, reason))


async def discard(ctx: Context, edit_gid: str) -> Outcome[EditView]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: order_edit.discard(uow, _edit_id(edit_gid)))


async def commit_edit(
    ctx: Context, edit_gid: str, notify: bool, staff_note: str | None, version: int | None
) -> Outcome[Committed]:
    uow = ctx.uow(Scope.ORDERS_WRITE)
    return await attempt(lambda: commit(uow, _edit_id(edit_gid), notify, staff_note, version))


async def by_id(ctx: Context, gid: str) -> EditView | None:
    """An edit session, for the keys that edit orders; another shop's or a malformed ID is null."""
    uow = ctx.uow(Scope.ORDERS_WRITE)
    edit_id = local_id(gid, "OrderEdit")
    if edit_id is None:
        return None
    outcome = await attempt(lambda: order_edit.view(uow, edit_id))
    return outcome.value


def _edit_id(gid: str) -> uuid.UUID:
    return require_id(gid, "OrderEdit", "editId")
