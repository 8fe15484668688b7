from __future__ import annotations

import dataclasses
from typing import ClassVar

from domain.events.base import Event


@dataclasses.dataclass(frozen=True)
class LocationChanged(Event):
    type: ClassVar[str] = "LOCATION_CHANGED"
    aggregate_type: ClassVar[str] = "Location"
    fields: list[str]


@dataclasses.dataclass(frozen=True)
class ProductChanged(Event):
    type: ClassVar[str] = "PRODUCT_CHANGED"
    aggregate_type: ClassVar[str] = "Product"
    renamed_fields: ClassVar[dict[str, str] | None] = {"currency": "currencyCode"}
    sku: str
    fields: list[str]  # the attributes that changed, or ["created"]
