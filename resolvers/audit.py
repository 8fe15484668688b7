"""The audit log, for keys with audit:read (ADMIN)."""

from __future__ import annotations

import dataclasses

from domain.audit import queries
from domain.audit.queries import AuditFilter
from domain.pagination import Page, PageRequest
from domain.tenancy.scopes import Scope
from resolvers.context import Context
from resolvers.errors import BadInput, as_bad_input
from resolvers.ids import local_id


@as_bad_input
async def entries(ctx: Context, where: AuditFilter, key_gid: str | None, page: PageRequest) -> Page:
    ctx.require(Scope.AUDIT_READ)
    if key_gid is not None:
        key_id = local_id(key_gid, "ApiKey")
        if key_id is None:
            raise BadInput("keyId is not an API key's ID")
        where = dataclasses.replace(where, key_id=key_id)
    async with ctx.reader() as reader:
        return await queries.page(reader, ctx.tenant_id, where, page)
