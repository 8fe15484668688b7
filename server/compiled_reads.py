"""Reads answered by one SQL statement (resolvers/compiled/), before strawberry sees them.

A POSTed query whose every field has a SQL mapping is planned once per document, operation name and
kind of caller (a bounded cache), then each request binds its tenant and arguments and sends the
statement in one read-only round trip (domain/reading.py ReadPool.value); Postgres returns the whole
`data` as JSON. Everything around it is as on the strawberry path: the same validation (the plan is
only built for a document that validates, limits included), the same price and bucket charge, the same
extensions.cost. Anything else, and anything that goes wrong, is left to strawberry (but for the
database being unavailable, answered DATABASE_UNAVAILABLE here, as strawberry would): documents it
cannot plan, variables that do not coerce (the coded errors come from there), a cost above the maximum
or a bucket too empty (the refusal too), persisted-query requests. So are callers whose view of an
order depends on who they are: keys that read all orders and customers get every compiled root; any
other key (a public STOREFRONT key, a partner) only `orderByToken`, which the token proves and which
reads the same for every key but for the customer record (null without customers:read); customer
tokens nothing."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values
from starlette.requests import Request
from starlette.responses import Response

from domain.availability import unavailable
from domain.tenancy.scopes import Scope
from resolvers.compiled.planner import Plan, plan
from resolvers.compiled.roots import PROVEN_ROOTS, ROOTS
from resolvers.context import Context
from schema.cost import MAX_COST, Pricer
from schema.pricing import bucket_of, report
from schema.schema import LIMIT_RULES, MAX_TOKENS
from server.compiled_variables import Coercer, plain_coercer

log = logging.getLogger("baton.compiled")
PLANS = 512  # documents kept planned (or known not to plan), least recently used first out


@dataclass(frozen=True)
class Compiled:
    document: DocumentNode
    operation: OperationDefinitionNode
    plan: Plan  # every turn forwards
    pricer: Pricer
    turned: dict[tuple[bool, ...], Plan] = field(default_factory=dict)  # by way, when it has turns
    plain: Coercer | None = None  # its variables' coercion without graphql-core, when they are plain

    def plan_for(self, variables: dict[str, Any]) -> Plan:
        """The plan of the way these variables walk its connections (ValueError: the general path's)."""
        return self.turned[self.plan.ways(variables)] if self.plan.turns else self.plan


class CompiledReads:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        # By the document's hash, so that documents that never plan cost only their key.
        self.plans: OrderedDict[tuple[bytes, str | None, bool, bool], Compiled | None] = OrderedDict()

    def compiled(
        self, query: str, name: str | None, every_order: bool = True, sees_customers: bool = True
    ) -> Compiled | None:
        """The plan for a caller who reads every order (or only what a token proves), and who sees
        customer records or not: one cache entry for each."""
        key = (hashlib.sha256(query.encode()).digest(), name, every_order, sees_customers)
        if key in self.plans:
            self.plans.move_to_end(key)
            return self.plans[key]
        found = self._plan(query, name, ROOTS if every_order else PROVEN_ROOTS, sees_customers)
        self.plans[key] = found
        if len(self.plans) > PLANS:
            self.plans.popitem(last=False)
        return found

    def _plan(
        self, query: str, name: str | None, roots: dict[str, Any], sees_customers: bool
    ) -> Compiled | None:
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
        except GraphQLError:
            return None
        if validate(self.schema, document, [*specified_rules, *LIMIT_RULES]):
            return None
        op = get_operation_ast(document, name)
        built = plan(document, name, roots, sees_customers) if op is not None else None
        if op is None or built is None:
            return None
        turned: dict[tuple[bool, ...], Plan] = {}
        for ways in product((False, True), repeat=len(built.turns)) if built.turns else ():
            found = plan(document, name, roots, sees_customers, ways)
            if found is None:
                return None
            turned[ways] = found
        plain = plain_coercer(op.variable_definitions or [])
        return Compiled(document, op, built, Pricer(self.schema, document, name), turned, plain)

    async def answer(self, request: Request, context: Context) -> Response | None:
        """The answer, or None to let strawberry answer."""
        principal = context.principal
        if (
            principal is None
            or principal.grant is not None
            or principal.registered_documents_only
            or request.method != "POST"
        ):
            return None
        body = _body(request)
        if body is None:
            return None
        query, variables, name = body
        sees_customers = principal.has(Scope.CUSTOMERS_READ)
        every_order = sees_customers and principal.has(Scope.ORDERS_READ)
        compiled = self.compiled(query, name, every_order, sees_customers)
        if compiled is None:
            return None
        op_name = compiled.operation.name
        context.name_operation(op_name.value if op_name else None, compiled.operation.operation.value)
        values = compiled.plain(variables) if compiled.plain is not None else None
        if values is None:
            definitions = compiled.operation.variable_definitions or ()
            coerced = get_variable_values(self.schema, definitions, variables)
            if isinstance(coerced, list):  # wrong variables: strawberry says which, with codes
                return None
            values = coerced.coerced
        requested = compiled.pricer.requested(variables)
        if requested > MAX_COST:
            return None
        found = bucket_of(context)
        if found is not None and not found[0].charge(found[1], found[2], requested).allowed:
            return None  # strawberry refuses it the same way, with 429 and Retry-After
        try:
            chosen = compiled.plan_for(values)
            params = chosen.params(principal.tenant_id, values)
        except ValueError:  # an argument the general path refuses (its coded error) or the plan lacks
            if found is not None:
                found[0].refund(found[1], requested)
            return None
        try:
            text = await self.run(context, chosen.sql, params)
        except Exception as exc:
            if found is not None:
                found[0].refund(found[1], requested)
            if unavailable(exc):  # strawberry would fail the same way, after waiting as long again
                raise
            log.exception(
                "compiled read failed; answering it through strawberry (request %s)", context.request_id
            )
            return None
        actual = compiled.pricer.actual(json.loads(text))
        if found is not None:
            found[0].refund(found[1], requested - min(actual, requested))
        # Postgres's JSON text goes into the body as it is: only the cost report is serialised here.
        cost = json.dumps({"cost": report(context, requested, actual)})
        return Response(f'{{"data":{text},"extensions":{cost}}}', media_type="application/json")

    async def run(self, context: Context, sql: str, params: list[Any]) -> str:
        """The statement's JSON text; server/tracing.py opens the operation's span around it."""
        assert context.principal is not None
        return await context.reads.value(context.principal.tenant_id, sql, *params)


def _body(request: Request) -> tuple[str, dict[str, Any], str | None] | None:
    """(query, variables, operationName) of a plain GraphQL POST body, or None for anything else."""
    try:
        body = json.loads(request._body)  # read already (server/bodies.py)
    except (AttributeError, ValueError, RecursionError):
        return None
    if not isinstance(body, dict) or set(body) - {"query", "variables", "operationName"}:
        return None
    query, variables, name = body.get("query"), body.get("variables") or {}, body.get("operationName")
    if not isinstance(query, str) or not isinstance(variables, dict) or not isinstance(name, str | None):
        return None
    return query, variables, name
