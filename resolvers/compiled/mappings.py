"""Which GraphQL fields the read compiler (resolvers/compiled/planner.py) can answer in SQL, and how: the
same stored columns the strawberry types read, formatted as those types format them (global IDs,
"#1001" numbers, Money as a decimal string in its currency's exponent). A field missing here runs
through strawberry; tests/api/test_compiled_reads.py compares both paths answer for answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import FieldNode

from domain.money import minor_unit_exceptions
from domain.orders import access
from domain.orders.queries import parse_number
from domain.shipping.carriers import CARRIERS
from resolvers.compiled.planner import GiveUp, Planner, key, sql_text
from resolvers.ids import local_id


def global_id(type_name: str, column: str) -> str:
    """domain.ids.to_global in SQL: url-safe base64 of "Type:uuid", without padding or line breaks."""
    encoded = f"encode(convert_to('{type_name}:' || {column}::text, 'UTF8'), 'base64')"
    return f"rtrim(translate({encoded}, E'+/\\n', '-_'), '=')"


def exponent(currency: str) -> str:
    """domain.money.exponent in SQL."""
    by_exponent: dict[int, list[str]] = {}
    for code, places in minor_unit_exceptions().items():
        by_exponent.setdefault(places, []).append(code)
    cases = " ".join(
        f"WHEN {currency} IN ({', '.join(repr(c) for c in sorted(codes))}) THEN {places}"
        for places, codes in sorted(by_exponent.items())
    )
    return f"(CASE {cases} ELSE 2 END)"


def iso(column: str) -> str:
    """datetime.isoformat() of a timestamptz in UTC, in SQL: microseconds only when there are some."""
    micro = f"(extract(microseconds FROM {column})::bigint % 1000000)"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL ELSE "
        f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        f"|| CASE WHEN {micro} = 0 THEN '' ELSE '.' || lpad({micro}::text, 6, '0') END || '+00:00' END"
    )


def _plain(node: FieldNode) -> None:
    if node.arguments or node.selection_set:
        raise GiveUp(f"{node.name.value} with arguments or a selection")


@dataclass(frozen=True)
class Column:
    """A scalar or enum: an expression of the row ({t}) and the parent's values ({currency})."""

    template: str

    def sql(self, planner: Planner, alias: str, node: FieldNode, env: dict[str, str]) -> str:
        _plain(node)
        return self.template.format(t=alias, **env)


def _value_object(planner: Planner, node: FieldNode, type_name: str, values: dict[str, str]) -> str:
    """An object computed from its parent's row (Money, Carrier): each selected field's expression."""
    if node.arguments:
        raise GiveUp(f"{type_name} with arguments")
    values = {**values, "__typename": sql_text(type_name)}
    pairs = []
    for sub in planner.fields(node.selection_set, type_name):
        if sub.name.value not in values:
            raise GiveUp(f"{type_name}.{sub.name.value}")
        _plain(sub)
        pairs.append(f"{sql_text(key(sub))}, {values[sub.name.value]}")
    return f"json_build_object({', '.join(pairs)})"


@dataclass(frozen=True)
class MoneyOf:
    """Money { amount currencyCode } from minor units and the currency (the row's, or the parent's)."""

    minor: str
    currency: str = "{t}.currency"

    def sql(self, planner: Planner, alias: str, node: FieldNode, env: dict[str, str]) -> str:
        minor, currency = self.minor.format(t=alias, **env), self.currency.format(t=alias, **env)
        places = exponent(currency)
        values = {
            "amount": f"round(({minor})::numeric / (10::numeric ^ {places}), {places})::text",
            "currencyCode": currency,
        }
        return _value_object(planner, node, "Money", values)


@dataclass(frozen=True)
class CarrierOf:
    """Carrier { code name trackingUrlTemplate } from a shipment's carrier code (the carrier registry)."""

    code: str

    def sql(self, planner: Planner, alias: str, node: FieldNode, env: dict[str, str]) -> str:
        code = self.code.format(t=alias)
        known = f"lower(btrim({code}))"
        names = " ".join(f"WHEN {sql_text(c)} THEN {sql_text(a.name)}" for c, a in sorted(CARRIERS.items()))
        templates = " ".join(
            f"WHEN {sql_text(c)} THEN {sql_text(a.tracking_url_template)}"
            for c, a in sorted(CARRIERS.items())
            if a.tracking_url_template
        )
        values = {
            "code": code,
            "name": f"(CASE {known} {names} ELSE {code} END)",
            "trackingUrlTemplate": f"(CASE {known} {templates} ELSE NULL END)" if templates else "NULL",
        }
        return _value_object(planner, node, "Carrier", values)


@dataclass(frozen=True)
class Children:
    """A list of child rows, in their order: a correlated subquery aggregated to a JSON array."""

    mapping: Mapping
    table: str
    foreign_key: str
    order_by: str  # one or more keys, of the child row ({t})
    env: dict[str, str] = field(default_factory=dict)  # values of the parent the children need

    def sql(self, planner: Planner, alias: str, node: FieldNode, env: dict[str, str]) -> str:
        if node.arguments:
            raise GiveUp(f"{node.name.value} with arguments")
        child = planner.alias()
        passed = {name: value.format(t=alias) for name, value in self.env.items()}
        built = planner.object(self.mapping, child, node.selection_set, **passed)
        order_by = ", ".join(k.strip() for k in self.order_by.format(t=child).split(","))
        return (
            f"(SELECT coalesce(json_agg({built} ORDER BY {order_by}), '[]'::json) FROM {self.table} {child} "
            f"WHERE {child}.tenant_id = $1 AND {child}.{self.foreign_key} = {alias}.id)"
        )


@dataclass(frozen=True)
class Parent:
    """One related row, or null."""

    mapping: Mapping
    table: str
    foreign_key: str
    customer: bool = False  # a customer record: null for callers that do not read customers

    def sql(self, planner: Planner, alias: str, node: FieldNode, env: dict[str, str]) -> str:
        if node.arguments:
            raise GiveUp(f"{node.name.value} with arguments")
        if self.customer and not planner.sees_customers:
            return "NULL"  # as Order.customer answers them (schema/types/orders.py)
        other = planner.alias()
        built = planner.object(self.mapping, other, node.selection_set)
        return (
            f"(SELECT {built} FROM {self.table} {other} "
            f"WHERE {other}.tenant_id = $1 AND {other}.id = {alias}.{self.foreign_key})"
        )


@dataclass(frozen=True)
class Mapping:
    """A GraphQL type's fields in SQL. Every other field of the type is named in `python`: answered
    by strawberry (the whole operation then is), each for a reason given beside it. A field in
    neither fails tests/unit/test_compiled_mappings.py, so a new field is a decision, not a gap."""

    name: str
    fields: dict[str, Any]
    python: frozenset[str] = frozenset()


CUSTOMER = Mapping(
    "Customer",
    {
        "id": Column(global_id("Customer", "{t}.id")),
        "email": Column("{t}.email"),
        "firstName": Column("{t}.first_name"),
        "lastName": Column("{t}.last_name"),
        "phone": Column("{t}.phone"),
        "tier": Column("{t}.tier"),
        "createdAt": Column(iso("{t}.created_at")),
    },
    python=frozenset({"orders", "returns"}),  # connections with the customer's own access rules
)

ORDER_LINE = Mapping(
    "OrderLine",
    {
        "id": Column(global_id("OrderLine", "{t}.id")),
        "sku": Column("{t}.sku"),
        "name": Column("{t}.name"),
        "quantity": Column("{t}.quantity"),
        "unitPrice": MoneyOf("{t}.unit_price", "{currency}"),
        "subtotal": MoneyOf("{t}.subtotal", "{currency}"),
        "tax": MoneyOf("{t}.tax", "{currency}"),
        "quantityShipped": Column(  # by the order's id too: allocations are indexed by order
            "(SELECT coalesce(sum(a.shipped), 0) FROM order_allocations a "
            "WHERE a.tenant_id = $1 AND a.order_id = {order_id} AND a.line_id = {t}.id)"
        ),
        "quantityBackordered": Column(
            "(SELECT coalesce(sum(a.quantity), 0) FROM order_allocations a WHERE a.tenant_id = $1 "
            "AND a.order_id = {order_id} AND a.line_id = {t}.id AND a.status = 'BACKORDERED')"
        ),
    },
    # customizations: a JSON list of objects; product: the catalog as it is now; allocations:
    # inventory locations, which PARTNER keys see differently.
    python=frozenset({"customizations", "product", "allocations"}),
)

TRACKING_EVENT = Mapping(
    "TrackingEvent",
    {
        "status": Column("{t}.status"),
        "occurredAt": Column(iso("{t}.occurred_at")),
        "location": Column("{t}.location"),
        "description": Column("{t}.description"),
        "carrierStatus": Column("{t}.raw_status"),
        "source": Column("{t}.source"),
    },
)

SHIPMENT = Mapping(
    "Shipment",
    {
        "id": Column(global_id("Shipment", "{t}.id")),
        "carrier": CarrierOf("{t}.carrier"),
        "service": Column("{t}.service"),
        "trackingNumber": Column("{t}.tracking_number"),
        "trackingUrl": Column("{t}.tracking_url"),
        "status": Column("{t}.status"),
        "deliveredAt": Column(iso("{t}.delivered_at")),
        "createdAt": Column(iso("{t}.created_at")),
        "trackingEvents": Children(
            TRACKING_EVENT, "tracking_events", "shipment_id", "{t}.occurred_at, {t}.created_at"
        ),
    },
    # the order, its fulfillment order, location and shipped lines: objects not compiled yet
    python=frozenset({"order", "fulfillmentOrder", "location", "lines"}),
)

ORDER_EVENT = Mapping(
    "OrderEvent",
    {
        "id": Column("{t}.event_id::text"),
        "type": Column("{t}.type"),
        "message": Column("{t}.message"),
        "actor": Column("{t}.actor"),
        "data": Column("{t}.data::json"),
        "occurredAt": Column(iso("{t}.occurred_at")),
    },
)

ORDER = Mapping(
    "Order",
    {
        "id": Column(global_id("Order", "{t}.id")),
        "number": Column("'#' || {t}.number"),
        "status": Column("{t}.status"),
        "paymentStatus": Column("{t}.payment_status"),
        "fulfillmentStatus": Column("{t}.fulfillment_status"),
        "returnStatus": Column("{t}.return_status"),
        "channel": Column("{t}.channel"),
        "shippingMethod": Column("{t}.shipping_method"),
        "externalId": Column("{t}.external_id"),
        "email": Column("{t}.email"),
        "note": Column("{t}.note"),
        "tags": Column("to_json({t}.tags)"),
        "cancelReason": Column("{t}.cancel_reason"),
        "shipmentException": Column("{t}.shipment_exception"),
        "priority": Column("coalesce({t}.priority_override, {t}.priority)"),
        "computedPriority": Column("{t}.priority"),
        "priorityOverride": Column("{t}.priority_override"),
        "version": Column("{t}.version"),
        "subtotal": MoneyOf("{t}.subtotal"),
        "shipping": MoneyOf("{t}.shipping"),
        "tax": MoneyOf("{t}.tax"),
        "total": MoneyOf("{t}.total"),
        "paid": MoneyOf("{t}.paid"),
        "balanceDue": MoneyOf("{t}.total - {t}.paid + {t}.edit_refunded"),
        "refunded": MoneyOf("{t}.refunded"),
        "adjustmentTotal": MoneyOf("{t}.adjustment"),
        "shipBy": Column(iso("{t}.ship_by")),
        "confirmedAt": Column(iso("{t}.confirmed_at")),
        "cancelledAt": Column(iso("{t}.cancelled_at")),
        "shippedAt": Column(iso("{t}.shipped_at")),
        "deliveredAt": Column(iso("{t}.delivered_at")),
        "createdAt": Column(iso("{t}.created_at")),
        "updatedAt": Column(iso("{t}.updated_at")),
        "lines": Children(
            ORDER_LINE,
            "order_lines",
            "order_id",
            "{t}.position",
            {"currency": "{t}.currency", "order_id": "{t}.id"},
        ),
        "shipments": Children(SHIPMENT, "shipments", "order_id", "{t}.created_at, {t}.id"),
        "events": Children(ORDER_EVENT, "timeline_entries", "subject_id", "{t}.id"),
        "customer": Parent(CUSTOMER, "customers", "customer_id", customer=True),
    },
    # Addresses leave out the phone for keys that see no contact details (schema/types/orders.py), and
    # risk is null for customers (domain/risk/); the rest are objects of other contexts not compiled yet.
    python=frozenset(
        {
            "approval",  # shown to keys that read every order only (schema/types/orders.py)
            "risk",
            "shippingAddress",
            "billingAddress",
            "fulfillmentOrders",
            "payments",
            "refunds",
            "returns",
            "exchangeOf",
            "adjustments",  # amounts stored in minor units, shown as Money: not mapped yet
        }
    ),
)


def _one_argument(node: FieldNode, name: str) -> Any:
    arguments = node.arguments or ()
    if len(arguments) != 1 or arguments[0].name.value != name:
        raise GiveUp(f"{node.name.value} with other arguments")
    return arguments[0].value


def _order_where(planner: Planner, node: FieldNode, condition: str) -> str:
    alias = planner.alias()
    built = planner.object(ORDER, alias, node.selection_set)
    return (
        f"(SELECT {built} FROM orders {alias} WHERE {alias}.tenant_id = $1 AND {condition.format(t=alias)})"
    )


def order_by_number(planner: Planner, node: FieldNode) -> str:
    number = planner.param(_one_argument(node, "number"), parse_number, "int")
    return _order_where(planner, node, "{t}.number = " + number)


def order_by_id(planner: Planner, node: FieldNode) -> str:
    order_id = planner.param(_one_argument(node, "id"), lambda gid: local_id(gid, "Order"), "uuid")
    return _order_where(planner, node, "{t}.id = " + order_id)


def order_by_token(planner: Planner, node: FieldNode) -> str:
    """The order an order access token opens, found by the token's digest as domain/orders/access.py
    finds it; a token of the wrong shape matches nothing."""
    token = planner.param(
        _one_argument(node, "token"), lambda t: access.digest(t) if access.looks_like(t) else None, "text"
    )
    return _order_where(planner, node, "{t}.access_token_hash = " + token)


MAPPINGS = (ORDER, ORDER_LINE, CUSTOMER, SHIPMENT, TRACKING_EVENT, ORDER_EVENT)
