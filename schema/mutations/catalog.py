"""locationCreate, locationUpdate, productCreate, productUpdate, productsImport."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.catalog.models import BackorderPolicy, LocationKind
from domain.catalog.service import LocationInput, ProductInput
from resolvers import catalog as resolve
from schema.enums import BackorderPolicyEnum, CurrencyCode, LocationKindEnum
from schema.errors import UserError, user_errors
from schema.types.catalog import Location, Product
from schema.types.customization import CustomizationOptionInput


@strawberry.input
class LocationCreateInput:
    name: str
    code: str | None = strawberry.field(default=None, description="Unique per tenant; derived from the name")
    priority: int | None = strawberry.field(default=None, description="Lower ships first; default 100")
    kind: LocationKindEnum | None = None  # type: ignore[valid-type]
    active: bool | None = None

    def to_domain(self) -> LocationInput:
        kind = LocationKind(self.kind) if self.kind else None
        return LocationInput(self.name, self.code, self.priority, kind, self.active)


@strawberry.input
class LocationUpdateInput:
    id: strawberry.ID
    name: str | None = None
    code: str | None = None
    priority: int | None = None
    kind: LocationKindEnum | None = None  # type: ignore[valid-type]
    active: bool | None = None

    def to_domain(self) -> LocationInput:
        kind = LocationKind(self.kind) if self.kind else None
        return LocationInput(self.name, self.code, self.priority, kind, self.active)


@strawberry.type
class LocationPayload:
    location: Location | None
    user_errors: list[UserError]


@strawberry.input
class ProductCreateInput:
    sku: str
    name: str
    price: Decimal = strawberry.field(description='In currencyCode, e.g. "19.99"')
    currency_code: CurrencyCode | None = strawberry.field(
        default=None, description="Defaults to the tenant's currency"
    )
    weight_grams: int | None = None
    backorder_policy: BackorderPolicyEnum | None = None  # type: ignore[valid-type]
    active: bool | None = None

    def to_domain(self) -> ProductInput:
        return ProductInput(
            sku=self.sku,
            name=self.name,
            price=str(self.price),
            currency=self.currency_code.value if self.currency_code else None,
            weight_grams=self.weight_grams,
            backorder_policy=BackorderPolicy(self.backorder_policy) if self.backorder_policy else None,
            active=self.active,
        )


@strawberry.input
class ProductUpdateInput:
    id: strawberry.ID
    sku: str | None = None
    name: str | None = None
    price: Decimal | None = None
    currency_code: CurrencyCode | None = None
    weight_grams: int | None = None
    backorder_policy: BackorderPolicyEnum | None = None  # type: ignore[valid-type]
    active: bool | None = None

    def to_domain(self) -> ProductInput:
        return ProductInput(
            sku=self.sku,
            name=self.name,
            price=str(self.price) if self.price is not None else None,
            currency=self.currency_code.value if self.currency_code else None,
            weight_grams=self.weight_grams,
            backorder_policy=BackorderPolicy(self.backorder_policy) if self.backorder_policy else None,
            active=self.active,
        )


@strawberry.input
class ProductsImportInput:
    products: list[ProductCreateInput]


@strawberry.type
class ProductPayload:
    product: Product | None
    user_errors: list[UserError]


@strawberry.input
class ProductCustomizationOptionsSetInput:
    id: strawberry.ID
    options: list[CustomizationOptionInput] = strawberry.field(
        description="Every option the product takes, in the order to show them; [] for free-form values"
    )


@strawberry.type
class ProductsImportPayload:
    products: list[Product]
    user_errors: list[UserError]


@strawberry.type
class CatalogMutations:
    @strawberry.mutation(description="Adds a warehouse or store. STAFF and ADMIN keys.")
    async def location_create(self, info: strawberry.Info, input: LocationCreateInput) -> LocationPayload:
        outcome = await resolve.location_create(info.context, input.to_domain())
        return LocationPayload(
            location=Location.of(outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="Changes the given fields of a location. STAFF and ADMIN keys.")
    async def location_update(self, info: strawberry.Info, input: LocationUpdateInput) -> LocationPayload:
        outcome = await resolve.location_update(info.context, input.id, input.to_domain())
        return LocationPayload(
            location=Location.of(outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="Adds a product with a SKU unique to the tenant. STAFF and ADMIN keys.")
    async def product_create(self, info: strawberry.Info, input: ProductCreateInput) -> ProductPayload:
        outcome = await resolve.product_create(info.context, input.to_domain())
        return ProductPayload(
            product=Product.of(outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="Changes the given fields of a product. STAFF and ADMIN keys.")
    async def product_update(self, info: strawberry.Info, input: ProductUpdateInput) -> ProductPayload:
        outcome = await resolve.product_update(info.context, input.id, input.to_domain())
        return ProductPayload(
            product=Product.of(outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(
        description="Declares the customizations a product's order lines take (text, choice, number, "
        "yes/no; required or not; with a price each), replacing the ones it had. orderCreate then checks "
        "every line's customizations against them (UNKNOWN_OPTION, INVALID_OPTION_VALUE, REQUIRED) and adds "
        "their prices to the unit price. ADMIN keys."
    )
    async def product_customization_options_set(
        self, info: strawberry.Info, input: ProductCustomizationOptionsSetInput
    ) -> ProductPayload:
        options = [o.to_domain() for o in input.options]
        outcome = await resolve.product_customization_options_set(info.context, input.id, options)
        return ProductPayload(
            product=Product.of(outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(
        description="Creates or updates up to 500 products by SKU: all of them, or none when any is "
        "invalid (each problem names its index). STAFF and ADMIN keys."
    )
    async def products_import(
        self, info: strawberry.Info, input: ProductsImportInput
    ) -> ProductsImportPayload:
        outcome = await resolve.products_import(info.context, [p.to_domain() for p in input.products])
        return ProductsImportPayload(
            products=[Product.of(p) for p in outcome.value or []], user_errors=user_errors(outcome.errors)
        )
