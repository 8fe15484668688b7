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
