"""What a caller asks for when placing an order, before any checking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.orders.status import SalesChannel, ShippingMethod


@dataclass
class CustomerInput:
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None


@dataclass
class AddressInput:
    name: str
    line1: str
    city: str
    postal_code: str
    country_code: str
    line2: str | None = None
    region: str | None = None
    phone: str | None = None
    company: str | None = None


@dataclass
class LineInput:
    sku: str
    quantity: int
    customizations: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class OrderInput:
    channel: SalesChannel
    customer: CustomerInput
    shipping_address: AddressInput
    lines: list[LineInput]
    billing_address: AddressInput | None = None
    shipping_method: ShippingMethod = ShippingMethod.STANDARD
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    idempotency_key: str | None = None
    external_id: str | None = None
    ship_by: datetime | None = None  # a date the channel promised; else the method's service level


@dataclass
class OrderChanges:
    """An edit of an open order: None leaves a detail as it is; an empty note clears it."""

    note: str | None = None
    tags: list[str] | None = None
    shipping_address: AddressInput | None = None
    billing_address: AddressInput | None = None
