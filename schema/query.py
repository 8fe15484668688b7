"""Every read. Lists are cursor connections with a hard page maximum."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import strawberry
from graphql import FieldNode, InlineFragmentNode, SelectionNode
from strawberry.types.nodes import SelectedField

from domain.catalog.queries import LocationSort, ProductFilter, ProductSort
from domain.orders.queries import OrderFilter, OrderSort
from domain.orders.status import OrderStatus, PaymentStatus, SalesChannel
from domain.risk.rules import RiskLevel
from domain.tenancy.scopes import Scope
from resolvers import catalog, customers, events, inventory, order_edits, orders
from resolvers.context import Context
from resolvers.errors import BadInput
from resolvers.ids import local_id, parse_global
from schema.connection import Connection, connection, page_request
from schema.enums import (
    LocationSortKey,
    OrderSortKey,
    OrderStatusEnum,
    PaymentStatusEnum,
    ProductSortKey,
    RiskLevelEnum,
    SalesChannelEnum,
)
from schema.node import Node
from schema.types.catalog import Location, Product
from schema.types.customers import Customer
from schema.types.events import Event
from schema.types.fulfillment import FulfillmentOrder
from schema.types.inventory import InventoryMovement
from schema.types.order_edits import OrderEdit
from schema.types.orders import Order, OrderLine
from schema.types.purchasing import PurchaseOrder, Supplier
from schema.types.returns import Refund, Return, ReturnLine
from schema.types.shipping import Shipment
from schema.types.webhooks import WebhookEndpoint

MAX_NODES = 100


@strawberry.input
class OrderFilterInput:
    status: list[OrderStatusEnum] | None = None  # type: ignore[valid-type]
    payment_status: list[PaymentStatusEnum] | None = None  # type: ignore[valid-type]
    channel: list[SalesChannelEnum] | None = None  # type: ignore[valid-type]
    customer_email: str | None = None
    customer_id: strawberry.ID | None = None
    created_after: datetime | None = strawberry.field(
        default=None, description="Inclusive; a time without an offset is taken as UTC"
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Exclusive; a time without an offset is taken as UTC"
    )
    tags: list[str] | None = strawberry.field(default=None, description="Orders carrying all of these tags")
    approval_rule_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Orders this approval rule held (with status: [PENDING_APPROVAL], its queue)",
    )
    risk_level: list[RiskLevelEnum] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Orders whose fraud risk is one of these levels"
    )

    def to_domain(self) -> OrderFilter:
        customer_id = local_id(self.customer_id, "Customer") if self.customer_id else None
        if self.customer_id and customer_id is None:
            raise BadInput("customerId is not a Customer ID")
        return OrderFilter(
            statuses=sorted({OrderStatus(s) for s in self.status or []}),
            payment_statuses=sorted({PaymentStatus(s) for s in self.payment_status or []}),
            channels=sorted({SalesChannel(c) for c in self.channel or []}),
            email=self.customer_email,
            customer_id=customer_id,
            created_after=self.created_after,
            created_before=self.created_before,
            tags=_capped(self.tags, "tags"),
            approval_rule_id=_rule_id(self.approval_rule_id),
            risk_levels=sorted({RiskLevel(r) for r in self.risk_level or []}),
        )


MAX_FILTER_VALUES = 100


def _capped(values: list[str] | None, name: str) -> list[str]:
    """A filter's list of values, without repeats; each one is a bind parameter, so it is bounded."""
    unique = sorted(set(values or []))
    if len(unique) > MAX_FILTER_VALUES:
        raise BadInput(f"{name} takes at most {MAX_FILTER_VALUES} values")
    return unique


def _rule_id(gid: str | None) -> uuid.UUID | None:
    found = local_id(gid, "ApprovalRule") if gid else None
    if gid and found is None:
        raise BadInput("approvalRuleId is not an ApprovalRule ID")
    return found


@strawberry.input
class ProductFilterInput:
    query: str | None = strawberry.field(default=None, description="Part of a SKU or name")
    active: bool | None = None
    skus: list[str] | None = None


def _selects(info: strawberry.Info, name: str) -> bool:
    """Whether the query asks for this field of the object being resolved (fragments included).
    For a root field it walks the operation's syntax tree (info.operation, info.path: strawberry's
    public API), 3 us for orderByNumber. A named fragment's body is not in the operation: where one
    stands in the way it asks info.selected_fields, which converts the whole selection (20 us)."""
    at_root = info.path.prev is None
    roots = _fields(info.operation.selection_set.selections) if at_root else None
    mine = [f for f in roots or () if (f.alias or f.name).value == info.path.key]
    found = _fields([s for f in mine if f.selection_set for s in f.selection_set.selections])
    if roots is None or found is None:
        return _selected(info, name)
    return any(f.name.value == name for f in found)


def _fields(selections: Sequence[SelectionNode]) -> list[FieldNode] | None:
    """The fields of a selection set, inline fragments opened; None when it spreads a named fragment."""
    fields: list[FieldNode] = []
    pending = list(selections)
    while pending:
        selection = pending.pop()
        if isinstance(selection, FieldNode):
            fields.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            pending.extend(selection.selection_set.selections)
        else:
            return None
    return fields


def _selected(info: strawberry.Info, name: str) -> bool:
    pending = [s for field in info.selected_fields for s in field.selections]
    while pending:
        selection = pending.pop()
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        else:  # a fragment spread or an inline fragment: look inside
            pending.extend(selection.selections)
    return False


async def _node(info: strawberry.Info, gid: str) -> Any:
    """Any object by global ID. What belongs to an order shows only to a caller who may read that
    order, and a customer only to one who may read that customer: otherwise null, as if missing."""
    parsed = parse_global(gid)
    if parsed is None:
        return None
    ctx: Context = info.context
    kind, key = parsed
    loaders = ctx.loaders

    async def order_of(order_id: uuid.UUID | None) -> Any:
        row = await loaders.order_by_id.load(order_id) if order_id else None
        return row if row is not None and ctx.sees_order(row.id, row.customer_id) else None

    if kind == "Order":
        return Order.shown(info, await loaders.order_by_id.load(key))
    if kind == "OrderLine":
        row = await loaders.line_by_id.load(key)
        order = await order_of(row.order_id if row else None)
        return OrderLine.of(row, order.currency) if order else None
    if kind == "ReturnLine":
        row = await loaders.return_line_by_id.load(key)
        ret = await loaders.return_by_id.load(row.return_id) if row else None
        order = await order_of(ret.order_id if ret else None)
        return ReturnLine.of(row, order.currency) if order else None
    if kind == "Customer":
        row = await loaders.customer_by_id.load(key) if ctx.sees_customer(key) else None
        return Customer.of(row) if row else None
    if kind in ("Product", "Location"):
        ctx.require(Scope.CATALOG_READ)
        catalog_loader = loaders.product_by_id if kind == "Product" else loaders.location_by_id
        row = await catalog_loader.load(key)
        return (Product.of if kind == "Product" else Location.of)(row) if row else None
    if kind == "Event":
        row = await events.by_id(ctx, key)
        return Event.of(row, redact=not ctx.require().has(Scope.CUSTOMERS_READ)) if row else None
    if kind in ("Supplier", "PurchaseOrder"):
        ctx.require(Scope.PURCHASING_READ)
        if kind == "Supplier":
            row = await loaders.supplier_by_id.load(key)
            return Supplier.of(row) if row else None
        row = await loaders.purchase_order_by_id.load(key)
        return PurchaseOrder.of(row) if row else None
    if kind == "WebhookEndpoint":
        ctx.require(Scope.WEBHOOKS_MANAGE)
        row = await loaders.webhook_endpoint_by_id.load(key)
        return WebhookEndpoint.of(row) if row else None
    owned_by_orders = {
        "FulfillmentOrder": (loaders.fulfillment_order_by_id, FulfillmentOrder.of),
        "Shipment": (loaders.shipment_by_id, Shipment.of),
        "Return": (loaders.return_by_id, Return.of),
        "Refund": (loaders.refund_by_id, Refund.of),
    }
    if kind not in owned_by_orders:
        return None
    loader, build = owned_by_orders[kind]
    row = await loader.load(key)
    return build(row) if row and await order_of(row.order_id) else None


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global ID; null when it is not this tenant's")
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        info.context.require()
        return await _node(info, id)

    @strawberry.field(description=f"Several objects by global ID, at most {MAX_NODES}")
    async def nodes(self, info: strawberry.Info, ids: list[strawberry.ID]) -> list[Node | None]:
        info.context.require()
        if len(ids) > MAX_NODES:
            raise BadInput(f"At most {MAX_NODES} ids")
        return list(await asyncio.gather(*(_node(info, gid) for gid in ids)))

    @strawberry.field(
        description="An order by ID: for keys with orders:read, or a STOREFRONT key with the customer's "
        "access token (their own orders only; another's is null)"
    )
    async def order(self, info: strawberry.Info, id: strawberry.ID) -> Order | None:
        return Order.shown(info, await orders.by_id(info.context, id))

    @strawberry.field(
        description="An order edit session by ID, priced on the order as it is now: for keys that edit "
        "orders (orders:write, STAFF and ADMIN)"
    )
    async def order_edit(self, info: strawberry.Info, id: strawberry.ID) -> OrderEdit | None:
        found = await order_edits.by_id(info.context, id)
        return OrderEdit.of(found) if found else None

    @strawberry.field(description='An order by its number: "#1001" or "1001". Readers as for `order`.')
    async def order_by_number(self, info: strawberry.Info, number: str) -> Order | None:
        row = await orders.by_number(info.context, number, with_lines=_selects(info, "lines"))
        return Order.shown(info, row)

    @strawberry.field(
        description="The order an order access token opens (from orderCreate): any key of the shop may "
        "ask, so a guest's order page works with a STOREFRONT key. Null for any other token."
    )
    async def order_by_token(self, info: strawberry.Info, token: str) -> Order | None:
        return Order.shown(info, await orders.by_token(info.context, token))

    @strawberry.field(
        description="The signed-in customer a customer access token (header X-Baton-Customer-Token) "
        "speaks for, with their orders and returns. Null without such a token, or before their first order."
    )
    async def viewer_customer(self, info: strawberry.Info) -> Customer | None:
        row = await customers.viewer(info.context)
        return Customer.of(row) if row else None

    @strawberry.field(description="Orders, newest first by default")
    async def orders(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: OrderFilterInput | None = None,
        sort_key: OrderSortKey = OrderSort.CREATED_AT,
        reverse: bool = False,
    ) -> Connection[Order]:
        where = filter.to_domain() if filter else OrderFilter()
        default_desc = sort_key.value in (OrderSort.CREATED_AT, OrderSort.UPDATED_AT)
        page = await orders.listing(
            info.context,
            where,
            page_request(first, after, last, before, reverse != default_desc),
            OrderSort(sort_key.value),
        )
        return connection(page, lambda r: Order.required(info, r))

    @strawberry.field
    async def product(self, info: strawberry.Info, sku: str) -> Product | None:
        row = await catalog.product_by_sku(info.context, sku)
        return Product.of(row) if row else None

    @strawberry.field
    async def products(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ProductFilterInput | None = None,
        sort_key: ProductSortKey = ProductSort.SKU,
        reverse: bool = False,
    ) -> Connection[Product]:
        f = filter or ProductFilterInput()
        page = await catalog.products(
            info.context,
            ProductFilter(query=f.query, active=f.active, skus=_capped(f.skus, "skus")),
            page_request(first, after, last, before, reverse),
            ProductSort(sort_key.value),
        )
        return connection(page, Product.of)

    @strawberry.field(description="Locations, in fulfillment priority order by default")
    async def locations(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        active: bool | None = None,
        sort_key: LocationSortKey = LocationSort.PRIORITY,
        reverse: bool = False,
    ) -> Connection[Location]:
        page = await catalog.locations(
            info.context,
            page_request(first, after, last, before, reverse),
            active,
            LocationSort(sort_key.value),
        )
        return connection(page, Location.of)

    @strawberry.field(description="Customers by email")
    async def customers(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        email: str | None = None,
        reverse: bool = False,
    ) -> Connection[Customer]:
        page = await customers.listing(info.context, page_request(first, after, last, before, reverse), email)
        return connection(page, Customer.of)

    @strawberry.field(description="The stock ledger of one SKU, newest first; null for an unknown SKU")
    async def inventory_movements(
        self,
        info: strawberry.Info,
        sku: str,
        location_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        reverse: bool = False,
    ) -> Connection[InventoryMovement] | None:
        page = await inventory.movements(
            info.context, sku, location_id, page_request(first, after, last, before, reverse)
        )
        return connection(page, InventoryMovement.of) if page else None
