"""Secrets Baton keeps (webhook signing secrets, carrier secrets, the shops' customer-token secrets) are
stored encrypted: Fernet (AES-128-CBC with HMAC-SHA256) under keys the composition root installs from
BATON_SECRET_KEY (server/secret_key.py). The first key seals; every key opens, so keys rotate: put the
new key first, run `baton secrets rotate`, then drop the old one.

A stored value reads `enc1:<token>`. A value without the prefix is from before encryption: it is read as
it is, and `baton secrets rotate` seals it. Columns of type `Sealed` do this on their own through the
ORM and Core; statements run on the raw driver call `reveal` themselves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

PREFIX = "enc1:"


class SecretKeyError(RuntimeError):
    """No key is installed, or none of them opens a stored secret."""


_fernet: MultiFernet | None = None


def install(keys: Sequence[str]) -> None:
    """The keys, newest first, each a urlsafe-base64 32-byte Fernet key."""
    global _fernet
    if not keys:
        raise SecretKeyError("At least one secret key is needed")
    try:
        _fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys])
    except ValueError as exc:
        raise SecretKeyError(
            "BATON_SECRET_KEY must be Fernet keys (32 url-safe base64-encoded bytes), comma-separated; "
            "make one with `baton secrets new-key`"
        ) from exc


def installed() -> bool:
    return _fernet is not None


def new_key() -> str:
    return Fernet.generate_key().decode()


def _keys() -> MultiFernet:
    if _fernet is None:
        raise SecretKeyError("No secret key installed: set BATON_SECRET_KEY")
    return _fernet


def sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def seal(plain: str) -> str:
    return PREFIX + _keys().encrypt(plain.encode()).decode()


def reveal(stored: str) -> str:
    """The secret itself, from its stored form (sealed, or plain from before encryption)."""
    if not sealed(stored):
        return stored
    try:
        return _keys().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken as exc:
        raise SecretKeyError(
            "A stored secret does not open with any key in BATON_SECRET_KEY: was a key dropped before "
            "`baton secrets rotate` ran?"
        ) from exc


def reseal(stored: str) -> str:
    """The stored form under the first key (also seals a plain value)."""
    return seal(reveal(stored))


class Sealed(TypeDecorator[str]):
    """A text column whose value is sealed on the way in and revealed on the way out."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else seal(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else reveal(value)
