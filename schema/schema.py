"""The Schema object with its always-on extensions."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError, ValidationContext
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from schema.analytics_query import AnalyticsQuery
from schema.approvals_query import ApprovalQuery
from schema.audit import AuditMutations, watch_mutations
from schema.audit_query import AuditQuery
from schema.events_query import EventsQuery
from schema.extensions import LoggedSchema, MarkOperation, MaskUnexpected
from schema.forecast_query import ForecastQuery
from schema.fulfillment_query import FulfillmentQuery
from schema.inputs import compile_inputs
from schema.mutations.approvals import ApprovalMutations
from schema.mutations.catalog import CatalogMutations
from schema.mutations.customer_tokens import CustomerTokenMutations
from schema.mutations.customers import CustomerMutations
from schema.mutations.fulfillment import FulfillmentMutations
from schema.mutations.inventory import InventoryMutations
from schema.mutations.notifications import NotificationMutations
from schema.mutations.order_edits import OrderEditMutations
from schema.mutations.orders import OrderMutations
from schema.mutations.privacy import PrivacyMutations
from schema.mutations.purchasing import PurchasingMutations
from schema.mutations.returns import ReturnMutations
from schema.mutations.risk import RiskMutations
from schema.mutations.shipping import ShippingMutations
from schema.mutations.tenancy import TenancyMutations
from schema.mutations.webhooks import WebhookMutations
from schema.notification_query import NotificationQuery
from schema.pricing import QueryCost
from schema.purchasing_query import PurchasingQuery
from schema.query import Query as OrderAndCatalogQuery
from schema.returns_query import ReturnsQuery
from schema.scalars import DateTime
from schema.subscription import Subscription
from schema.tenancy_query import TenancyQuery
from schema.types.catalog import Location, Product
from schema.types.customers import Customer
from schema.types.events import Event
from schema.types.fulfillment import FulfillmentOrder
from schema.types.orders import Order, OrderLine
from schema.types.purchasing import PurchaseOrder, Supplier
from schema.types.returns import Refund, Return, ReturnLine
from schema.types.shipping import Shipment
from schema.webhook_query import WebhookQuery

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
SDL_PATH = Path(__file__).with_name("schema.graphql")
# Built once: ValidationCache keys on the rule classes, and QueryDepthLimiter/MaxAliasesLimiter would
# make new ones for every request, so no validation would ever be served from the cache.


class DepthLimit(depth_rule(MAX_DEPTH - 1, None, None)):  # type: ignore[misc]
    """strawberry counts the root field as depth 0, so its limit N admits N + 1 levels of fields; the
    README promises MAX_DEPTH levels, so the rule gets MAX_DEPTH - 1 and its message names MAX_DEPTH."""

    def __init__(self, context: ValidationContext) -> None:
        report = context.report_error
        inner = f"maximum operation depth of {MAX_DEPTH - 1}"

        def renamed(error: GraphQLError) -> None:
            if error.message.endswith(inner):
                message = error.message.removesuffix(inner) + f"maximum operation depth of {MAX_DEPTH}"
                error = GraphQLError(message, error.nodes)
            report(error)

        context.report_error = renamed  # type: ignore[method-assign]
        try:
            super().__init__(context)
        finally:
            context.report_error = report  # type: ignore[method-assign]


LIMIT_RULES: list[Any] = [DepthLimit, alias_rule(MAX_ALIASES)]


@strawberry.type
class Mutation(
    OrderMutations,
    ApprovalMutations,
    OrderEditMutations,
    FulfillmentMutations,
    ShippingMutations,
    ReturnMutations,
    CatalogMutations,
    InventoryMutations,
    CustomerMutations,
    CustomerTokenMutations,
    PrivacyMutations,
    TenancyMutations,
    WebhookMutations,
    NotificationMutations,
    PurchasingMutations,
    RiskMutations,
):
    pass


@strawberry.type
class Query(
    OrderAndCatalogQuery,
    FulfillmentQuery,
    ReturnsQuery,
    TenancyQuery,
    EventsQuery,
    WebhookQuery,
    NotificationQuery,
    AuditQuery,
    AnalyticsQuery,
    PurchasingQuery,
    ApprovalQuery,
    ForecastQuery,
):
    pass


schema = LoggedSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[
        Order,
        OrderLine,
        Product,
        Location,
        Customer,
        Event,
        FulfillmentOrder,
        Shipment,
        Return,
        ReturnLine,
        Refund,
        Supplier,
        PurchaseOrder,
    ],
    scalar_overrides={datetime: DateTime},
    extensions=[
        MaskUnexpected,
        MarkOperation,
        QueryCost,
        AuditMutations,
        functools.partial(ParserCache, maxsize=512),
        functools.partial(ValidationCache, maxsize=512),
        functools.partial(AddValidationRules, LIMIT_RULES),
        functools.partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
    ],
)

watch_mutations(schema)
compile_inputs(schema)


def sdl() -> str:
    return schema.as_str() + "\n"
