"""Global IDs in arguments: a foreign or malformed ID is simply not found."""

from __future__ import annotations

import uuid

from domain.errors import Code, DomainError
from domain.ids import parse_global, to_global

__all__ = ["local_id", "parse_global", "require_id", "to_global"]


def local_id(gid: str | None, type_name: str) -> uuid.UUID | None:
    parsed = parse_global(gid) if gid else None
    if parsed is None or parsed[0] != type_name:
        return None
    return parsed[1]


def require_id(gid: str, type_name: str, field: str = "id") -> uuid.UUID:
    """For mutation inputs: an ID that is not one of ours is a NOT_FOUND user error."""
    found = local_id(gid, type_name)
    if found is None:
        raise DomainError(Code.NOT_FOUND, f"{type_name} not found", [field])
    return found
