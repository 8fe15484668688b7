"""Per-request dataloaders, named <thing>_by_<key>. Each batch runs in its own short transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.catalog import queries as catalog
from domain.customers import queries as customers
from domain.db import tenant_reader
from domain.inventory import queries as inventory
from domain.orders import queries as orders

Batch = Callable[[AsyncConnection, uuid.UUID, list[Any]], Awaitable[dict[Any, Any]]]


class Loaders:
    def __init__(self, engine: AsyncEngine, tenant_id: uuid.UUID) -> None:
        self.engine = engine
        self.tenant_id = tenant_id
        self.order_by_id = self._one(orders.by_ids)
        self.lines_by_order = self._many(orders.lines_by_order)
        self.allocations_by_line = self._many(orders.allocations_by_line)
        self.timeline_by_order = self._many(orders.timeline_by_order)
        self.payments_by_order = self._many(orders.payments_by_order)
        self.line_by_id = self._one(orders.lines_by_ids)
        self.product_by_id = self._one(catalog.products_by_ids)
        self.product_by_sku = self._one(catalog.products_by_skus)
        self.location_by_id = self._one(catalog.locations_by_ids)
        self.customer_by_id = self._one(customers.by_ids)
        self.levels_by_product = self._many(inventory.levels_by_product)

    async def _run(self, batch: Batch, keys: list[Hashable]) -> dict[Any, Any]:
        async with tenant_reader(self.engine, self.tenant_id) as conn:
            return await batch(conn, self.tenant_id, list(keys))

    def _one(self, batch: Batch) -> DataLoader:
        async def load(keys: list[Hashable]) -> list[Any]:
            found = await self._run(batch, keys)
            return [found.get(k) for k in keys]

        return DataLoader(load)

    def _many(self, batch: Batch) -> DataLoader:
        async def load(keys: list[Hashable]) -> list[Any]:
            found = await self._run(batch, keys)
            return [found.get(k, []) for k in keys]

        return DataLoader(load)
