"""shopUpdate, apiKeyCreate, apiKeyRevoke: ADMIN keys only."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.orders.status import ShippingMethod
from domain.tenancy.admin import ShopInput
from domain.tenancy.models import Role
from resolvers import tenancy as resolve
from schema.enums import ApiKeyRole, ShippingMethodEnum
from schema.errors import UserError, user_errors
from schema.types.tenancy import ApiKey, Shop


@strawberry.input
class ShippingRateInput:
    method: ShippingMethodEnum  # type: ignore[valid-type]
    amount: Decimal


@strawberry.input
class ShopUpdateInput:
    name: str | None = None
    tax_rate: Decimal | None = strawberry.field(default=None, description='Percent, e.g. "8.25"')
    shipping_rates: list[ShippingRateInput] | None = strawberry.field(
        default=None, description="Only the methods given change"
    )
    return_window_days: int | None = strawberry.field(
        default=None, description="Days after delivery that returns are accepted (0 to 3650)"
    )
    restocking_fee: Decimal | None = strawberry.field(
        default=None, description='Percent kept from refunds of NO_LONGER_NEEDED returns, e.g. "10"'
    )

    def to_domain(self) -> ShopInput:
        rates = {ShippingMethod(r.method): str(r.amount) for r in self.shipping_rates or []}
        return ShopInput(
            name=self.name,
            tax_rate_percent=str(self.tax_rate) if self.tax_rate is not None else None,
            shipping_rates=rates or None,
            return_window_days=self.return_window_days,
            restocking_fee_percent=str(self.restocking_fee) if self.restocking_fee is not None else None,
        )


@strawberry.type
class ShopUpdatePayload:
    shop: Shop | None
    user_errors: list[UserError]


@strawberry.input
class ApiKeyCreateInput:
    name: str
    role: ApiKeyRole  # type: ignore[valid-type]
    scopes: list[str] | None = strawberry.field(
        default=None,
        description='Narrows the role to these scopes (e.g. ["orders:read"]); left out, the key gets '
        "all of its role's scopes. A key can never issue scopes it does not hold itself.",
    )
    registered_documents_only: bool = strawberry.field(
        default=False,
        description="Allow-list mode, e.g. for a mobile app's key: the key runs only documents its shop "
        "registered (`baton documents register`); anything else is refused with DOCUMENT_NOT_REGISTERED.",
    )


@strawberry.type
class ApiKeyCreatePayload:
    api_key: ApiKey | None
    secret: str | None = strawberry.field(description="The key itself: shown here once, never again")
    user_errors: list[UserError]


@strawberry.input
class ApiKeyRevokeInput:
    id: strawberry.ID


@strawberry.type
class ApiKeyRevokePayload:
    api_key: ApiKey | None
    user_errors: list[UserError]


@strawberry.type
class TenancyMutations:
    @strawberry.mutation(
        description="Changes the shop's name, tax rate, shipping rates or return settings. ADMIN keys."
    )
    async def shop_update(self, info: strawberry.Info, input: ShopUpdateInput) -> ShopUpdatePayload:
        outcome = await resolve.update_shop(info.context, input.to_domain())
        return ShopUpdatePayload(
            shop=Shop.of(outcome.value) if outcome.value else None, user_errors=user_errors(outcome.errors)
        )

    @strawberry.mutation(
        description="Issues an API key with a role, optionally narrowed to some scopes; its secret is "
        "returned once. Keys with keys:manage (ADMIN)."
    )
    async def api_key_create(self, info: strawberry.Info, input: ApiKeyCreateInput) -> ApiKeyCreatePayload:
        outcome = await resolve.issue_key(
            info.context, Role(input.role), input.name, input.scopes, input.registered_documents_only
        )
        issued = outcome.value
        return ApiKeyCreatePayload(
            api_key=ApiKey.of(issued.key) if issued else None,
            secret=issued.secret if issued else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(
        description="Revokes an API key; it stops working within the server's key cache time. ADMIN keys."
    )
    async def api_key_revoke(self, info: strawberry.Info, input: ApiKeyRevokeInput) -> ApiKeyRevokePayload:
        outcome = await resolve.revoke_key(info.context, input.id)
        return ApiKeyRevokePayload(
            api_key=ApiKey.of(outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )
