"""Per-request dataloaders, named <thing>_by_<key>. Each batch runs in its own short transaction.
A loader is made the first time a request asks for it: most requests need one or two."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Coroutine
from types import ModuleType
from typing import Any

from aiodataloader import DataLoader

from domain.catalog import queries as catalog
from domain.customers import queries as customers
from domain.fulfillment import queries as fulfillment
from domain.inventory import queries as inventory
from domain.orders import approval_queries as approvals
from domain.orders import queries as orders
from domain.purchasing import queries as purchasing
from domain.reading import Reader, ReadPool
from domain.refunds import queries as refunds
from domain.returns import queries as returns
from domain.risk import queries as risk
from domain.shipping import queries as shipping
from domain.webhooks import queries as webhooks

Batch = Callable[[Reader, uuid.UUID, list[Any]], Awaitable[dict[Any, Any]]]

# name -> (queries module, its batch function, whether a key has many results). Looked up when a
# loader is made, not at import, so the batch functions stay replaceable.
BATCHES: dict[str, tuple[ModuleType, str, bool]] = {
    "order_by_id": (orders, "by_ids", False),
    "lines_by_order": (orders, "lines_by_order", True),
    "line_by_id": (orders, "lines_by_ids", False),
    "allocations_by_line": (orders, "allocations_by_line", True),
    "timeline_by_order": (orders, "timeline_by_order", True),
    "payments_by_order": (orders, "payments_by_order", True),
    "approval_by_order": (approvals, "approvals_by_order", False),
    "product_by_id": (catalog, "products_by_ids", False),
    "product_by_sku": (catalog, "products_by_skus", False),
    "location_by_id": (catalog, "locations_by_ids", False),
    "customer_by_id": (customers, "by_ids", False),
    "levels_by_product": (inventory, "levels_by_product", True),
    "fulfillment_order_by_id": (fulfillment, "by_ids", False),
    "fulfillment_orders_by_order": (fulfillment, "by_order", True),
    "holds_by_fulfillment_order": (fulfillment, "holds_by_fulfillment_order", True),
    "lines_by_fulfillment_order": (fulfillment, "lines_by_fulfillment_order", True),
    "shipment_by_id": (shipping, "by_ids", False),
    "shipments_by_order": (shipping, "by_order", True),
    "shipments_by_fulfillment_order": (shipping, "by_fulfillment_order", True),
    "lines_by_shipment": (shipping, "lines_by_shipment", True),
    "tracking_by_shipment": (shipping, "tracking_by_shipment", True),
    "return_by_id": (returns, "by_ids", False),
    "returns_by_order": (returns, "by_order", True),
    "lines_by_return": (returns, "lines_by_return", True),
    "return_line_by_id": (returns, "lines_by_ids", False),
    "refund_by_id": (refunds, "by_ids", False),
    "refunds_by_order": (refunds, "by_order", True),
    "refunds_by_return": (refunds, "by_return", True),
    "lines_by_refund": (refunds, "lines_by_refund", True),
    "webhook_endpoint_by_id": (webhooks, "endpoints_by_ids", False),
    "supplier_by_id": (purchasing, "suppliers_by_ids", False),
    "supplier_products_by_supplier": (purchasing, "products_by_supplier", True),
    "purchase_order_by_id": (purchasing, "purchase_orders_by_ids", False),
    "lines_by_purchase_order": (purchasing, "lines_by_purchase_order", True),
    "risk_assessments_by_order": (risk, "by_order", True),
}


class Loaders:
    def __init__(self, reads: ReadPool, tenant_id: uuid.UUID) -> None:
        self.reads = reads
        self.tenant_id = tenant_id

    def __getattr__(self, name: str) -> DataLoader:
        if name not in BATCHES:
            raise AttributeError(name)
        module, function, many = BATCHES[name]
        loader: DataLoader[Any, Any] = DataLoader(self._loader(getattr(module, function), many))
        setattr(self, name, loader)
        return loader

    def _loader(self, batch: Batch, many: bool) -> Callable[[list[Any]], Coroutine[Any, Any, list[Any]]]:
        async def load(keys: list[Any]) -> list[Any]:
            async with self.reads.tenant(self.tenant_id) as conn:
                found = await batch(conn, self.tenant_id, list(keys))
            return [found.get(k, [] if many else None) for k in keys]

        return load
