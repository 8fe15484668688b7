"""Runs a use case and turns expected failures into data, so payloads can list userErrors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from domain.errors import DomainError, Rejected

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    value: T | None = None
    errors: list[DomainError] = field(default_factory=list)


async def attempt(action: Callable[[], Awaitable[T]]) -> Outcome[T]:
    try:
        return Outcome(value=await action())
    except Rejected as exc:
        return Outcome(errors=exc.errors)
    except DomainError as exc:
        return Outcome(errors=[exc])
