"""Who may open the operations page: an ADMIN or STAFF key with analytics:read, typed once into the login
form and then kept in a cookie that only this page's paths receive (HttpOnly, SameSite=Strict, Secure
over HTTPS, eight hours). The key is checked again on every page and stream, through the same cache as
the API's bearer keys, so a revoked key stops working here as quickly as there."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from domain.tenancy.models import Role
from domain.tenancy.scopes import Scope
from domain.tenancy.service import Principal
from server.auth import KeyCache

COOKIE = "baton_ops"
PATH = "/ops"
MAX_AGE = 8 * 3600
MAX_FORM = 4096  # a key and a little more: the login form holds nothing else
ROLES = frozenset({Role.ADMIN, Role.STAFF})


def allowed(principal: Principal | None) -> bool:
    return principal is not None and principal.role in ROLES and principal.has(Scope.ANALYTICS_READ)


async def signed_in(connection: HTTPConnection, keys: KeyCache) -> Principal | None:
    """The principal of the cookie's key, when it may see the page."""
    secret = connection.cookies.get(COOKIE)
    if not secret or len(secret) > 200:
        return None
    principal = await keys.principal(secret)
    return principal if allowed(principal) else None


async def submitted_key(request: Request) -> str:
    """The key field of the urlencoded login form ('' when absent or too large)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            return ""
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=4)
    return (fields.get("key") or [""])[0].strip()


def keep(response: Response, request: Request, secret: str) -> None:
    response.set_cookie(
        COOKIE,
        secret,
        max_age=MAX_AGE,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def forget(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict")
