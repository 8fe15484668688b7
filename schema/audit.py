"""Every mutation goes into the audit log (domain/audit): one entry per root mutation field, written after
the operation in a short transaction of its own, with what the resolver returned or raised.

The root mutation resolvers are wrapped once, at start-up, to note their arguments and result while an
audited operation runs; queries and subscriptions pay nothing, where an extension `resolve` hook would
wrap every field of every query. Requests without a valid API key never reach GraphQL, so they are not
recorded here (the HTTP layer refuses them)."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from domain.audit.models import Outcome
from domain.audit.service import Action, append, input_digest
from domain.availability import unavailable
from domain.ids import parse_global
from schema.node import Node

log = logging.getLogger("baton.audit")


@dataclass
class Note:
    """One root mutation field as it ran: its response key, arguments, and payload or error."""

    field: str
    args: dict[str, Any]
    payload: Any = None
    error: BaseException | None = None


_notes: ContextVar[list[Note] | None] = ContextVar("baton_audit_notes", default=None)


def watch_mutations(schema: strawberry.Schema) -> None:
    mutation = schema._schema.mutation_type
    if mutation is None:
        return
    for definition in mutation.fields.values():
        if definition.resolve is not None:
            definition.resolve = _noting(definition.resolve)


def _noting(resolve: Callable[..., Any]) -> Callable[..., Any]:
    def resolver(root: Any, info: Any, **kwargs: Any) -> Any:
        notes = _notes.get()
        if notes is None:
            return resolve(root, info, **kwargs)
        note = Note(info.field_name, kwargs)
        notes.append(note)
        try:
            result = resolve(root, info, **kwargs)
        except Exception as exc:
            note.error = exc
            raise
        if inspect.isawaitable(result):
            return _settled(result, note)
        note.payload = result
        return result

    return resolver


async def _settled(result: Awaitable[Any], note: Note) -> Any:
    try:
        note.payload = await result
    except Exception as exc:
        note.error = exc
        raise
    return note.payload


class AuditMutations(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        if not self._mutation():
            yield
            return
        notes: list[Note] = []
        _notes.set(notes)
        try:
            yield
        finally:
            _notes.set(None)
            try:
                await _record(self.execution_context.context, notes)
            except Exception as exc:
                # The mutation has committed already: failing its response would only invite a retry.
                request_id = getattr(self.execution_context.context, "request_id", None)
                if not unavailable(exc):
                    log.exception("audit entries not written (request %s)", request_id)
                else:  # the database is gone for the while, as the answer says: no traceback to add
                    log.warning("audit entries not written (request %s): %s", request_id, exc)

    def _mutation(self) -> bool:
        try:
            return self.execution_context.operation_type == OperationType.MUTATION
        except Exception:  # no document, or no such operation: nothing will run
            return False


async def _record(context: Any, notes: list[Note]) -> None:
    principal = getattr(context, "principal", None)
    if principal is None or not notes:
        return
    request = getattr(context, "request", None)
    client = getattr(request, "client", None)
    grant = principal.grant
    actions = []
    for note in notes:
        outcome, codes = _outcome(note)
        actions.append(
            Action(
                operation=note.field,
                outcome=outcome,
                key_id=principal.key_id,
                role=str(principal.role),
                customer_id=grant.customer_id if grant is not None else None,
                target_ids=_targets(note),
                input_digest=input_digest(note.args),
                error_codes=codes,
                request_id=getattr(context, "request_id", None),
                client_ip=getattr(client, "host", None),
            )
        )
    grouped = getattr(context, "audit", None)
    if grouped is not None:
        await grouped.append(principal.tenant_id, actions)
    else:
        await append(context.engine, principal.tenant_id, actions)


def _outcome(note: Note) -> tuple[Outcome, list[str]]:
    if note.error is not None:
        code = str((getattr(note.error, "extensions", None) or {}).get("code") or "INTERNAL_SERVER_ERROR")
        if code in (Outcome.FORBIDDEN, Outcome.UNAUTHENTICATED):
            return Outcome(code), [code]
        return Outcome.ERROR, [code]
    errors = getattr(note.payload, "user_errors", None) or []
    if errors:
        return Outcome.USER_ERRORS, [str(getattr(e.code, "value", e.code)) for e in errors]
    return Outcome.OK, []


def _targets(note: Note) -> list[str]:
    """The global IDs the input named and the payload returned (objects, and fields such as deletedId)."""
    found: list[str] = []
    _ids_in_input(note.args, found)
    payload = note.payload
    if is_dataclass(payload) and not isinstance(payload, type):
        for f in fields(payload):
            value = getattr(payload, f.name, None)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Node):
                    found.append(str(item.id))
                elif f.name.endswith("_id") and isinstance(item, str):
                    found.append(item)
    return list(dict.fromkeys(found))


def _ids_in_input(value: Any, found: list[str], name: str = "") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _ids_in_input(v, found, str(k))
    elif isinstance(value, list):
        for v in value:
            _ids_in_input(v, found, name)
    elif isinstance(value, str) and (name == "id" or name.endswith(("Id", "Ids"))) and parse_global(value):
        found.append(value)  # only Baton's own IDs: an externalId is the merchant's text
