"""Masking of unexpected errors, with a request id that also appears in the server log; the schema that
logs a client's mistakes as what they are."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from asyncpg.exceptions import CharacterNotInRepertoireError, UntranslatableCharacterError
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from domain.availability import RETRY_AFTER, unavailable
from resolvers.errors import DatabaseUnavailable, PublicError
from schema.metrics import GRAPHQL_ERRORS

log = logging.getLogger("baton.graphql")


# PostgreSQL refusing a NUL; the driver refusing to encode a lone UTF-16 surrogate.
NUL_REFUSED = (CharacterNotInRepertoireError, UntranslatableCharacterError, UnicodeEncodeError)


def _refused_text(error: BaseException | None) -> bool:
    """Whether a text value that reached the database unchecked could not be stored (a NUL character,
    a lone UTF-16 surrogate)."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, NUL_REFUSED):
            return True
        error = getattr(error, "orig", None) or error.__cause__
        seen += 1
    return False


def _unexpected(error: GraphQLError) -> bool:
    """Errors from validation (no original error) and public errors reach clients as they are."""
    original = error.original_error
    return original is not None and not isinstance(original, PublicError | GraphQLError)


class MaskUnexpected(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=_unexpected, error_message="Unexpected error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if _refused_text(error.original_error):  # bad input that no check caught: nothing was written
            return GraphQLError(
                "Text may not contain NUL characters or lone UTF-16 surrogates",
                path=error.path,
                extensions={"code": "BAD_USER_INPUT"},
            )
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        if unavailable(error.original_error):  # nothing to hide, and worth retrying (logged below)
            coded = DatabaseUnavailable(RETRY_AFTER)
            return GraphQLError(coded.message, path=error.path, extensions=coded.extensions)
        log.error(
            "unexpected error in %s (request %s)",
            error.path,
            request_id,
            exc_info=error.original_error,
            extra={"request_id": request_id},
        )
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return with_codes(super()._process_errors(errors))

    def _process_result(self, result: object) -> None:
        # The same as MaskErrors', without its isinstance check against a runtime Protocol, which
        # costs more than the rest of it on an answer without errors (nearly all of them).
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]


class LoggedSchema(strawberry.Schema):
    """A client's mistake is not a server error: validation errors, BAD_USER_INPUT, FORBIDDEN and the
    other coded errors clients are sent are one INFO line each, without a traceback (strawberry logs
    every error at ERROR with one). Unexpected errors are left to MaskUnexpected, which logs them at
    ERROR with the traceback and the request id it gives the client."""

    async def execute(self, *args: Any, allowed_operation_types: Any = None, **kwargs: Any) -> Any:
        """Subscriptions run over the WebSocket only (schema.subscribe). strawberry lets a POST run one
        as if it were a query (for its multipart transport, which Baton does not offer), and every
        field then fails as a masked server error; refused here, it is strawberry's 400 instead."""
        if allowed_operation_types is not None:
            allowed_operation_types = allowed_operation_types - {OperationType.SUBSCRIPTION}
        return await super().execute(*args, allowed_operation_types=allowed_operation_types, **kwargs)  # type: ignore[misc]

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = getattr(execution_context, "context", None)
        for error in errors:
            if unavailable(error.original_error):
                GRAPHQL_ERRORS.labels(DatabaseUnavailable.code).inc()
                log.warning(
                    "database unavailable at %s: %s (request %s)",
                    error.path,
                    error.original_error,
                    getattr(context, "request_id", None),
                )
                continue
            if _unexpected(error):
                GRAPHQL_ERRORS.labels("INTERNAL_SERVER_ERROR").inc()
                continue
            code = (error.extensions or {}).get("code") or _code_of(error)
            GRAPHQL_ERRORS.labels(code).inc()
            request_id = getattr(context, "request_id", None)
            log.info(
                "client error %s at %s: %s (request %s)",
                code,
                error.path,
                error.message,
                request_id,
                extra={"code": code, "request_id": request_id},
            )


def with_codes(errors: list[GraphQLError]) -> list[GraphQLError]:
    """Every error leaves with an extensions.code, so clients can branch on it. Syntax errors never
    reach the masking extension (parsing fails before it runs), so the HTTP view calls this too."""
    for error in errors:
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": _code_of(error)}
    return errors


def _code_of(error: GraphQLError) -> str:
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable "):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


class MarkOperation(SchemaExtension):
    """Names the operation once its document is parsed, for the logs (resolvers/context.py), and tells
    the request (server/disconnects.py) that it writes, before it runs."""

    kind: str | None = None

    def on_validate(self) -> Iterator[None]:
        try:
            self.kind = self.execution_context.operation_type.value
        except Exception:  # no such operation: validation says so, and nothing will run
            self.kind = None
        context = self.execution_context.context
        if self.kind is not None and hasattr(context, "name_operation"):
            context.name_operation(self.execution_context.operation_name, self.kind)
        yield

    def on_execute(self) -> Iterator[None]:
        # From this operation's own document: a WebSocket's context is shared by its operations.
        context = self.execution_context.context
        if self.kind == "mutation" and hasattr(context, "writes"):
            context.writes = True
        yield
