"""Input objects converted by plans built once. strawberry converts a mutation's input argument to its
input classes by working out, for every field of every request, what the field's annotation is (a
scalar? an enum? a list of which? optional?): for orderCreate's input that was about a twentieth of
the server's CPU per order. Here each input type gets, at start-up, the conversion its fields need
(strawberry's `from_input` hook on the type's definition), doing what strawberry's convert_argument
does for the same value: nulls and scalars as they are, lists copied, enums as graphql-core coerced
them, nested inputs built the same way, and anything else handed to convert_argument itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

import strawberry
from strawberry.relay import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext, convert_argument
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

Path = tuple[str | int, ...]
Convert = Callable[[Any, InputContext, Path], Any]


def compile_inputs(schema: strawberry.Schema) -> None:
    """Gives every input type of the schema a conversion plan, but those with Maybe fields (whose nulls
    strawberry's validation checks only for types without one) and those with a plan of their own."""
    converter = schema.schema_converter
    plans = Plans(converter.scalar_registry, converter.config.name_converter.from_field)
    for graphql_type in converter.type_map.values():
        definition = graphql_type.definition
        if _plannable(definition):
            plans.plan(definition)  # type: ignore[arg-type]


def _plannable(definition: Any) -> bool:
    return (
        isinstance(definition, StrawberryObjectDefinition)
        and definition.is_input
        and definition.from_input is None
        and not any(isinstance(f.type, StrawberryMaybe) for f in definition.fields)
    )


class Plans:
    def __init__(self, registry: Any, graphql_name: Callable[[Any], str]) -> None:
        self.registry = registry
        self.graphql_name = graphql_name
        self.made: dict[int, Convert] = {}

    def plan(self, definition: StrawberryObjectDefinition) -> Convert:
        found = self.made.get(id(definition))
        if found is not None:
            return found
        # Nulls for the fields without a default, as strawberry starts (validation saw the required).
        nulls = {
            f.python_name: None
            for f in definition.fields
            if f.default_value is MISSING and f.default_factory is MISSING
        }
        fields: list[tuple[str, str, Convert]] = []

        def convert(value: Any, context: InputContext, path: Path, cls: type | None = None) -> Any:
            if value is None or value is UNSET:
                return value
            kwargs = dict(nulls)
            for graphql_name, python_name, field_convert in fields:
                if graphql_name in value:
                    kwargs[python_name] = field_convert(value[graphql_name], context, (*path, graphql_name))
            return (cls or definition.origin)(**kwargs)

        def build(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
            return convert(value, context, context.path, cls)

        self.made[id(definition)] = convert  # before its fields: an input may nest itself
        for f in definition.fields:
            field_type = f.resolve_type(type_definition=definition)
            fields.append((self.graphql_name(f), f.python_name, self.converter(field_type)))
        definition.from_input = build
        return convert

    def converter(self, type_: Any) -> Convert:
        if isinstance(type_, LazyType):
            type_ = type_.resolve_type()
        if isinstance(type_, StrawberryOptional) and not isinstance(type_, StrawberryMaybe):
            return self.converter(type_.of_type)  # None stays None either way
        if _leaf(type_, self.registry):
            return _as_is
        if isinstance(type_, StrawberryList):
            inner = type_.of_type
            if _leaf(inner, self.registry) or (
                isinstance(inner, StrawberryOptional) and _leaf(inner.of_type, self.registry)
            ):
                return _copied
            each = self.converter(inner)

            def items(value: Any, context: InputContext, path: Path) -> Any:
                if value is None or value is UNSET:
                    return value
                return [each(item, context, (*path, index)) for index, item in enumerate(value)]

            return items
        if has_enum_definition(type_):
            return _as_is  # graphql-core gave the enum's Python value already, as strawberry passes on
        if has_object_definition(type_) and _plannable(type_.__strawberry_definition__):
            return self.plan(type_.__strawberry_definition__)
        return _strawberry(type_)


def _leaf(type_: Any, registry: Any) -> bool:
    if type_ is GlobalID:  # decoded by convert_argument
        return False
    return is_scalar(type_, registry) or isinstance(type_, StrawberryEnumDefinition)


def _as_is(value: Any, context: InputContext, path: Path) -> Any:
    return value


def _copied(value: Any, context: InputContext, path: Path) -> Any:
    # graphql-core gives every request that omits it the same default list: each gets a copy.
    return value if value is None or value is UNSET else list(value)


def _strawberry(type_: Any) -> Convert:
    def convert(value: Any, context: InputContext, path: Path) -> Any:
        return convert_argument(
            value, type_, context.scalar_registry, context.config, context.info, path=path
        )

    return convert
