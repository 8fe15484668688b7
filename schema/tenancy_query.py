"""Reads about the calling tenant itself."""

from __future__ import annotations

import strawberry

from domain.tenancy.models import Role
from resolvers import tenancy
from resolvers.ids import to_global
from schema.connection import Connection, connection, page_request
from schema.types.tenancy import ApiKey, Shop, Viewer


@strawberry.type
class TenancyQuery:
    @strawberry.field(description="The calling tenant's settings")
    async def shop(self, info: strawberry.Info) -> Shop:
        return Shop.of(await tenancy.shop(info.context))

    @strawberry.field(description="The API key making this request, its role and shop")
    async def viewer(self, info: strawberry.Info) -> Viewer:
        principal = info.context.require()
        return Viewer(
            role=Role(principal.role),
            api_key_id=strawberry.ID(to_global("ApiKey", principal.key_id)),
            scopes=sorted(principal.scopes),
            shop=Shop.of(await tenancy.shop(info.context)),
        )

    @strawberry.field(description="The tenant's API keys, newest first. ADMIN keys.")
    async def api_keys(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        reverse: bool = False,
    ) -> Connection[ApiKey]:
        page = await tenancy.keys(info.context, page_request(first, after, last, before, reverse))
        return connection(page, ApiKey.of)
