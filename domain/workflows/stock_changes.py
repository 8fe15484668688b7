"""Stock changes that can make units sellable: setting a level, adjusting it, resolving damaged units.
The inventory context checks and writes the change (its steps); the backorders waiting at the level then
take the units before any new order can (domain/fulfillment/backorders.py, above inventory). One unit of
work each."""

from __future__ import annotations

from domain.catalog.models import Product
from domain.fulfillment.backorders import fill_backorders
from domain.inventory import adjusting, damaged
from domain.inventory import service as inventory
from domain.inventory.adjusting import AdjustInput
from domain.inventory.damaged import DamagedInput, DamagedOutcome
from domain.inventory.models import InventoryLevel
from domain.inventory.service import SetInput
from domain.uow import UnitOfWork


async def set_level(uow: UnitOfWork, data: SetInput) -> tuple[InventoryLevel, Product]:
    inventory.check_set(data)
    async with uow as tx:
        product, level, freed = await inventory.apply_set(tx, data)
        if freed:
            await fill_backorders(tx, level, product.sku)
        await uow.commit()
    return level, product


async def adjust_level(uow: UnitOfWork, data: AdjustInput) -> tuple[InventoryLevel, Product]:
    inventory.check_adjust(data)
    if data.location_id is not None:
        with uow.leanly():  # the commonest adjustment, in statements written once (adjusting.py)
            async with uow as tx:
                try:
                    adjusted = await adjusting.adjust(tx, data)
                except adjusting.Unhandled:
                    pass  # nothing written; the unit of work rolls back, and the ORM path answers
                else:
                    await uow.commit()
                    return adjusted
    async with uow as tx:
        product, level = await inventory.apply_adjustment(tx, data)
        if data.delta > 0:
            await fill_backorders(tx, level, product.sku)
        await uow.commit()
    return level, product


async def resolve_damaged(uow: UnitOfWork, data: DamagedInput) -> tuple[InventoryLevel, Product]:
    note = damaged.check(data)
    async with uow as tx:
        product, level = await damaged.apply_resolution(tx, data, note)
        if data.outcome == DamagedOutcome.RESTOCKED:
            await fill_backorders(tx, level, product.sku)
        await uow.commit()
    return level, product
