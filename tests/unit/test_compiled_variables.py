"""The compiled reads' plain variable coercion (server/compiled_variables.py) agrees with graphql-core:
whenever it answers, graphql-core gives the same values; whenever graphql-core refuses, it does not
answer (and the request goes to graphql-core, which says why)."""

from __future__ import annotations

from typing import Any

from graphql import OperationDefinitionNode, build_schema, parse
from graphql.execution.values import get_variable_values
from hypothesis import given, settings
from hypothesis import strategies as st

from server.compiled_variables import INT_MAX, plain_coercer

SCHEMA = build_schema("type Query { a(s: String, i: Int, b: Boolean, id: ID, f: Float): Int }")


def definitions(text: str) -> Any:
    operation = parse(f"query Q{text} {{ a }}").definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.variable_definitions or ()


def core(text: str, values: dict[str, Any]) -> dict[str, Any] | None:
    found = get_variable_values(SCHEMA, definitions(text), values)
    return None if isinstance(found, list) else found.coerced


def test_plain_variables_are_coerced_here_as_graphql_core_does() -> None:
    text = "($n: String!, $i: Int, $b: Boolean, $id: ID)"
    coerce = plain_coercer(definitions(text))
    assert coerce is not None
    for values in (
        {"n": "1001"},
        {"n": "1001", "i": 7, "b": False, "id": 12},
        {"n": "", "i": None, "id": "T3JkZXI6MQ=="},
    ):
        assert coerce(values) == core(text, values) is not None


def test_what_is_not_plain_goes_to_graphql_core() -> None:
    for text in ("($f: Float)", '($n: String = "x")', "($l: [String])", "($n: String @deprecated)"):
        assert plain_coercer(definitions(text)) is None, text
    coerce = plain_coercer(definitions("($n: String!, $i: Int)"))
    assert coerce is not None
    for values in (
        {},
        {"n": None},
        {"n": 5},
        {"n": "1", "i": True},
        {"n": "1", "i": 2.0},
        {"n": "1", "i": 2**31},
    ):
        assert coerce(values) is None, values


NAMES = ["s", "i", "b", "id"]
TYPES = {"s": "String", "i": "Int", "b": "Boolean", "id": "ID"}
VALUES = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.sampled_from([INT_MAX, INT_MAX + 1, -(2**31), -(2**31) - 1]),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=400, deadline=None)
@given(
    chosen=st.lists(st.tuples(st.sampled_from(NAMES), st.booleans()), max_size=4, unique_by=lambda t: t[0]),
    values=st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=4),
)
def test_whenever_the_plain_coercion_answers_graphql_core_answers_the_same(
    chosen: list[tuple[str, bool]], values: dict[str, Any]
) -> None:
    text = "(" + ", ".join(f"${n}: {TYPES[n]}{'!' if required else ''}" for n, required in chosen) + ")"
    text = text if chosen else ""
    coerce = plain_coercer(definitions(text))
    assert coerce is not None  # built-in scalars without defaults are always plain
    mine, theirs = coerce(values), core(text, values)
    if mine is not None:
        assert mine == theirs
    if theirs is None:
        assert mine is None
