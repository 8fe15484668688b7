"""Standard Webhooks signatures: `v1,` + base64(HMAC-SHA256(secret bytes, "{id}.{timestamp}.{body}")),
with the secret shown to its owner as `whsec_` + base64 of its bytes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    content = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_in_use: list[str], message_id: str, timestamp: int, body: str) -> str:
    """One `v1,<sig>` per secret, space-separated: during a rotation receivers holding either verify."""
    return " ".join(sign(s, message_id, timestamp, body) for s in secrets_in_use)
