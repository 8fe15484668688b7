"""The shop (the calling tenant), its API keys, and who is calling."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from domain.money import to_minor
from domain.orders.status import ShippingMethod
from domain.risk.settings import settings_of
from domain.tenancy.models import Role
from domain.tenancy.scopes import effective
from resolvers.ids import to_global
from schema.enums import ApiKeyRole, CurrencyCode, ShippingMethodEnum
from schema.types.money import Money, money
from schema.types.risk import RiskSettingsType


@strawberry.type
class ShippingRate:
    method: ShippingMethodEnum  # type: ignore[valid-type]
    price: Money


@strawberry.type(description="The calling tenant's settings.")
class Shop:
    id: strawberry.ID
    name: str
    currency_code: CurrencyCode
    tax_rate: Decimal = strawberry.field(description='Percent applied to lines and shipping, e.g. "8.25"')
    shipping_rates: list[ShippingRate] = strawberry.field(
        description="Flat price per shipping method, charged in the order's currency"
    )
    return_window_days: int = strawberry.field(description="Days after delivery that returns are accepted")
    restocking_fee: Decimal = strawberry.field(
        description='Percent kept from refunds of NO_LONGER_NEEDED returns, e.g. "10.00"'
    )
    risk_settings: RiskSettingsType = strawberry.field(
        description="Fraud-risk thresholds and weights (riskSettingsUpdate changes them)"
    )

    @classmethod
    def of(cls, r: Any) -> Shop:
        return cls(
            id=strawberry.ID(to_global("Shop", r.id)),
            name=r.name,
            currency_code=CurrencyCode[r.currency],
            tax_rate=(Decimal(r.tax_rate_bps) / 100).quantize(Decimal("0.01")),
            return_window_days=r.return_window_days,
            restocking_fee=(Decimal(r.restocking_fee_bps) / 100).quantize(Decimal("0.01")),
            risk_settings=RiskSettingsType.of(settings_of(r.risk_settings)),
            shipping_rates=[
                ShippingRate(
                    method=m,
                    price=money(to_minor(r.shipping_rates.get(m.value, "0"), r.currency), r.currency),
                )
                for m in ShippingMethod
            ],
        )


@strawberry.type(description="An API key. Its secret is shown once, when it is created.")
class ApiKey:
    id: strawberry.ID
    name: str
    role: ApiKeyRole  # type: ignore[valid-type]
    prefix: str = strawberry.field(description="The public start of the key, to recognise it")
    scopes: list[str] = strawberry.field(description="What the key may do, e.g. orders:read")
    registered_documents_only: bool = strawberry.field(
        description="The key runs only documents its shop registered (`baton documents register`)"
    )
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, r: Any) -> ApiKey:
        return cls(
            id=strawberry.ID(to_global("ApiKey", r.id)),
            name=r.name,
            role=Role(r.role),
            prefix=f"baton_{r.prefix}",
            scopes=sorted(effective(Role(r.role), r.scopes)),
            registered_documents_only=bool(r.registered_documents_only),
            created_at=r.created_at,
            revoked_at=r.revoked_at,
        )


@strawberry.type(description="Who is calling: the API key's role and its shop.")
class Viewer:
    role: ApiKeyRole  # type: ignore[valid-type]
    api_key_id: strawberry.ID
    scopes: list[str] = strawberry.field(description="What this key may do")
    shop: Shop
