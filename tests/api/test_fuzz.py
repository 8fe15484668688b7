"""Queries and mutations drawn from the schema itself (hypothesis-graphql), sent through the app with an
ADMIN key: whatever a client asks, the answer is never a 5xx, an internal error is never shown unmasked
(nor masked: "Unexpected error." is a bug too), every error carries extensions.code, and every userError
a code.

IDs and strings are drawn partly from the shop's own objects (orders, lines, fulfillment orders, SKUs …),
so mutations reach real state changes and not only NOT_FOUND. Each root field is equally likely.
Hypothesis runs the examples in a worker thread; each request goes back to the test's event loop, where
the app, its pools and its database connections live."""

from __future__ import annotations

import asyncio
import os
import string
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from schema.schema import schema
from server.settings import Settings
from tests.api.documents import ORDER_CONFIRM, ORDER_MARK_PAID, WEBHOOK_CREATE, ok, place_order

# Per test: about 10 s for 200 here. BATON_FUZZ_EXAMPLES=3000 for a longer hunt.
EXAMPLES = int(os.environ.get("BATON_FUZZ_EXAMPLES", "200"))
MASKED = "Unexpected error."
NULL_RETURNED = "Cannot return null for non-nullable field"  # graphql-core's words: a resolver's bug
POOL = """{
  orders(first: 10) { nodes { id customer { id } lines { id } fulfillmentOrders { id lines { id } } } }
  webhookEndpoints { nodes { id } }
}"""
WORDS = ["TEE", "MUG", "main-warehouse", "grace@example.com", "US", "USD", "#1001", "1001", "EXPRESS"]


@pytest.fixture
async def app_settings() -> Settings:
    """A bucket no fuzzing run empties: THROTTLED answers would hide what the operations do."""
    base = Settings.from_env()
    return replace(base, auth_cache_seconds=0.0, database_url=None, cost_bucket=1e12, cost_restore_rate=1e12)


def ids_in(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "id" and isinstance(v, str)] + [
            i for v in value.values() for i in ids_in(v)
        ]
    if isinstance(value, list):
        return [i for v in value for i in ids_in(v)]
    return []


async def real_ids(api, shop) -> list[str]:
    """The shop's objects: two orders (one paid and confirmed), their lines, customers and fulfillment
    orders, its products, location and a webhook endpoint."""
    first = await place_order(api, shop.admin, [("TEE", 2), ("MUG", 1)])
    await place_order(api, shop.admin, [("MUG", 1)])
    ok(await api(shop.admin, ORDER_MARK_PAID, id=first["id"], reference="pay-1"), "orderMarkPaid")
    ok(await api(shop.admin, ORDER_CONFIRM, id=first["id"]), "orderConfirm")
    ok(await api(shop.admin, WEBHOOK_CREATE, url="https://93.184.216.34/hooks"), "webhookEndpointCreate")
    body = await api(shop.admin, POOL)
    assert "errors" not in body, body
    return sorted({*ids_in(body["data"]), shop.tee_id, shop.mug_id, shop.location_id})


def mostly(valid: st.SearchStrategy[str], other: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Valid values four times in five: one malformed scalar fails the whole document's validation."""
    return st.integers(0, 4).flatmap(lambda n: valid if n else other)


def scalars(ids: list[str]) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    text = st.text(string.printable, max_size=30)
    offsets = st.timedeltas(
        min_value=-timedelta(hours=23, minutes=59), max_value=timedelta(hours=23, minutes=59)
    )
    zones = st.one_of(st.none(), st.just(UTC), st.builds(timezone, offsets))
    edges = st.tuples(st.sampled_from([datetime.min, datetime.max]), zones)  # the ends of the range
    moments = st.one_of(
        st.datetimes(timezones=zones), edges.map(lambda edge: edge[0].replace(tzinfo=edge[1]))
    ).map(lambda d: d.isoformat())
    money = st.decimals(min_value=-(10**12), max_value=10**12, places=2).map(str)
    return {
        "ID": st.one_of(st.sampled_from(ids), text).map(nodes.String),
        "String": st.one_of(st.sampled_from(WORDS), st.text(max_size=30)).map(nodes.String),
        "DateTime": mostly(moments, text).map(nodes.String),
        "Decimal": mostly(money, text).map(nodes.String),
        "JSON": text.map(nodes.String),
    }


CODE = graphql.FieldNode(name=graphql.NameNode(value="code"), arguments=(), directives=())
USER_ERRORS = graphql.FieldNode(
    name=graphql.NameNode(value="userErrors"),
    arguments=(),
    directives=(),
    selection_set=graphql.SelectionSetNode(selections=(CODE,)),
)


def adding(node: graphql.FieldNode, selection: graphql.FieldNode) -> graphql.FieldNode:
    assert node.selection_set is not None
    return graphql.FieldNode(
        alias=node.alias,
        name=node.name,
        arguments=node.arguments,
        directives=node.directives,
        selection_set=graphql.SelectionSetNode(selections=(*node.selection_set.selections, selection)),
    )


class AskForCodes(graphql.Visitor):
    """Every mutation payload answers its userErrors, and every userErrors selection asks for the code:
    the check needs to see them."""

    def enter_operation_definition(self, node: graphql.OperationDefinitionNode, *_: Any) -> Any:
        if node.operation != graphql.OperationType.MUTATION:
            return None
        roots = tuple(adding(f, USER_ERRORS) for f in node.selection_set.selections)  # type: ignore[arg-type]
        return graphql.OperationDefinitionNode(
            operation=node.operation,
            name=node.name,
            variable_definitions=node.variable_definitions,
            directives=node.directives,
            selection_set=graphql.SelectionSetNode(selections=roots),
        )

    def enter_field(self, node: graphql.FieldNode, *_: Any) -> Any:
        if node.name.value != "userErrors" or node.selection_set is None:
            return None
        names = {s.name.value for s in node.selection_set.selections if isinstance(s, graphql.FieldNode)}
        return None if "code" in names else adding(node, CODE)


def printed(document: graphql.DocumentNode) -> str:
    return graphql.print_ast(graphql.visit(document, AskForCodes()))


def operations(
    build: Any, root: graphql.GraphQLObjectType | None, ids: list[str], mode: Mode = Mode.POSITIVE
) -> st.SearchStrategy[str]:
    assert root is not None
    found = scalars(ids)
    return st.one_of(
        *(
            build(schema._schema, fields=[name], custom_scalars=found, print_ast=printed, mode=mode)
            for name, root_field in root.fields.items()
            if mode == Mode.POSITIVE or root_field.args  # a violation needs an argument to break
        )
    )


def user_errors(value: Any) -> list[Any]:
    """Every userErrors entry anywhere in the answer's data."""
    if isinstance(value, dict):
        return [
            e
            for k, v in value.items()
            for e in (v if k == "userErrors" and isinstance(v, list) else user_errors(v))
        ]
    if isinstance(value, list):
        return [e for v in value for e in user_errors(v)]
    return []


async def fuzz(
    api, key: str, documents: st.SearchStrategy[str], examples: int = EXAMPLES
) -> list[tuple[str, dict[str, Any]]]:
    """Sends every drawn document; fails on a broken answer; returns the masked errors met."""
    loop = asyncio.get_running_loop()
    masked: list[tuple[str, dict[str, Any]]] = []

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(documents)
    def check(document: str) -> None:
        response = asyncio.run_coroutine_threadsafe(api.post(key, document), loop).result()
        assert response.status_code < 500, (document, response.text)
        body = response.json()
        for error in body.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            assert code, (document, error)
            if error["message"] == MASKED:
                masked.append((document, error))
            else:
                assert code != "INTERNAL_SERVER_ERROR", (document, error)
                assert "Traceback" not in error["message"], (document, error)
                assert not error["message"].startswith(NULL_RETURNED), (document, error)
        for problem in user_errors(body.get("data")):
            assert problem.get("code"), (document, problem)

    await asyncio.to_thread(check)
    return masked


async def test_queries_drawn_from_the_schema_get_coded_answers_and_never_an_internal_error(api, shop):
    ids = await real_ids(api, shop)

    masked = await fuzz(api, shop.admin, operations(queries, schema._schema.query_type, ids))

    assert masked == []


async def test_mutations_drawn_from_the_schema_get_coded_answers_and_never_an_internal_error(api, shop):
    ids = await real_ids(api, shop)

    masked = await fuzz(api, shop.admin, operations(mutations, schema._schema.mutation_type, ids))

    assert masked == []


async def test_documents_with_one_schema_violation_each_are_refused_with_a_code(api, shop):
    ids = await real_ids(api, shop)
    invalid = st.one_of(
        operations(queries, schema._schema.query_type, ids, Mode.NEGATIVE),
        operations(mutations, schema._schema.mutation_type, ids, Mode.NEGATIVE),
    )

    masked = await fuzz(api, shop.admin, invalid, EXAMPLES // 2)

    assert masked == []


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
async def test_a_moment_out_of_range_in_utc_is_refused_as_input_not_an_internal_error(api, shop, moment):
    for document in (
        f'{{ orders(filter: {{createdAfter: "{moment}"}}) {{ nodes {{ id }} }} }}',
        f'{{ auditLog(since: "{moment}") {{ nodes {{ hash }} }} }}',
        "query($at: DateTime!) { auditLog(until: $at) { nodes { hash } } }",
    ):
        body = (await api.post(shop.admin, document, {"at": moment})).json()
        assert [e["extensions"]["code"] for e in body["errors"]] in (
            ["GRAPHQL_VALIDATION_FAILED"],
            ["BAD_USER_INPUT"],
        ), body
        assert "out of range in UTC" in body["errors"][0]["message"]
