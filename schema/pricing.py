"""Every operation is priced before it runs (schema/cost.py): one above the maximum is refused with
MAX_COST_EXCEEDED, before any database work, and the error says what it would have cost."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from resolvers.errors import PublicError
from schema.cost import MAX_COST, query_cost


class MaxCostExceeded(PublicError):
    code = "MAX_COST_EXCEEDED"

    def __init__(self, message: str, cost: dict[str, int]) -> None:
        super().__init__(message)
        self.extensions = {**(self.extensions or {}), "cost": cost}


class QueryCost(SchemaExtension):
    requested = 0

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None:
            self.requested = query_cost(
                ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables
            )
        if self.requested > MAX_COST:
            raise MaxCostExceeded(
                f"This query would cost {self.requested}, more than the maximum of {MAX_COST}: ask for "
                "smaller pages (first/last) or fewer nested lists, and page through the rest",
                cost={"requested": self.requested, "maximum": MAX_COST},
            )
        yield
