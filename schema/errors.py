from __future__ import annotations

import strawberry

from domain.errors import Code, DomainError
from schema.enums import UserErrorCode


@strawberry.type(description="An expected failure: the request changed nothing.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["lines", "2", "quantity"]'
    )
    message: str
    code: UserErrorCode  # type: ignore[valid-type]

    @classmethod
    def of(cls, error: DomainError) -> UserError:
        return cls(field=error.field, message=error.message, code=Code(error.code))


def user_errors(errors: list[DomainError]) -> list[UserError]:
    return [UserError.of(e) for e in errors]
