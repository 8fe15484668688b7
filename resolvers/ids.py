"""Opaque global IDs: base64 of '<Type>:<uuid>'. A foreign or malformed ID is simply not found."""

from __future__ import annotations

import base64
import binascii
import uuid

from domain.errors import Code, DomainError


def to_global(type_name: str, value: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{value}".encode()).decode().rstrip("=")


def parse_global(gid: str) -> tuple[str, uuid.UUID] | None:
    try:
        raw = base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode()
        type_name, _, value = raw.partition(":")
        return type_name, uuid.UUID(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


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
