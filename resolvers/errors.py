"""Errors that may reach clients as they are; everything else is masked."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from graphql import GraphQLError

from domain.errors import DomainError

P = ParamSpec("P")
T = TypeVar("T")


class PublicError(GraphQLError):
    code = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class Unauthenticated(PublicError):
    code = "UNAUTHENTICATED"


class Forbidden(PublicError):
    code = "FORBIDDEN"


class BadInput(PublicError):
    code = "BAD_USER_INPUT"


class DatabaseUnavailable(PublicError):
    """The database refused a connection, or none came free in time (domain/availability.py): nothing
    was wrong with the request, and the same request may simply be sent again after retryAfter
    seconds (a mutation safely so with its idempotencyKey)."""

    code = "DATABASE_UNAVAILABLE"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"The database is busy or unavailable; retry in {retry_after} s")
        self.extensions = {**(self.extensions or {}), "retryAfter": retry_after}


def as_bad_input(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """For queries: a rule violation in the arguments (a bad cursor, a page too large) is a
    BAD_USER_INPUT error rather than an unexpected one."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await fn(*args, **kwargs)
        except DomainError as exc:
            raise BadInput(exc.message) from exc

    return wrapper
