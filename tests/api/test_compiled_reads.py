"""The read compiler answers exactly what strawberry answers: every document here runs on an app that
compiles reads and on one that does not (BATON_COMPILE_READS=0), and the answers must be the same JSON,
key order included. The documents the compiler can plan must also have been answered by it, in one
statement."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from domain.tenancy.models import Role
from resolvers.compiled.mappings import ORDER, CarrierOf, Children, Mapping, MoneyOf, Parent
from server import connections
from server.app import create_app
from server.settings import Settings
from tests.api.conftest import Api
from tests.api.documents import ORDER_CONFIRM, ok, place_order, place_order_with_token
from tests.api.query_counting import counting
from tests.api.return_documents import deliver

ORDER_FIELDS = """
  id __typename number status paymentStatus fulfillmentStatus returnStatus channel shippingMethod
  externalId email note tags cancelReason shipmentException priority computedPriority priorityOverride
  version
  subtotal { amount currencyCode } shipping { amount currencyCode } tax { currencyCode amount }
  total { amount currencyCode __typename } paid { amount } balanceDue { amount } refunded { amount }
  lines { id sku name quantity quantityShipped quantityBackordered unitPrice { amount currencyCode }
          subtotal { amount } tax { amount } }
  customer { id email firstName lastName phone tier createdAt __typename }
"""
Q1 = (
    "query($n: String!) { orderByNumber(number: $n) { id number status total { amount currencyCode } "
    "lines { sku quantity unitPrice { amount } } } }"
)
EVERYTHING = f"query($n: String!) {{ orderByNumber(number: $n) {{ {ORDER_FIELDS} }} }}"
BY_ID = f"query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"
FRAGMENTS = """
query Screen($n: String!, $id: ID!) {
  __typename
  first: orderByNumber(number: $n) { ...Head lines { ... on OrderLine { sku } quantity } }
  again: order(id: $id) { ... { number } totalDue: balanceDue { value: amount } }
}
fragment Head on Order { id status buyer: customer { email } }
"""
MOBILE = """
query($n: String!) { orderByNumber(number: $n) {
  id number status paymentStatus fulfillmentStatus createdAt updatedAt shipBy confirmedAt deliveredAt
  total { amount currencyCode }
  lines { sku name quantity quantityShipped subtotal { amount } }
  shipments { id carrier { code name trackingUrlTemplate } trackingNumber trackingUrl status deliveredAt createdAt
              trackingEvents { status occurredAt location description carrierStatus source } }
  events { id type message actor data occurredAt }
} }"""
PLANNED = [
    (MOBILE, "{n}", None),
    (Q1, "{n}", None),
    (EVERYTHING, "{n}", None),
    (EVERYTHING, "#{n}", None),
    (BY_ID, None, None),
    (FRAGMENTS, "{n}", "Screen"),
    (Q1, "999999", None),  # no such order: null
    (Q1, "not a number", None),
    ('{ orderByNumber(number: "#NUMBER") { id number lines { sku } } }', None, None),  # a literal argument
]
NOT_PLANNED = [
    "query($n: String!) { orderByNumber(number: $n) { id fulfillmentOrders { id } } }",  # not mapped yet
    "query($n: String!, $s: Boolean!) { orderByNumber(number: $n) { id note @include(if: $s) } }",
    "query($n: String!) { orderByNumber(number: $n) { id total { amount } total { currencyCode } } }",
]


@pytest.fixture(autouse=True)
def no_compiled_read_fails(caplog):
    """A compiled statement that fails is answered by strawberry, the same answer: only the log says."""
    yield
    failed = [r for r in caplog.get_records("call") if r.name == "baton.compiled"]
    assert not failed, failed[0].getMessage()


@pytest.fixture
async def orders(api: Api, shop) -> list[dict[str, Any]]:
    first = await place_order(api, shop.admin, [("TEE", 2), ("MUG", 1)], note="gift", tags=["vip", "b"])
    second = await place_order(api, shop.admin, [("MUG", 3)], email="ada@example.org")
    ok(await api(shop.admin, ORDER_CONFIRM, id=first["id"]), "orderConfirm")
    third = await place_order(api, shop.admin, [("TEE", 1)])
    await deliver(api, shop, third)  # paid, confirmed, shipped, tracked, delivered
    return [first, second, third]


def _variables(document: str, number: str | None, order: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if number is not None:
        found["n"] = number.format(n=order["number"].lstrip("#"))
    if "$id" in document:
        found["id"] = order["id"]
    return found


async def _both(api: Api, plain: Api, key: str, document: str, variables: dict, name: str | None) -> tuple:
    body = {"query": document, "variables": variables, "operationName": name}
    headers = {"Authorization": f"Bearer {key}"}
    compiled = (await api.client.post("/graphql", json=body, headers=headers)).json()
    through = (await plain.client.post("/graphql", json=body, headers=headers)).json()
    for answer in (compiled, through):  # the bucket's level depends on each app's own history
        answer.get("extensions", {}).get("cost", {}).pop("throttleStatus", None)
    return compiled, through


async def _refused(api: Api, plain: Api, shop, document: str, variables: dict) -> None:
    """Both paths refuse the request alike (BAD_USER_INPUT), and no compiled statement was sent."""
    with counting(api) as statements:
        compiled, through = await _both(api, plain, shop.admin, document, variables, None)
        await asyncio.sleep(0)
    assert json.dumps(compiled) == json.dumps(through), variables
    assert compiled["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", compiled
    assert not [s for s in statements.seen if "json_build_object" in s], variables


def every_field(mapping: Mapping) -> str:
    """A selection of every field the compiler maps on this type, and below it."""
    parts = ["__typename"]
    for name, spec in mapping.fields.items():
        if isinstance(spec, Children | Parent):
            parts.append(f"{name} {{ {every_field(spec.mapping)} }}")
        elif isinstance(spec, MoneyOf):
            parts.append(f"{name} {{ amount currencyCode __typename }}")
        elif isinstance(spec, CarrierOf):
            parts.append(f"{name} {{ code name trackingUrlTemplate __typename }}")
        else:
            parts.append(name)
    return " ".join(parts)


GENERATED = [
    f"query($n: String!) {{ orderByNumber(number: $n) {{ {every_field(ORDER)} }} }}",
    f"query($a: String) {{ orders(first: 2, after: $a) {{ edges {{ cursor node {{ {every_field(ORDER)} }} }} }} }}",
]


async def test_every_mapped_field_answers_as_strawberry_does(api, plain, shop, orders):
    """Generated from the mappings, so a field mapped tomorrow is compared tomorrow."""
    for order in orders:
        await _compiled_once(api, plain, shop, GENERATED[0], {"n": order["number"]})
    after = None
    for _ in range(2):
        page = await _compiled_once(api, plain, shop, GENERATED[1], {"a": after})
        after = page["data"]["orders"]["edges"][-1]["cursor"]


async def test_planned_documents_answer_as_strawberry_does_in_one_statement(api, plain, shop, orders):
    for planned, number, name in PLANNED:
        for order in orders:
            variables = _variables(planned, number, order)
            document = planned.replace("NUMBER", order["number"].lstrip("#"))
            with counting(api) as statements:
                compiled, through = await _both(api, plain, shop.admin, document, variables, name)
                await asyncio.sleep(0)  # asyncpg hands records to its loggers on the next loop turn
            assert json.dumps(compiled) == json.dumps(through), document  # key order included
            assert "errors" not in compiled
            assert api.app.state.view.compiled.compiled(document, name) is not None, document
            selects = [s for s in statements.seen if "json_build_object" in s]
            assert len(selects) == 1, statements.seen  # the whole answer in one statement


async def test_what_the_compiler_cannot_plan_runs_through_strawberry_with_the_same_answer(
    api, plain, shop, orders
):
    for document in NOT_PLANNED:
        variables = {"n": orders[0]["number"], "s": True}
        compiled, through = await _both(api, plain, shop.admin, document, variables, None)
        assert compiled == through and "errors" not in compiled, document
        assert api.app.state.view.compiled.compiled(document, None) is None, document


async def test_bad_variables_and_other_callers_get_what_strawberry_gives_them(api, plain, shop, orders):
    storefront, partner = await shop.tenant.key(Role.STOREFRONT), await shop.tenant.key(Role.PARTNER)
    number = orders[0]["number"]
    cases = [
        (shop.admin, Q1, {"n": 1001}),  # a number where a String! goes: a coded error
        (shop.admin, Q1, {}),  # the variable missing
        (storefront, EVERYTHING, {"n": number}),  # a public key without a token: refused
        (partner, EVERYTHING, {"n": number}),  # a partner: no email or phone
    ]
    for key, document, variables in cases:
        compiled, through = await _both(api, plain, key, document, variables, None)
        assert json.dumps(compiled) == json.dumps(through), (document, variables)
        assert "errors" in compiled or compiled["data"]["orderByNumber"] is not None


async def test_another_shops_order_is_null_on_the_compiled_path_too(api, plain, shop, other_shop, orders):
    theirs = await place_order(api, other_shop.admin, [("TEE", 1)])
    compiled, through = await _both(api, plain, shop.admin, BY_ID, {"id": theirs["id"]}, None)

    assert compiled == through
    assert compiled["data"]["order"] is None


PAGE_FIELDS = (
    "__typename pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename } "
    "edges { __typename cursor node { id number total { amount } } } nodes { number status }"
)
PAGES = [
    (
        "{ orders(first: 20) { nodes { id number status total { amount currencyCode } customer { email } "
        "lines { sku quantity unitPrice { amount } } } } }",
        {},
    ),
    ("query($f: Int) { orders(first: $f) { __typename nodes { id number } } }", {"f": 1}),
    ("query($f: Int) { orders(first: $f) { __typename nodes { id number } } }", {"f": None}),
    ("query($f: Int) { orders(first: $f) { nodes { number } } }", {"f": 0}),
    (f"query($f: Int) {{ orders(first: $f) {{ {PAGE_FIELDS} }} }}", {"f": 0}),
    ("{ orders { nodes { number email } } }", {}),
    ("{ orders(first: 2) { pageInfo { hasNextPage } nodes { id } } }", {}),
    ("{ orders(first: 2) { edges { cursor } } }", {}),
    # an empty cursor starts at the beginning, yet counts as given for hasPreviousPage
    (
        "query($a: String) { orders(first: 2, after: $a) { pageInfo { hasPreviousPage } nodes { id } } }",
        {"a": ""},
    ),
    ("query($a: String) { orders(after: $a) { pageInfo { hasPreviousPage } } }", {"a": None}),
    ("{ orders(last: 2) { nodes { id } } }", {}),
    ("{ orders(first: null, last: 2, after: null, before: null) { nodes { id } } }", {}),
    (f"query($l: Int) {{ orders(last: $l) {{ {PAGE_FIELDS} }} }}", {"l": 0}),
    (f"query($l: Int) {{ orders(last: $l, reverse: true) {{ {PAGE_FIELDS} }} }}", {"l": 100}),
    (f"query($b: String) {{ orders(first: 2, before: $b) {{ {PAGE_FIELDS} }} }}", {"b": None}),
    # an empty cursor ends nowhere, yet counts as given for hasNextPage
    (f"query($b: String) {{ orders(last: 2, before: $b) {{ {PAGE_FIELDS} }} }}", {"b": ""}),
]
SORTS = [
    "",
    ", reverse: true",
    ", sortKey: NUMBER",
    ", sortKey: NUMBER, reverse: true",
    ", sortKey: TOTAL",
    ", sortKey: TOTAL, reverse: true",
    ", sortKey: UPDATED_AT, reverse: false",
    ", sortKey: UPDATED_AT, reverse: true",
    ", sortKey: CREATED_AT, reverse: true",
]
# Every sort, both ways, walked page by page with the cursors each answer gives.
WALKS = [f"query($a: String) {{ orders(first: 2, after: $a{sort}) {{ {PAGE_FIELDS} }} }}" for sort in SORTS]
FILTERED = f"query($w: OrderFilterInput, $a: String) {{ orders(first: 2, after: $a, filter: $w) {{ {PAGE_FIELDS} }} }}"
FILTERS = [
    {"status": ["PENDING"]},
    {"status": ["CONFIRMED", "DELIVERED"], "channel": ["WEB"]},
    {"paymentStatus": ["PAID"]},
    {"customerEmail": "  ADA@example.org "},
    {"tags": ["vip"]},
    {"tags": ["vip", "nope"]},
    {"createdAfter": "2000-01-01T00:00:00", "createdBefore": "2999-01-01T00:00:00Z"},
    {"createdAfter": "2999-01-01T00:00:00"},
    {"status": [], "tags": [], "customerEmail": ""},
    None,
]
PAGES_NOT_PLANNED = [
    "query($k: OrderSortKey!) { orders(first: 2, sortKey: $k) { nodes { id } } }",
    "{ orders(first: 2, filter: {status: [PENDING]}) { nodes { id } } }",
]


async def _compiled_once(api, plain, shop, document, variables) -> dict:
    with counting(api) as statements:
        compiled, through = await _both(api, plain, shop.admin, document, variables, None)
        await asyncio.sleep(0)
    assert json.dumps(compiled) == json.dumps(through), (document, variables)
    assert "errors" not in compiled, compiled
    assert len([s for s in statements.seen if "json_build_object" in s]) == 1, document
    return compiled


async def test_pages_of_orders_answer_as_strawberry_does(api, plain, shop, orders):
    for document, variables in PAGES:
        await _compiled_once(api, plain, shop, document, variables)
    for document in PAGES_NOT_PLANNED:
        compiled, through = await _both(api, plain, shop.admin, document, {"k": "NUMBER"}, None)
        assert compiled == through and "errors" not in compiled, document
        assert api.app.state.view.compiled.compiled(document, None) is None, document


async def test_every_sort_walks_page_by_page_with_the_same_cursors(api, plain, shop, orders):
    await place_order(api, shop.admin, [("TEE", 1)])  # four orders: two full pages
    for document in WALKS:
        after, seen = None, []
        for _ in range(3):
            page = (await _compiled_once(api, plain, shop, document, {"a": after}))["data"]["orders"]
            seen += [n["number"] for n in page["nodes"]]
            after = page["pageInfo"]["endCursor"]
            if not page["pageInfo"]["hasNextPage"]:
                break
        assert len(seen) == 4 and len(set(seen)) == 4, (document, seen)


async def test_filters_in_a_variable_answer_as_strawberry_does(api, plain, shop, orders):
    customer = (await api(shop.admin, BY_ID, id=orders[1]["id"]))["data"]["order"]["customer"]["id"]
    for where in [*FILTERS, {"customerId": customer}]:
        first = await _compiled_once(api, plain, shop, FILTERED, {"w": where, "a": None})
        after = first["data"]["orders"]["pageInfo"]["endCursor"]
        await _compiled_once(api, plain, shop, FILTERED, {"w": where, "a": after})


async def test_the_approval_queue_answers_as_strawberry_does(api, plain, shop, orders):
    rules = [{"name": "Two tees", "skus": ["TEE"], "minTotal": "40"}, {"name": "Mugs", "skus": ["MUG"]}]
    body = await api(
        shop.admin,
        "mutation($r: [ApprovalRuleInput!]!) { approvalRulesSet(input: {rules: $r}) { rules { id } } }",
        r=rules,
    )
    tees, mugs = (r["id"] for r in body["data"]["approvalRulesSet"]["rules"])
    for lines in ([("TEE", 2)], [("MUG", 1)], [("TEE", 1)], [("TEE", 3)]):
        await place_order(api, shop.admin, lines)
    for where in (
        {"status": ["PENDING_APPROVAL"]},
        {"status": ["PENDING_APPROVAL", "PENDING"]},
        {"approvalRuleId": tees},
        {"status": ["PENDING_APPROVAL"], "approvalRuleId": mugs},
        {"approvalRuleId": None},
    ):
        first = await _compiled_once(api, plain, shop, FILTERED, {"w": where, "a": None})
        after = first["data"]["orders"]["pageInfo"]["endCursor"]
        await _compiled_once(api, plain, shop, FILTERED, {"w": where, "a": after})
    waiting = await _compiled_once(api, plain, shop, FILTERED, {"w": {"approvalRuleId": tees}, "a": None})
    assert [n["status"] for n in waiting["data"]["orders"]["nodes"]] == [
        "PENDING_APPROVAL",
        "PENDING_APPROVAL",
    ]
    compiled, through = await _both(
        api, plain, shop.admin, FILTERED, {"w": {"approvalRuleId": tees[:-2]}}, None
    )
    assert json.dumps(compiled) == json.dumps(through)
    assert compiled["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", compiled


async def test_what_the_general_path_refuses_it_refuses_with_the_same_error(api, plain, shop, orders):
    number_cursor = (await api(shop.admin, "{ orders(sortKey: NUMBER) { edges { cursor } } }"))["data"]
    cases = [
        {"a": "not-a-cursor"},
        {"a": number_cursor["orders"]["edges"][0]["cursor"]},  # a cursor of another sort
        {"w": {"customerId": orders[0]["id"]}},  # an Order's ID where a Customer's goes
        {"w": {"tags": [f"t{i}" for i in range(101)]}},
    ]
    for variables in cases:
        compiled, through = await _both(api, plain, shop.admin, FILTERED, variables, None)
        assert json.dumps(compiled) == json.dumps(through), variables
        assert compiled["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", compiled


async def test_a_page_size_out_of_range_gets_the_general_paths_coded_error(api, plain, shop, orders):
    document = "query($f: Int) { orders(first: $f) { nodes { id } } }"
    for size in (101, -1):
        compiled, through = await _both(api, plain, shop.admin, document, {"f": size}, None)
        assert json.dumps(compiled) == json.dumps(through)
        assert compiled["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", compiled


FORWARD = "query($a: String{declared}) {{ orders(first: 2, after: $a{filter}{sort}) {{ {fields} }} }}"
BACKWARD = "query($b: String{declared}) {{ orders(last: 2, before: $b{filter}{sort}) {{ {fields} }} }}"
FILTER = {"declared": ", $w: OrderFilterInput", "filter": ", filter: $w"}
NO_FILTER = {"declared": "", "filter": ""}


async def _walk(api, plain, shop, document: str, where: Any, cursor: str, backward: bool) -> list:
    """Every node of the list, page by page, each page compared with strawberry's."""
    seen: list = []
    variables = {"w": where, cursor: None} if "$w" in document else {cursor: None}
    for _ in range(5):
        page = (await _compiled_once(api, plain, shop, document, variables))["data"]["orders"]
        info = page["pageInfo"]
        seen = [*page["nodes"], *seen] if backward else [*seen, *page["nodes"]]
        if not info["hasPreviousPage" if backward else "hasNextPage"]:
            return seen
        variables[cursor] = info["startCursor" if backward else "endCursor"]
    raise AssertionError(f"no end of the list: {document}")


async def test_every_sort_walks_backwards_from_the_end_to_what_the_forward_walk_gives(
    api, plain, shop, orders
):
    for _ in range(2):  # five orders, three of the same total: pages of two, two and one
        await place_order(api, shop.admin, [("TEE", 1)])
    for sort in SORTS:
        for filter, where in (
            (NO_FILTER, None),
            (FILTER, None),
            (FILTER, {"status": ["PENDING", "CONFIRMED"]}),
        ):
            parts = {**filter, "sort": sort, "fields": PAGE_FIELDS}
            forward = await _walk(api, plain, shop, FORWARD.format(**parts), where, "a", False)
            backward = await _walk(api, plain, shop, BACKWARD.format(**parts), where, "b", True)
            assert backward == forward and len(forward) == (5 if where is None else 4), (sort, where)


async def test_a_page_between_two_cursors_answers_as_strawberry_does_either_way(
    api, plain, shop, other_shop, orders
):
    """first with before, last with after, both cursors, empty ones, crossed ones, another shop's."""
    await place_order(api, shop.admin, [("MUG", 1)])
    theirs = await place_order(api, other_shop.admin, [("TEE", 1)])
    listed = "{ orders { edges { cursor } } }"
    c = [e["cursor"] for e in (await api(shop.admin, listed))["data"]["orders"]["edges"]]
    foreign = (await api(other_shop.admin, listed))["data"]["orders"]["edges"][0]["cursor"]
    assert theirs and len(c) == 4
    pairs = [(None, None), (c[0], c[3]), (c[0], None), (None, c[3]), (c[1], c[2]), (c[2], c[1])]
    pairs += [("", ""), ("", c[2]), (c[1], ""), (foreign, None), (None, foreign)]
    for size in ("first: 2", "last: 2", "last: 1, reverse: true"):
        document = (
            f"query($a: String, $b: String) {{ orders({size}, after: $a, before: $b) {{ {PAGE_FIELDS} }} }}"
        )
        for after, before in pairs:
            await _compiled_once(api, plain, shop, document, {"a": after, "b": before})
    for before in (None, "", c[2]):
        document = f"query($b: String) {{ orders(before: $b) {{ {PAGE_FIELDS} }} }}"
        await _compiled_once(api, plain, shop, document, {"b": before})


async def test_an_empty_list_walked_backwards_answers_as_strawberry_does(api, plain, shop, orders):
    document = BACKWARD.format(**FILTER, sort="", fields=PAGE_FIELDS)
    nothing = {"createdAfter": "2999-01-01T00:00:00"}
    last = (await api(shop.admin, "{ orders(first: 1) { edges { cursor } } }"))["data"]["orders"]
    for before in (None, last["edges"][0]["cursor"]):
        page = await _compiled_once(api, plain, shop, document, {"w": nothing, "b": before})
        assert page["data"]["orders"]["nodes"] == [] and page["data"]["orders"]["edges"] == []
        info = page["data"]["orders"]["pageInfo"]
        assert (info["hasPreviousPage"], info["startCursor"], info["endCursor"]) == (False, None, None)


async def test_walking_backwards_what_the_general_path_refuses_gets_the_same_error(api, plain, shop, orders):
    cursors = {}
    for name, listed in (("number", "orders(sortKey: NUMBER)"), ("customer", "customers")):
        found = (await api(shop.admin, f"{{ {listed} {{ edges {{ cursor }} }} }}"))["data"]
        cursors[name] = next(iter(found.values()))["edges"][0]["cursor"]
    document = (
        "query($l: Int, $a: String, $b: String) { orders(last: $l, after: $a, before: $b) { nodes { id } } }"
    )
    cases = [
        {"l": 2, "b": "not-a-cursor"},
        {"l": 2, "b": cursors["number"]},  # a cursor of another sort
        {"l": 2, "b": cursors["customer"]},  # a cursor of another list
        {"l": 2, "a": "not-a-cursor", "b": cursors["number"]},  # both wrong: the general path names after
        {"l": 101},
        {"l": -1},
    ]
    for variables in cases:
        await _refused(api, plain, shop, document, variables)
    both = "{ orders(first: 2, last: 2) { nodes { id } } }"
    compiled, through = await _both(api, plain, shop.admin, both, {}, None)
    assert json.dumps(compiled) == json.dumps(through)
    assert compiled["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", compiled


async def test_last_null_walks_forwards_through_strawberry_with_the_same_answer(api, plain, shop, orders):
    document = f"query($l: Int, $b: String) {{ orders(last: $l, before: $b) {{ {PAGE_FIELDS} }} }}"
    before = (await api(shop.admin, "{ orders(first: 1) { edges { cursor } } }"))["data"]["orders"]
    for variables in ({"l": None}, {"b": before["edges"][0]["cursor"]}):
        with counting(api) as statements:
            compiled, through = await _both(api, plain, shop.admin, document, variables, None)
            await asyncio.sleep(0)
        assert json.dumps(compiled) == json.dumps(through) and "errors" not in compiled, variables
        assert not [s for s in statements.seen if "json_build_object" in s], variables
    assert api.app.state.view.compiled.compiled(document, None) is not None  # planned for last: n


@pytest.fixture
async def one_connection(db, database_url: str, app_settings: Settings) -> AsyncIterator[Api]:
    """The compiling app with a single read connection, so that every read shares its session, and
    keys remembered for a minute, as served, so that a request's statements are its read's."""
    fixed = connections.for_serve(app_settings).direct  # what the budget keeps for LISTEN and the rest
    settings = Settings(**{**app_settings.__dict__, "db_connections": fixed + 2, "auth_cache_seconds": 60.0})
    app = create_app(settings, database_url)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://baton.test"
    ) as client:
        yield Api(client, app)
    await app.state.reads.close()
    await app.state.engine.dispose()


async def test_a_compiled_read_is_one_statement_once_its_connection_serves_the_tenant(
    one_connection, shop, orders
):
    api = one_connection
    await api(shop.admin, Q1, n=orders[0]["number"])  # the key's lookup, the plan, the session
    for order in orders:
        with counting(api) as statements:
            body = await api(shop.admin, Q1, n=order["number"])
            await asyncio.sleep(0)
        assert body["data"]["orderByNumber"]["number"] == order["number"]
        assert len(statements.seen) == 1 and "json_build_object" in statements.seen[0], statements.seen


async def test_a_page_walked_backwards_is_one_statement_too(one_connection, shop, orders):
    api = one_connection
    document = f"query($b: String) {{ orders(last: 2, before: $b, sortKey: NUMBER) {{ {PAGE_FIELDS} }} }}"
    first = await api(shop.admin, document, b=None)  # the key's lookup, the plan, the session
    with counting(api) as statements:
        body = await api(shop.admin, document, b=first["data"]["orders"]["pageInfo"]["startCursor"])
        await asyncio.sleep(0)
    assert [n["number"] for n in body["data"]["orders"]["nodes"]] == [orders[0]["number"]]
    assert len(statements.seen) == 1 and "json_build_object" in statements.seen[0], statements.seen


async def test_tenants_taking_turns_on_one_connection_each_read_only_their_own(
    one_connection, shop, other_shop, orders
):
    api = one_connection
    theirs = await place_order(api, other_shop.admin, [("TEE", 1)])
    for _ in range(2):
        mine = await api(shop.admin, BY_ID, id=orders[0]["id"])
        assert mine["data"]["order"]["id"] == orders[0]["id"]
        assert (await api(shop.admin, BY_ID, id=theirs["id"]))["data"]["order"] is None
        found = await api(other_shop.admin, BY_ID, id=theirs["id"])
        assert found["data"]["order"]["id"] == theirs["id"]
        assert (await api(other_shop.admin, BY_ID, id=orders[0]["id"]))["data"]["order"] is None
    with counting(api) as statements:  # the tenant changed: its session is set first, once
        await api(shop.admin, BY_ID, id=orders[0]["id"])
        await asyncio.sleep(0)
    assert len(statements.seen) == 2 and "set_config('app.tenant_id'" in statements.seen[0], statements.seen


async def test_a_compiled_answer_carries_the_callers_request_id_and_a_bad_key_is_refused_once(
    api, shop, orders
):
    body = {"query": Q1, "variables": {"n": orders[0]["number"]}}
    headers = {"Authorization": f"Bearer {shop.admin}", "X-Request-Id": "req-c0mp"}
    response = await api.client.post("/graphql", json=body, headers=headers)
    assert response.headers["x-request-id"] == "req-c0mp"
    assert response.json()["data"]["orderByNumber"]["number"] == orders[0]["number"]

    with counting(api) as statements:
        wrong = shop.admin[:-4] + ("AAAA" if not shop.admin.endswith("AAAA") else "BBBB")
        refused = await api.client.post("/graphql", json=body, headers={"Authorization": f"Bearer {wrong}"})
        await asyncio.sleep(0)
    assert refused.status_code == 401 and len(refused.headers["x-request-id"]) >= 8
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert len([s for s in statements.seen if "baton_api_key(" in s]) == 1  # looked up once, not twice


BY_TOKEN = f"query($t: String!) {{ orderByToken(token: $t) {{ {ORDER_FIELDS} }} }}"


async def test_an_order_by_its_token_answers_as_strawberry_does_for_every_kind_of_key(
    api, plain, shop, other_shop, orders
):
    """A guest's order page with the shop's public key: compiled too, customer record and all."""
    order, token = await place_order_with_token(api, shop.admin, [("TEE", 1)], email="grace@example.org")
    _, theirs = await place_order_with_token(api, other_shop.admin, [("TEE", 1)])
    storefront, partner = await shop.tenant.key(Role.STOREFRONT), await shop.tenant.key(Role.PARTNER)
    cases = [(token, order["id"]), (theirs, None), ("bo_" + "x" * 40, None), ("not a token", None)]
    for key in (storefront, partner, shop.admin):
        for given, expected in cases:
            with counting(api) as statements:
                compiled, through = await _both(api, plain, key, BY_TOKEN, {"t": given}, None)
                await asyncio.sleep(0)
            assert json.dumps(compiled) == json.dumps(through), (key, given)
            assert "errors" not in compiled, compiled
            found = compiled["data"]["orderByToken"]
            assert (found and found["id"]) == expected
            if found:  # the customer record only for keys that read customers
                assert (found["customer"] is not None) == (key == shop.admin), found["customer"]
            assert len([s for s in statements.seen if "json_build_object" in s]) == 1, statements.seen


async def test_a_public_key_has_only_the_order_its_token_opens_compiled(api, plain, shop, orders):
    storefront = await shop.tenant.key(Role.STOREFRONT)
    number = orders[0]["number"]
    for document, variables in ((Q1, {"n": number}), (PAGES[0][0], {})):  # refused there, as before
        compiled, through = await _both(api, plain, storefront, document, variables, None)
        assert json.dumps(compiled) == json.dumps(through)
        assert api.app.state.view.compiled.compiled(document, None, False, False) is None


async def test_every_compiled_answer_in_the_api_tests_is_checked_against_strawberry(api, shop, orders):
    # tests/api/differential.py: the `api` fixture asks strawberry again whenever the compiler answered.
    before = api.differential.compared
    await api(shop.admin, Q1, n=orders[0]["number"])
    await api(shop.admin, "mutation { __typename }")  # not a read the compiler answers: not asked again

    assert api.differential.compared == before + 1
