"""GraphQL enums. Most wrap the domain's own enums so the two can never disagree."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from domain.catalog.customization import OptionKind
from domain.catalog.models import BackorderPolicy, LocationKind
from domain.catalog.queries import LocationSort, ProductSort
from domain.errors import Code
from domain.event_types import EVENT_TYPES
from domain.fulfillment.status import FulfillmentOrderStatus, HoldReason
from domain.inventory.damaged import DamagedOutcome
from domain.inventory.models import AdjustReason, MovementKind
from domain.money import COUNTRIES, CURRENCIES
from domain.orders.queries import OrderSort
from domain.orders.status import (
    AllocationStatus,
    CustomerTier,
    FulfillmentStatus,
    OrderStatus,
    PaymentStatus,
    SalesChannel,
    ShippingMethod,
)
from domain.purchasing.queries import PurchaseOrderSort
from domain.returns.queries import ReturnSort
from domain.returns.status import ItemCondition, OrderReturnStatus, ReturnReason, ReturnStatus
from domain.risk.rules import RiskLevel, Sentiment
from domain.risk.settings import RiskRule
from domain.shipping.status import TrackingSource, TrackingStatus
from domain.tenancy.models import Role


def _enum(name: str, members: dict[str, str]) -> Any:
    """An enum built from data (ISO code lists, sort keys); typed Any, as no checker can see it."""
    return Enum(name, members)


CountryCode = strawberry.enum(
    _enum("CountryCode", {c: c for c in COUNTRIES}), description="ISO 3166-1 alpha-2 country code"
)
CurrencyCode = strawberry.enum(
    _enum("CurrencyCode", {c: c for c in CURRENCIES}), description="ISO 4217 currency code"
)
UserErrorCode = strawberry.enum(Code, name="UserErrorCode", description="Why a request was refused")
BackorderPolicyEnum = strawberry.enum(
    BackorderPolicy, name="BackorderPolicy", description="Whether a product may be sold beyond stock"
)
LocationKindEnum = strawberry.enum(LocationKind, name="LocationKind")
OptionKindEnum = strawberry.enum(
    OptionKind,
    name="CustomizationOptionKind",
    description="TEXT: free text (maxLength, allowedCharacters); CHOICE: one of its choices; NUMBER: a "
    'decimal number within minimum and maximum; BOOLEAN: "true" or "false"',
)
InventoryAdjustReason = strawberry.enum(
    AdjustReason,
    name="InventoryAdjustReason",
    description="Why stock changed. RECEIVED, RETURNED and FOUND add units; DAMAGED, LOST and "
    "THEFT remove them; CORRECTION and CYCLE_COUNT go either way.",
)
InventoryMovementKind = strawberry.enum(MovementKind, name="InventoryMovementKind")
DamagedOutcomeEnum = strawberry.enum(
    DamagedOutcome, name="DamagedOutcome", description="What became of damaged units"
)
OrderStatusEnum = strawberry.enum(OrderStatus, name="OrderStatus")
AllocationStatusEnum = strawberry.enum(AllocationStatus, name="AllocationStatus")
PaymentStatusEnum = strawberry.enum(PaymentStatus, name="PaymentStatus")
SalesChannelEnum = strawberry.enum(SalesChannel, name="SalesChannel")
ShippingMethodEnum = strawberry.enum(ShippingMethod, name="ShippingMethod")
ApiKeyRole = strawberry.enum(Role, name="ApiKeyRole")
FulfillmentStatusEnum = strawberry.enum(
    FulfillmentStatus, name="OrderFulfillmentStatus", description="How much of the order has shipped"
)
CustomerTierEnum = strawberry.enum(CustomerTier, name="CustomerTier")
FulfillmentOrderStatusEnum = strawberry.enum(FulfillmentOrderStatus, name="FulfillmentOrderStatus")
HoldReasonEnum = strawberry.enum(HoldReason, name="FulfillmentHoldReason")
RiskLevelEnum = strawberry.enum(
    RiskLevel, name="RiskLevel", description="How likely an order is fraudulent; HIGH holds its fulfillment"
)
RiskFactSentimentEnum = strawberry.enum(
    Sentiment, name="RiskFactSentiment", description="Whether a fact speaks for the order or against it"
)
RiskRuleEnum = strawberry.enum(RiskRule, name="RiskRule", description="A built-in fraud rule")
TrackingStatusEnum = strawberry.enum(TrackingStatus, name="TrackingStatus")
TrackingSourceEnum = strawberry.enum(TrackingSource, name="TrackingSource")
ReturnStatusEnum = strawberry.enum(ReturnStatus, name="ReturnStatus")
ReturnReasonEnum = strawberry.enum(ReturnReason, name="ReturnReason")
ItemConditionEnum = strawberry.enum(
    ItemCondition,
    name="ReturnedItemCondition",
    description="RESELLABLE units go back to onHand; DAMAGED and DEFECTIVE ones to the non-sellable "
    "damaged count",
)
OrderReturnStatusEnum = strawberry.enum(OrderReturnStatus, name="OrderReturnStatus")
OrderSortKey = strawberry.enum(
    _enum("OrderSortKey", {k.name: k.value for k in OrderSort}), name="OrderSortKey"
)
ProductSortKey = strawberry.enum(
    _enum("ProductSortKey", {k.name: k.value for k in ProductSort}), name="ProductSortKey"
)
ReturnSortKey = strawberry.enum(
    _enum("ReturnSortKey", {k.name: k.value for k in ReturnSort}), name="ReturnSortKey"
)
PurchaseOrderSortKey = strawberry.enum(
    _enum("PurchaseOrderSortKey", {k.name: k.value for k in PurchaseOrderSort}), name="PurchaseOrderSortKey"
)
LocationSortKey = strawberry.enum(
    _enum("LocationSortKey", {k.name: k.value for k in LocationSort}), name="LocationSortKey"
)


# Every event type the domain defines (domain/event_types.py): a new context's events module listed
# there appears here, in the feed, in subscriptions and in webhooks without further changes.
EventTypeEnum = strawberry.enum(
    _enum("EventType", {t: t for t in EVENT_TYPES}), name="EventType", description="What happened"
)
