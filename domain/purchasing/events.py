"""What happens in purchasing: suppliers and their prices, purchase orders, receipts, the policy."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from domain.events.base import Event


@dataclasses.dataclass(frozen=True)
class SupplierChanged(Event):
    type: ClassVar[str] = "SUPPLIER_CHANGED"
    aggregate_type: ClassVar[str] = "Supplier"
    renamed_fields: ClassVar[dict[str, str] | None] = {"email": "contactEmail"}
    fields: list[str]  # the attributes that changed; every one when it was created
    created: bool = False


@dataclasses.dataclass(frozen=True)
class SupplierProductSet(Event):
    type: ClassVar[str] = "SUPPLIER_PRODUCT_SET"
    aggregate_type: ClassVar[str] = "Supplier"
    sku: str
    supplier_sku: str | None
    unit_cost: dict[str, str]
    preferred: bool


@dataclasses.dataclass(frozen=True)
class PurchaseOrderCreated(Event):
    type: ClassVar[str] = "PURCHASE_ORDER_CREATED"
    aggregate_type: ClassVar[str] = "PurchaseOrder"
    number: int
    supplier_name: str
    lines: list[dict[str, Any]]  # sku, locationId, quantity
    automatic: bool


@dataclasses.dataclass(frozen=True)
class PurchaseOrderStatusChanged(Event):
    type: ClassVar[str] = "PURCHASE_ORDER_STATUS_CHANGED"
    aggregate_type: ClassVar[str] = "PurchaseOrder"
    number: int
    old: str
    new: str


@dataclasses.dataclass(frozen=True)
class PurchaseOrderUnitsReceived(Event):
    type: ClassVar[str] = "PURCHASE_ORDER_UNITS_RECEIVED"
    aggregate_type: ClassVar[str] = "PurchaseOrder"
    number: int
    lines: list[dict[str, Any]]  # sku, locationId, quantity, received (so far), ordered


@dataclasses.dataclass(frozen=True)
class ReorderPolicyUpdated(Event):
    type: ClassVar[str] = "REORDER_POLICY_UPDATED"
    aggregate_type: ClassVar[str] = "Tenant"
    service_level: str
    review_period_days: int
    history_days: int
    auto_mode: str
