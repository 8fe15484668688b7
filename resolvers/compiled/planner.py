"""A validated read-only operation, turned into one SQL statement that returns its `data` as JSON.

The planner walks the operation's selections with the field mappings of resolvers/compiled/mappings.py:
each object becomes a json_build_object, each list a json_agg over a correlated subquery, each field an
expression of the stored columns. Whatever it does not know (a field without a mapping, a directive, a
fragment on another type, a repeated response key) makes it give up, and the operation runs through
strawberry as before. The plan is built once per document and operation; each request binds its
tenant ($1) and the values of the arguments, read from the literals or the request's variables.

A connection given both `first` and `last` goes one way or the other per request (a Turn): such a
document is planned once for each combination of ways, and each request runs the plan of its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    NullValueNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_operation_ast,
    value_from_ast_untyped,
)

MAX_KEYS = 50  # json_build_object takes at most 100 arguments: 50 keys and their values
MAX_TURNS = 3  # connections given both `first` and `last` in one document: a plan for each of 2**n ways


class GiveUp(Exception):
    """The operation has a part with no SQL mapping: it runs through strawberry instead."""


@dataclass(frozen=True)
class Slot:
    """One bound parameter: an argument's value (a literal, or a variable of the request), converted."""

    node: ValueNode
    convert: Callable[[Any], Any]
    required: bool = False  # a null changes what the general path does, beyond what the plan covers

    def value(self, variables: dict[str, Any]) -> Any:
        if isinstance(self.node, VariableNode):
            raw = variables.get(self.node.name.value)
        else:
            raw = value_from_ast_untyped(self.node, variables)
        if raw is None and self.required:
            raise ValueError("a null this plan does not cover: the request runs through strawberry")
        return None if raw is None else self.convert(raw)


def _given(node: ValueNode, variables: dict[str, Any]) -> bool:
    if isinstance(node, VariableNode):
        return variables.get(node.name.value) is not None
    return value_from_ast_untyped(node, variables) is not None


@dataclass(frozen=True)
class Turn:
    """A connection given both `first` and `last`, as the general path reads them: `last` walks
    backwards, `first` (or neither) forwards, and both is its coded error, which the request then gets
    from there (ValueError)."""

    first: ValueNode
    last: ValueNode

    def backward(self, variables: dict[str, Any]) -> bool:
        last = _given(self.last, variables)
        if last and _given(self.first, variables):
            raise ValueError("first and last both given: the general path's coded error")
        return last


@dataclass
class Plan:
    sql: str
    slots: list[Slot]
    turns: list[Turn] = field(default_factory=list)

    def ways(self, variables: dict[str, Any]) -> tuple[bool, ...]:
        """Which way each of the plan's turns goes for these variables (backward: True)."""
        return tuple(turn.backward(variables) for turn in self.turns)

    def params(self, tenant_id: Any, variables: dict[str, Any]) -> list[Any]:
        return [tenant_id, *(slot.value(variables) for slot in self.slots)]


@dataclass
class Planner:
    fragments: dict[str, FragmentDefinitionNode]
    sees_customers: bool = True  # whether customer records show (customers:read), or read as null
    ways: tuple[bool, ...] = ()  # the way each turn goes in this plan, in the order they are met
    slots: list[Slot] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    aliases: int = 0

    def alias(self) -> str:
        self.aliases += 1
        return f"t{self.aliases}"

    def param(
        self, node: ValueNode, convert: Callable[[Any], Any], sql_type: str, required: bool = False
    ) -> str:
        self.slots.append(Slot(node, convert, required))
        return f"${len(self.slots) + 1}::{sql_type}"

    def turn(self, first: ValueNode, last: ValueNode) -> bool:
        """Whether this connection, given both `first` and `last`, walks backwards in this plan."""
        if not any(isinstance(v, VariableNode | NullValueNode) for v in (first, last)):
            raise GiveUp("first and last both written in: every request gets the general path's error")
        self.turns.append(Turn(first, last))
        if len(self.turns) > MAX_TURNS:
            raise GiveUp("too many connections given both first and last")
        return len(self.turns) <= len(self.ways) and self.ways[len(self.turns) - 1]

    def fields(self, selection_set: SelectionSetNode | None, type_name: str) -> list[FieldNode]:
        """The fields selected on an object of this type, fragments flattened."""
        if selection_set is None:
            raise GiveUp("an object without a selection")
        found: list[FieldNode] = []
        for selection in selection_set.selections:
            if selection.directives:
                raise GiveUp("directives")
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is not None and condition.name.value != type_name:
                    raise GiveUp("a fragment on another type")
                found += self.fields(selection.selection_set, type_name)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                if fragment.type_condition.name.value != type_name:
                    raise GiveUp("a fragment on another type")
                found += self.fields(fragment.selection_set, type_name)
        keys = [key(f) for f in found]
        if len(set(keys)) != len(keys):
            raise GiveUp("a response key selected twice")  # graphql merges them; not worth it here
        if len(keys) > MAX_KEYS:
            raise GiveUp("more fields than one json_build_object takes")
        return found

    def object(self, mapping: Any, alias: str, selection_set: SelectionSetNode | None, **env: str) -> str:
        """json_build_object(...) of the selected fields of one row (`alias`) of this mapping."""
        pairs = []
        for node in self.fields(selection_set, mapping.name):
            name = node.name.value
            if name == "__typename":
                expr = sql_text(mapping.name)
            else:
                spec = mapping.fields.get(name)
                if spec is None:
                    raise GiveUp(f"{mapping.name}.{name} has no SQL mapping")
                expr = spec.sql(self, alias, node, env)
            pairs.append(f"{sql_text(key(node))}, {expr}")
        return f"json_build_object({', '.join(pairs)})"


def key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def sql_text(value: str) -> str:
    """A string literal for SQL (names and aliases are GraphQL names: letters, digits, underscores)."""
    return "'" + value.replace("'", "''") + "'"


def plan(
    document: DocumentNode,
    name: str | None,
    roots: dict[str, Any],
    sees_customers: bool = True,
    ways: tuple[bool, ...] = (),
) -> Plan | None:
    """The operation as one statement, or None when some part of it has no SQL mapping; its turns go
    the `ways` given (forwards where none is given)."""
    op = get_operation_ast(document, name)
    if op is None or op.operation != OperationType.QUERY:
        return None
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    planner = Planner(fragments, sees_customers, ways)
    try:
        if op.directives:
            raise GiveUp("directives on the operation")
        pairs = []
        for node in planner.fields(op.selection_set, "Query"):
            if node.name.value == "__typename":
                expr = sql_text("Query")
            else:
                root = roots.get(node.name.value)
                if root is None:
                    raise GiveUp(f"Query.{node.name.value} has no SQL mapping")
                expr = root(planner, node)
            pairs.append(f"{sql_text(key(node))}, {expr}")
    except GiveUp:
        return None
    if all(node.name.value == "__typename" for node in planner.fields(op.selection_set, "Query")):
        return None  # nothing to read: no statement (it would not even use its tenant parameter)
    return Plan(f"SELECT json_build_object({', '.join(pairs)})::text", planner.slots, planner.turns)
