"""The built-in assessment at placement, as domain/workflows/placement.py runs it: the parameters its read
takes for the history columns (history.py), and the assessment from what that read returns."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.orders.inputs import OrderInput
from domain.orders.rows import address_key
from domain.orders.status import ShippingMethod
from domain.risk.history import history_of
from domain.risk.rules import Assessment, Placement, assess
from domain.risk.settings import settings_of

VELOCITY_WINDOW = timedelta(hours=1)
EXPRESS = frozenset({ShippingMethod.EXPRESS, ShippingMethod.OVERNIGHT})


@dataclass(frozen=True)
class Signals:
    """Who is ordering, to what address, from where: what velocity is counted by."""

    email: str
    phone: str | None
    address_key: str
    client_ip: str | None

    @classmethod
    def of(cls, data: OrderInput, shipping: dict[str, Any], client_ip: str | None) -> Signals:
        return cls(data.customer.email, data.customer.phone, address_key(shipping), client_ip)

    def parameters(self, now: datetime) -> list[Any]:
        """For history.columns(email, phone, address, ip, since), in that order."""
        return [self.email, self.phone, self.address_key, self.client_ip, now - VELOCITY_WINDOW]


def assess_placement(data: OrderInput, total: int, row: Any) -> Assessment:
    """The built-in assessment of the order (its total in minor units) from the placement read's row."""
    billing = data.billing_address
    placement = Placement(
        email=data.customer.email,
        total=total,
        shipping_country=(data.shipping_address.country_code or "").upper(),
        billing_country=(billing.country_code or "").upper() if billing else None,
        express=data.shipping_method in EXPRESS,
        lines=tuple((line.sku, line.quantity) for line in data.lines),
    )
    settings = settings_of(json.loads(row["risk_settings"]) if row["risk_settings"] else None)
    return assess(placement, history_of(row), settings)
