"""Input objects converted by the plans of schema/inputs.py come out as strawberry's own conversion
makes them, for every input type of the schema, with every field given and with none of the optional."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    coerce_input_value,
)
from strawberry.types.arguments import convert_argument

from schema.schema import schema

SCALARS = {
    "String": "text",
    "ID": "T3JkZXI6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAx",
    "Int": 2,
    "Float": 1.5,
    "Boolean": True,
    "DateTime": "2026-01-02T03:04:05+00:00",
    "Decimal": "12.50",
    "Date": "2026-01-02",
    "JSON": {"a": 1},
}


def sample(type_: GraphQLInputType, full: bool, depth: int = 0) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return sample(type_.of_type, full, depth)
    if isinstance(type_, GraphQLList):
        return [sample(type_.of_type, full, depth + 1)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLScalarType):
        return SCALARS[type_.name]
    assert isinstance(type_, GraphQLInputObjectType)
    return {
        name: sample(field.type, full, depth + 1)
        for name, field in type_.fields.items()
        if isinstance(field.type, GraphQLNonNull) or (full and depth < 4)
    }


def strawberry_conversion(cls: type, value: Any) -> Any:
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    plan, definition.from_input = definition.from_input, None
    try:
        return convert_argument(value, cls, schema.schema_converter.scalar_registry, schema.config)
    finally:
        definition.from_input = plan


PLANNED = [
    t
    for t in schema.schema_converter.type_map.values()
    if getattr(t.definition, "is_input", False) and t.definition.from_input is not None
]


def test_every_input_type_has_a_plan() -> None:
    inputs = [
        t for t in schema.schema_converter.type_map.values() if getattr(t.definition, "is_input", False)
    ]
    assert len(PLANNED) == len(inputs) > 20


@pytest.mark.parametrize("full", [True, False], ids=["every field", "required fields"])
@pytest.mark.parametrize("entry", PLANNED, ids=lambda t: t.definition.name)
def test_a_plan_converts_as_strawberry_does(entry: Any, full: bool) -> None:
    graphql_type = schema._schema.get_type(entry.definition.name)
    try:
        coerced = coerce_input_value(sample(graphql_type, full), graphql_type)
    except KeyError as missing:
        pytest.fail(f"no sample value for the scalar {missing}")
    cls = entry.definition.origin
    planned = convert_argument(coerced, cls, schema.schema_converter.scalar_registry, schema.config)
    assert type(planned) is cls
    assert planned == strawberry_conversion(cls, coerced)
