from __future__ import annotations

import dataclasses
from typing import ClassVar

from domain.events.base import Event


@dataclasses.dataclass(frozen=True)
class ShopUpdated(Event):
    type: ClassVar[str] = "SHOP_UPDATED"
    aggregate_type: ClassVar[str] = "Tenant"
    fields: list[str]


@dataclasses.dataclass(frozen=True)
class ApiKeyIssued(Event):
    type: ClassVar[str] = "API_KEY_ISSUED"
    aggregate_type: ClassVar[str] = "ApiKey"
    name: str
    role: str


@dataclasses.dataclass(frozen=True)
class ApiKeyRevoked(Event):
    type: ClassVar[str] = "API_KEY_REVOKED"
    aggregate_type: ClassVar[str] = "ApiKey"
    name: str
    role: str
