"""Customer access tokens: a signed statement "this request speaks for the customer with this email,
until then", like Shopify's Multipass. The merchant's backend, which knows its signed-in customer, signs
one with the shop's customer-token secret, or asks Baton for one (customerAccessTokenCreate).

    token   = "bc1." + b64url(json) + "." + b64url(HMAC-SHA256(secret, "bc1." + b64url(json)))
    json    = {"email": "ada@example.com", "exp": <Unix seconds>}

b64url is unpadded URL-safe base64. A token whose `exp` is past, or more than MAX_TTL away, is refused:
these tokens are short-lived by construction, so a leaked one ends soon."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

VERSION = "bc1"
SECRET_PREFIX = "bcs_"
MAX_TTL = 7 * 24 * 3600
DEFAULT_TTL = 3600


@dataclass(frozen=True)
class Claims:
    email: str
    expires_at: int  # Unix seconds


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, signed: str) -> str:
    return _b64(hmac.new(secret.encode(), signed.encode(), hashlib.sha256).digest())


def sign(secret: str, email: str, expires_at: int) -> str:
    body = _b64(json.dumps({"email": email, "exp": expires_at}, separators=(",", ":")).encode())
    signed = f"{VERSION}.{body}"
    return f"{signed}.{_signature(secret, signed)}"


def looks_like(token: str) -> bool:
    return token.startswith(VERSION + ".") and len(token) < 2048


def verify(token: str, keys: list[str], now: float) -> Claims | None:
    """The claims of a token signed with any of `keys` and in force at `now`; None for anything else."""
    if not looks_like(token) or token.count(".") != 2:
        return None
    version, body, signature = token.split(".")
    signed = f"{version}.{body}"
    if not any(hmac.compare_digest(_signature(key, signed), signature) for key in keys):
        return None
    try:
        claims = json.loads(_unb64(body))
    except (ValueError, binascii.Error):
        return None
    email, exp = (claims.get("email"), claims.get("exp")) if isinstance(claims, dict) else (None, None)
    if not isinstance(email, str) or not email or type(exp) is not int:
        return None
    if not now < exp <= now + MAX_TTL:
        return None
    return Claims(email=email.strip().lower(), expires_at=exp)
