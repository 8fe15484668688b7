"""Every mutation input converts itself to the domain's input: a `to_domain()` on the strawberry input type.
Where that conversion can refuse the input (an ID that is not one of ours is a NOT_FOUND user error), the
resolver takes the input itself and converts it inside attempt(), after checking the key's scope, so the
refusal is a userError and comes where it always has."""

from __future__ import annotations

from typing import Protocol, TypeVar

T_co = TypeVar("T_co", covariant=True)


class DomainInput(Protocol[T_co]):
    def to_domain(self) -> T_co: ...
