"""The Schema object with its always-on extensions."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import strawberry
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from schema.events_query import EventsQuery
from schema.extensions import MaskUnexpected
from schema.fulfillment_query import FulfillmentQuery
from schema.mutations.catalog import CatalogMutations
from schema.mutations.customer_tokens import CustomerTokenMutations
from schema.mutations.customers import CustomerMutations
from schema.mutations.fulfillment import FulfillmentMutations
from schema.mutations.inventory import InventoryMutations
from schema.mutations.notifications import NotificationMutations
from schema.mutations.orders import OrderMutations
from schema.mutations.returns import ReturnMutations
from schema.mutations.shipping import ShippingMutations
from schema.mutations.tenancy import TenancyMutations
from schema.mutations.webhooks import WebhookMutations
from schema.notification_query import NotificationQuery
from schema.pricing import QueryCost
from schema.query import Query as OrderAndCatalogQuery
from schema.returns_query import ReturnsQuery
from schema.subscription import Subscription
from schema.tenancy_query import TenancyQuery
from schema.types.catalog import Location, Product
from schema.types.customers import Customer
from schema.types.events import Event
from schema.types.fulfillment import FulfillmentOrder
from schema.types.orders import Order, OrderLine
from schema.types.returns import Refund, Return, ReturnLine
from schema.types.shipping import Shipment
from schema.webhook_query import WebhookQuery

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
SDL_PATH = Path(__file__).with_name("schema.graphql")
# Built once: ValidationCache keys on the rule classes, and QueryDepthLimiter/MaxAliasesLimiter would
# make new ones for every request, so no validation would ever be served from the cache.
LIMIT_RULES: list[Any] = [depth_rule(MAX_DEPTH, None, None), alias_rule(MAX_ALIASES)]


@strawberry.type
class Mutation(
    OrderMutations,
    FulfillmentMutations,
    ShippingMutations,
    ReturnMutations,
    CatalogMutations,
    InventoryMutations,
    CustomerMutations,
    CustomerTokenMutations,
    TenancyMutations,
    WebhookMutations,
    NotificationMutations,
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
):
    pass


schema = strawberry.Schema(
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
    ],
    extensions=[
        MaskUnexpected,
        QueryCost,
        functools.partial(ParserCache, maxsize=512),
        functools.partial(ValidationCache, maxsize=512),
        functools.partial(AddValidationRules, LIMIT_RULES),
        functools.partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
    ],
)


def sdl() -> str:
    return schema.as_str() + "\n"
