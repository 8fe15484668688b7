"""`orders(...)` in one statement: a keyset page of orders as `edges`, `nodes` and `pageInfo`, the same
page with the same cursors (byte for byte) as domain/pagination.py and schema/connection.py give.

Planned: `first` and `after`, `last` and `before` (walking backwards reads the index from `before` the
other way, the page and one row more, and shows those rows in the list's order), the other cursor as a
second bound (`first` with `before`, `last` with `after`), `filter` (as a variable), `sortKey` and
`reverse` (as literals). `first` and `last` in one document are a turn (planner.py): planned both ways,
each request runs the way its values say (`last` given: backwards; both given: the general path's
error). A filter written inline and a sort chosen by a variable run through strawberry, and so does a
request whose `last` is null in a document without `first` (the general path then walks forwards). A
value the general path refuses (a page size out of range, a cursor of another list, a customerId or
approvalRuleId of another type, too many tags) makes the request run there too, for its coded error."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphql import BooleanValueNode, EnumValueNode, FieldNode, NullValueNode, ValueNode, VariableNode

from domain.errors import DomainError
from domain.pagination import DEFAULT_PAGE, MAX_PAGE, decode_cursor
from resolvers.compiled.mappings import ORDER, iso
from resolvers.compiled.planner import GiveUp, Planner, key, sql_text
from resolvers.ids import local_id

MAX_FILTER_VALUES = 100  # as schema/query.py caps a filter's list of tags


@dataclass(frozen=True)
class Sort:
    column: str
    sql_type: str
    newest_first: bool  # the default direction of this key (reverse flips it)
    lowest: str  # below and above every stored value: the keyset bound when there is no cursor
    highest: str

    def cursor_value(self, row: str) -> str:
        """The sort value as domain.pagination.encode_cursor writes it into the cursor's JSON."""
        if self.sql_type == "timestamptz":
            return f"""'{{"t":"' || {iso(f"{row}.{self.column}")} || '"}}'"""
        return f"{row}.{self.column}::text"


_TIME = ("'-infinity'", "'infinity'")
ORDER_SORTS = {
    "CREATED_AT": Sort("created_at", "timestamptz", True, *_TIME),
    "UPDATED_AT": Sort("updated_at", "timestamptz", True, *_TIME),
    "NUMBER": Sort("number", "int", False, "-2147483648", "2147483647"),
    "TOTAL": Sort("total", "bigint", False, "-9223372036854775808", "9223372036854775807"),
}
_IDS = ("'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'")


def _page_size(value: Any) -> int:
    """`first` or `last` as the general path accepts it; anything else is its coded error (ValueError)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PAGE:
        raise ValueError("page size out of range")
    return value


def _cursor_part(sort: Sort, part: int, field: str) -> Callable[[Any], Any]:
    python_type = datetime if sort.sql_type == "timestamptz" else int

    def convert(cursor: Any) -> Any:
        if not cursor:  # an empty cursor is no cursor at all, as on the general path
            return None
        try:
            return decode_cursor(cursor, field, sort.column, python_type, uuid.UUID)[part]
        except DomainError as exc:
            raise ValueError(str(exc)) from exc

    return convert


def _given(_: Any) -> bool:
    """Whether a cursor was given at all: the general path asks `is not None`, so an empty one counts
    (bool() would call it absent). Null never reaches here: a null argument binds as NULL."""
    return True


def _filter_value(name: str, convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """One condition's value from the coerced OrderFilterInput (a dict by GraphQL field name)."""

    def value(coerced: Any) -> Any:
        return convert(coerced.get(name)) if isinstance(coerced, dict) else None

    return value


def _names(values: Any) -> list[str]:
    return sorted({str(getattr(v, "value", v)) for v in values or ()})


def _tags(values: Any) -> list[str]:
    unique = sorted(set(values or ()))
    if len(unique) > MAX_FILTER_VALUES:
        raise ValueError("too many tags")
    return unique


def _same(value: Any) -> Any:
    """A value as coerced: a DateTime is already in UTC when it came without an offset (schema/scalars.py)."""
    return value


def _email(value: Any) -> str | None:
    return value.strip().lower() if value else None


def _customer(value: Any) -> Any:
    if not value:
        return None
    found = local_id(value, "Customer")
    if found is None:
        raise ValueError("customerId is not a Customer ID")
    return found


def _rule(value: Any) -> Any:
    if not value:
        return None
    found = local_id(value, "ApprovalRule")
    if found is None:
        raise ValueError("approvalRuleId is not an ApprovalRule ID")
    return found


# OrderFilterInput's fields as domain/orders/queries.py list_orders applies them; an empty value
# (no list, no email, no filter at all: NULL) leaves its condition out.
FILTERS: list[tuple[str, Callable[[Any], Any], str, str]] = [
    ("status", _names, "text[]", "(coalesce(cardinality({p}), 0) = 0 OR {t}.status = ANY({p}))"),
    (
        "paymentStatus",
        _names,
        "text[]",
        "(coalesce(cardinality({p}), 0) = 0 OR {t}.payment_status = ANY({p}))",
    ),
    ("channel", _names, "text[]", "(coalesce(cardinality({p}), 0) = 0 OR {t}.channel = ANY({p}))"),
    ("customerEmail", _email, "text", "({p} IS NULL OR {t}.email = {p})"),
    ("customerId", _customer, "uuid", "({p} IS NULL OR {t}.customer_id = {p})"),
    ("createdAfter", _same, "timestamptz", "({p} IS NULL OR {t}.created_at >= {p})"),
    ("createdBefore", _same, "timestamptz", "({p} IS NULL OR {t}.created_at < {p})"),
    ("tags", _tags, "text[]", "(coalesce(cardinality({p}), 0) = 0 OR {t}.tags @> {p}::varchar(64)[])"),
    (
        "approvalRuleId",
        _rule,
        "uuid",
        "({p} IS NULL OR EXISTS (SELECT 1 FROM order_approvals a WHERE a.tenant_id = $1 "
        "AND a.order_id = {t}.id AND a.rule_id = {p}))",
    ),
    ("riskLevel", _names, "text[]", "(coalesce(cardinality({p}), 0) = 0 OR {t}.risk_level = ANY({p}))"),
]


def _literal(node: ValueNode | None, kind: type, default: Any) -> Any:
    if node is None:
        return default
    if not isinstance(node, kind):
        raise GiveUp("a sort chosen by a variable")
    return node.value  # type: ignore[attr-defined]


def orders_connection(planner: Planner, node: FieldNode) -> str:
    # A literal null is the argument left out, on the general path too.
    args = {a.name.value: a.value for a in node.arguments or () if not isinstance(a.value, NullValueNode)}
    sort = ORDER_SORTS[_literal(args.get("sortKey"), EnumValueNode, "CREATED_AT")]
    descending = _literal(args.get("reverse"), BooleanValueNode, False) != sort.newest_first
    page = planner.alias()
    conditions = [f"{page}.tenant_id = $1"]
    found = args.get("filter")
    if isinstance(found, VariableNode):
        for name, convert, sql_type, condition in FILTERS:
            p = planner.param(found, _filter_value(name, convert), sql_type)
            conditions.append(condition.format(p=p, t=page))
    elif found is not None:
        raise GiveUp("a filter written inline")
    if "first" in args and "last" in args:  # which way the page goes is known per request
        backward = planner.turn(args["first"], args["last"])  # the other one is null then
    else:
        backward = "last" in args
    if backward:  # `last: null` walks forwards on the general path: that request runs there
        size = planner.param(args["last"], _page_size, "int", required=True)
    elif "first" in args:
        size = f"coalesce({planner.param(args['first'], _page_size, 'int')}, {DEFAULT_PAGE})"
    else:
        size = str(DEFAULT_PAGE)
    for field in ("after", "before"):
        if field in args:  # the rows after `after` and before `before`, in the list's order
            larger = (field == "after") != descending
            conditions.append(_beyond(planner, args[field], field, sort, page, larger))
    # Walking backwards scans from `before` the other way, to read only the page and one row more,
    # and shows the rows it read last first.
    scan = "DESC" if descending != backward else "ASC"
    order = f"{page}.{sort.column} {scan}, {page}.id {scan}"
    row = planner.alias()
    shown = f"{row}.n <= {size}"
    listed = f"{row}.n DESC" if backward else f"{row}.n"
    pairs = []
    for sub in planner.fields(node.selection_set, "OrderConnection"):
        name = sub.name.value
        if name == "__typename":
            expr = "'OrderConnection'"
        elif name == "nodes" and not sub.arguments:
            built = planner.object(ORDER, row, sub.selection_set)
            expr = f"coalesce(json_agg({built} ORDER BY {listed}) FILTER (WHERE {shown}), '[]'::json)"
        elif name == "edges" and not sub.arguments:
            built = _edge(planner, sub, row, sort)
            expr = f"coalesce(json_agg({built} ORDER BY {listed}) FILTER (WHERE {shown}), '[]'::json)"
        elif name == "pageInfo" and not sub.arguments:
            expr = _page_info(planner, sub, row, sort, shown, size, backward, args)
        else:
            raise GiveUp(f"OrderConnection.{name}")
        pairs.append(f"{sql_text(key(sub))}, {expr}")
    where = " AND ".join(conditions)
    limited = f"SELECT * FROM orders {page} WHERE {where} ORDER BY {order} LIMIT {size} + 1"
    rows = f"SELECT {page}.*, row_number() OVER (ORDER BY {order}) AS n FROM ({limited}) {page}"
    # GROUP BY (): one answer however many rows, also when no field aggregates them.
    return f"(SELECT json_build_object({', '.join(pairs)}) FROM ({rows}) {row} GROUP BY ())"


def _beyond(planner: Planner, node: ValueNode, field: str, sort: Sort, page: str, larger: bool) -> str:
    """The rows on one side of a cursor (`larger` keys, or smaller), as one condition whether or not the
    request has a cursor (a bound beyond every row when it has none), so that the index on
    (tenant, sort, id) starts or ends the scan at the cursor."""
    value = planner.param(node, _cursor_part(sort, 0, field), sort.sql_type)
    row_id = planner.param(node, _cursor_part(sort, 1, field), "uuid")
    comparison, end = (">", 0) if larger else ("<", 1)
    at = f"coalesce({value}, {(sort.lowest, sort.highest)[end]})"
    at_id = f"coalesce({row_id}, {_IDS[end]}::uuid)"
    return f"({page}.{sort.column}, {page}.id) {comparison} ({at}, {at_id})"


def cursor(row: str, sort: Sort) -> str:
    """domain.pagination.encode_cursor in SQL: url-safe base64 of ["sort", value, "id"]."""
    text = f"""'["{sort.column}",' || {sort.cursor_value(row)} || ',"' || {row}.id::text || '"]'"""
    encoded = f"encode(convert_to({text}, 'UTF8'), 'base64')"
    return f"rtrim(translate({encoded}, E'+/\\n', '-_'), '=')"


def _edge(planner: Planner, node: FieldNode, row: str, sort: Sort) -> str:
    pairs = []
    for sub in planner.fields(node.selection_set, "OrderEdge"):
        name = sub.name.value
        if name == "__typename":
            expr = "'OrderEdge'"
        elif name == "cursor" and not sub.arguments:
            expr = cursor(row, sort)
        elif name == "node" and not sub.arguments:
            expr = planner.object(ORDER, row, sub.selection_set)
        else:
            raise GiveUp(f"OrderEdge.{name}")
        pairs.append(f"{sql_text(key(sub))}, {expr}")
    return f"json_build_object({', '.join(pairs)})"


def _page_info(
    planner: Planner,
    node: FieldNode,
    row: str,
    sort: Sort,
    shown: str,
    size: str,
    backward: bool,
    args: dict[str, ValueNode],
) -> str:
    """As domain.pagination.paginate answers: the extra row read says whether there is more the way
    the page was walked; the other way, whether the request gave a cursor there (not whether rows are)."""
    first, last = (f"{row}.n DESC", f"{row}.n") if backward else (f"{row}.n", f"{row}.n DESC")
    more = f"count(*) > {size}"
    ahead, behind = ("hasPreviousPage", "hasNextPage") if backward else ("hasNextPage", "hasPreviousPage")
    values = {
        "__typename": "'PageInfo'",
        ahead: more,
        behind: "false",
        "startCursor": f"(array_agg({cursor(row, sort)} ORDER BY {first}) FILTER (WHERE {shown}))[1]",
        "endCursor": f"(array_agg({cursor(row, sort)} ORDER BY {last}) FILTER (WHERE {shown}))[1]",
    }
    given = args.get("before" if backward else "after")
    pairs = []
    for sub in planner.fields(node.selection_set, "PageInfo"):
        if sub.name.value not in values or sub.arguments or sub.selection_set:
            raise GiveUp(f"PageInfo.{sub.name.value}")
        if sub.name.value == behind and given is not None:  # a parameter only where used
            values[behind] = f"coalesce({planner.param(given, _given, 'bool')}, false)"
        pairs.append(f"{sql_text(key(sub))}, {values[sub.name.value]}")
    return f"json_build_object({', '.join(pairs)})"
