"""What a query costs, computed from the document and its variables before anything runs, the way
Shopify prices its Admin API: every object a field returns costs 1 and scalars and enums nothing; a
connection multiplies what each of its nodes costs by `first`/`last` (the default page when neither is
given); a plain list of objects counts as LIST_SIZE of them; a mutation adds MUTATION_COST. Value objects
that are part of their parent's row (Money, Address, PageInfo …) cost nothing: no extra read fetches
them. A query that costs more than MAX_COST is refused before execution with MAX_COST_EXCEEDED, so one
request can no longer ask for millions of rows."""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)

from domain.pagination import DEFAULT_PAGE, MAX_PAGE

MAX_COST = 5000
MUTATION_COST = 10
LIST_SIZE = 3  # what a list without paging (an order's lines, a shipment's tracking events) counts as
FREE_TYPES = frozenset(
    {"Money", "Address", "PageInfo", "Customization", "ShippingRate", "ExchangeRequest", "Package"}
)
PAGED_FIELDS = frozenset({"nodes", "edges"})
# A report aggregates up to a year of a shop's orders in one statement: it costs as much as a large
# page of orders would, and its buckets (figures computed by that same statement) nothing more.
REPORT_COST = 50
OWN_COSTS = {
    "SalesReport": REPORT_COST,
    "FulfillmentReport": REPORT_COST,
    "ReturnsReport": REPORT_COST,
    "InventoryReport": REPORT_COST,
    "ForecastAccuracyReport": REPORT_COST,
    **dict.fromkeys(("SalesBucket", "FulfillmentBucket", "ReturnsBucket", "ReasonCount"), 0),
}


def own_cost(named: GraphQLNamedType) -> int:
    """What one object of this type costs by itself."""
    return OWN_COSTS.get(named.name, 0 if named.name in FREE_TYPES else 1)


def _definition(parent: GraphQLNamedType, node: FieldNode) -> Any:
    fields = getattr(parent, "fields", None)
    return fields.get(node.name.value) if fields else None


class _Pricing:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None
    ) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def selection(self, node: SelectionSetNode | None, parent: GraphQLNamedType, page: int | None) -> int:
        if node is None:
            return 0
        total = 0
        for item in node.selections:
            if isinstance(item, FieldNode):
                total += self.field(item, parent, page)
            elif isinstance(item, InlineFragmentNode):
                condition = item.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection(item.selection_set, target or parent, page)
            elif isinstance(item, FragmentSpreadNode):
                fragment = self.fragments.get(item.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selection(fragment.selection_set, target or parent, page)
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType, page: int | None) -> int:
        definition = _definition(parent, node)
        if definition is None:  # __typename and introspection
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        own = own_cost(named)
        if "first" in definition.args or "last" in definition.args:  # a connection
            return own + self.selection(node.selection_set, named, self.page_size(node))
        each = own + self.selection(node.selection_set, named, None)
        if is_list_type(get_nullable_type(definition.type)):
            count = page if page is not None and node.name.value in PAGED_FIELDS else LIST_SIZE
            return count * each
        return each

    def page_size(self, node: FieldNode) -> int:
        arguments = {a.name.value: a.value for a in node.arguments or ()}
        sizes = [self.number(arguments[name]) for name in ("first", "last") if name in arguments]
        given = [s for s in sizes if s is not None]
        return min(max(given), MAX_PAGE) if given else DEFAULT_PAGE  # a larger page is refused anyway

    def number(self, value: Any) -> int | None:
        if isinstance(value, IntValueNode):
            return max(0, int(value.value))
        if isinstance(value, VariableNode):
            found = self.variables.get(value.name.value)
            return max(0, found) if isinstance(found, int) and not isinstance(found, bool) else None
        return None


def _operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    """The operation that would run: the one named, or the only one; None when that is not one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    return chosen[0] if len(chosen) == 1 else None


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int:
    """The requested cost of the operation that would run; 0 when there is none to run."""
    operation = _operation(document, operation_name)
    if operation is None:
        return 0
    root: GraphQLObjectType | None = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    pricing = _Pricing(schema, document, variables)
    cost = pricing.selection(operation.selection_set, root, None)
    if operation.operation == OperationType.MUTATION:
        fields = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
        cost += MUTATION_COST * len(fields)
    return cost


class _Answer:
    """Walks an answer alongside the selection that asked for it, counting the objects it holds the way
    _Pricing counts the objects a selection may return."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        # Every node of a page has the same fields: merged once per selection, leaves left out.
        self.merged: dict[
            tuple[Any, ...], list[tuple[str, GraphQLNamedType, list[SelectionSetNode], int]]
        ] = {}

    def objects(
        self, sets: list[SelectionSetNode], named: GraphQLNamedType
    ) -> list[tuple[str, GraphQLNamedType, list[SelectionSetNode], int]]:
        """(response key, type, selections, own cost) of the fields below that return objects."""
        key = (named.name, *map(id, sets))
        found = self.merged.get(key)
        if found is None:
            fields: dict[str, Any] = {}
            for node in sets:
                self.collect(node, named, fields)
            found = self.merged[key] = []
            for name, (definition, child_sets) in fields.items():
                child = get_named_type(definition.type)
                if not is_leaf_type(child):
                    found.append((name, child, child_sets, own_cost(child)))
        return found

    def collect(self, node: SelectionSetNode, parent: GraphQLNamedType, into: dict[str, Any]) -> None:
        """Fields by response key, merged across fragments: the answer holds one value per key."""
        for item in node.selections:
            if isinstance(item, FieldNode):
                definition = _definition(parent, item)
                if definition is None:
                    continue
                key = item.alias.value if item.alias else item.name.value
                _, sets = into.setdefault(key, (definition, []))
                if item.selection_set is not None:
                    sets.append(item.selection_set)
            elif isinstance(item, InlineFragmentNode):
                condition = item.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                self.collect(item.selection_set, target or parent, into)
            elif isinstance(item, FragmentSpreadNode):
                fragment = self.fragments.get(item.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    self.collect(fragment.selection_set, target or parent, into)

    def value(self, value: Any, named: GraphQLNamedType, sets: list[SelectionSetNode], own: int) -> int:
        if isinstance(value, list):
            return sum(self.value(item, named, sets, own) for item in value)
        if not isinstance(value, dict):  # null
            return 0
        total = own
        for key, child, child_sets, child_own in self.objects(sets, named):
            total += self.value(value.get(key), child, child_sets, child_own)
        return total


def actual_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    data: dict[str, Any] | None,
) -> int:
    """What the answer held, priced like query_cost: 1 for every object returned (free types aside),
    so a page that came back half full costs half. A mutation adds MUTATION_COST for each root field."""
    return _actual(schema, _operation(document, operation_name), _Answer(schema, document), data)


def _actual(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode | None,
    answer: _Answer,
    data: dict[str, Any] | None,
) -> int:
    if operation is None or data is None:
        return 0
    root: GraphQLObjectType | None = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    cost = answer.value(data, root, [operation.selection_set], 0)
    if operation.operation == OperationType.MUTATION:
        fields = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
        cost += MUTATION_COST * len(fields)
    return cost


class Pricer:
    """query_cost and actual_cost of one document's operation, prepared once for many requests (the
    read compiler keeps one per plan): the requested cost is computed once when no `first`/`last`
    argument can change it, and the answer walk keeps its merged selections."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> None:
        self.schema, self.document, self.operation_name = schema, document, operation_name
        self.fixed = None if _sized(document) else query_cost(schema, document, operation_name, None)
        self.answer = _Answer(schema, document)  # keeps its merged selections from answer to answer
        self.operation = _operation(document, operation_name)

    def requested(self, variables: dict[str, Any] | None) -> int:
        if self.fixed is not None:
            return self.fixed
        return query_cost(self.schema, self.document, self.operation_name, variables)

    def actual(self, data: dict[str, Any] | None) -> int:
        return _actual(self.schema, self.operation, self.answer, data)


def _sized(document: DocumentNode) -> bool:
    """Whether any field of the document has a first or last argument (a page size)."""

    def walk(node: SelectionSetNode | None) -> bool:
        for item in node.selections if node else ():
            if isinstance(item, FieldNode) and any(
                a.name.value in ("first", "last") for a in item.arguments or ()
            ):
                return True
            if isinstance(item, FieldNode | InlineFragmentNode) and walk(item.selection_set):
                return True
        return False

    return any(
        walk(d.selection_set)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    )
