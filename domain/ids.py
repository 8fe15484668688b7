"""Opaque global IDs: base64 of '<Type>:<uuid>'. The API and the event payloads use the same ones."""

from __future__ import annotations

import base64
import binascii
import uuid


def to_global(type_name: str, value: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{value}".encode()).decode().rstrip("=")


def parse_global(gid: str) -> tuple[str, uuid.UUID] | None:
    try:
        raw = base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode()
        type_name, _, value = raw.partition(":")
        return type_name, uuid.UUID(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
