"""Every operation is priced before it runs (schema/cost.py): one above the maximum is refused with
MAX_COST_EXCEEDED, before any database work, and the error says what it would have cost.

The requested cost is then charged to the caller's API key (domain/limits/budgets.py): when the key's
bucket holds less, the operation is refused with THROTTLED (over HTTP: 429 and Retry-After). After it
runs, what was charged beyond the actual cost (the objects the answer held) is given back. A public
(STOREFRONT) key serves every shopper, so it is charged per key and client IP instead. Every response
reports both, and the bucket, in extensions.cost, as Shopify's Admin API does. Subscriptions are not
charged: they are bounded by a count per key instead (server/throttle.py)."""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Iterator
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from domain.limits.bucket import retry_after
from domain.limits.budgets import Budgets
from domain.tenancy.models import Role
from domain.tenancy.service import Principal
from resolvers.errors import PublicError
from schema.cost import MAX_COST, Pricer

# Pricers by (query text, operation name): a client sends the same few documents again and again, and
# a pricer walks its document's selections once (schema/cost.py). Emptied when full.
MAX_PRICERS = 512
_pricers: dict[tuple[str, str | None], Pricer] = {}


class MaxCostExceeded(PublicError):
    code = "MAX_COST_EXCEEDED"

    def __init__(self, message: str, cost: dict[str, int]) -> None:
        super().__init__(message)
        self.extensions = {**(self.extensions or {}), "cost": cost}


class Throttled(PublicError):
    code = "THROTTLED"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.extensions = {**(self.extensions or {}), "retryAfter": retry_after}


class QueryCost(SchemaExtension):
    requested = 0
    actual = 0

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        pricer = self._pricer()
        if pricer is not None:
            self.requested = pricer.requested(ctx.variables)
        if self.requested > MAX_COST:
            raise MaxCostExceeded(
                f"This query would cost {self.requested}, more than the maximum of {MAX_COST}: ask for "
                "smaller pages (first/last) or fewer nested lists, and page through the rest",
                cost={"requested": self.requested, "maximum": MAX_COST},
            )
        if self._subscription():  # priced per event; not charged (server/throttle.py caps their number)
            yield
            return
        charged = self._charge()
        try:
            yield
        finally:
            result = ctx.result
            if pricer is not None and result is not None:
                self.actual = pricer.actual(getattr(result, "data", None))
            if charged is not None:
                budgets, key_id = charged
                budgets.refund(key_id, self.requested - min(self.actual, self.requested))

    def _pricer(self) -> Pricer | None:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is None:
            return None
        if ctx.query is None:  # a document given without its text: nothing to know it again by
            return Pricer(ctx.schema._schema, document, ctx.operation_name)
        key = (ctx.query, ctx.operation_name)
        pricer = _pricers.get(key)
        if pricer is None:
            if len(_pricers) >= MAX_PRICERS:
                _pricers.clear()
            pricer = _pricers[key] = Pricer(ctx.schema._schema, document, ctx.operation_name)
        return pricer

    def _charge(self) -> tuple[Budgets, Hashable] | None:
        """Charges the requested cost to the caller's bucket; raises Throttled when it holds less."""
        ctx = self.execution_context
        found = self._bucket()
        if found is None:
            return None
        budgets, bucket, tenant_id = found
        decision = budgets.charge(bucket, tenant_id, self.requested)
        if decision.allowed:
            return budgets, bucket
        seconds = retry_after(decision.retry_after)
        response: Any = getattr(ctx.context, "response", None)
        if hasattr(response, "status_code"):  # HTTP; over a WebSocket the "response" is the socket
            response.status_code = 429
            response.headers["Retry-After"] = str(seconds)
        if self.requested > budgets.capacity:
            message = (
                f"This query costs {self.requested}, more than this key's bucket holds ({budgets.capacity:g})"
            )
        else:
            message = (
                f"Throttled: this query costs {self.requested} and {max(0, int(decision.available))} is "
                f"available, restoring at {budgets.rate:g} a second; retry after {seconds} s"
            )
        raise Throttled(message, seconds)

    def _subscription(self) -> bool:
        ctx = self.execution_context
        if ctx.graphql_document is None:
            return False
        try:
            return ctx.operation_type == OperationType.SUBSCRIPTION
        except Exception:  # no such operation: validation says so
            return False

    def _bucket(self) -> tuple[Budgets, Hashable, uuid.UUID] | None:
        return bucket_of(self.execution_context.context)

    def get_results(self) -> dict[str, Any]:
        if self._subscription():  # not charged, and every event would repeat the report
            return {}
        return {"cost": report(self.execution_context.context, self.requested, self.actual)}


def bucket_of(context: Any) -> tuple[Budgets, Hashable, uuid.UUID] | None:
    """The caller's bucket: its API key's, or for a public key, the key's for this client IP."""
    principal: Principal | None = getattr(context, "principal", None)
    if principal is None:
        return None
    shoppers: Budgets | None = getattr(context, "shopper_budgets", None)
    if principal.role == Role.STOREFRONT and shoppers is not None:
        client = getattr(getattr(context, "request", None), "client", None)
        return shoppers, (principal.key_id, getattr(client, "host", None)), principal.tenant_id
    budgets: Budgets | None = getattr(context, "budgets", None)
    return None if budgets is None else (budgets, principal.key_id, principal.tenant_id)


def report(context: Any, requested: int, actual: int) -> dict[str, Any]:
    """extensions.cost of one operation."""
    cost: dict[str, Any] = {"requested": requested, "actual": actual}
    found = bucket_of(context)
    if found is not None:
        budgets, bucket, _ = found
        cost["throttleStatus"] = {
            "maximumAvailable": budgets.capacity,
            "currentlyAvailable": int(budgets.available(bucket)),
            "restoreRate": budgets.rate,
        }
    return cost
