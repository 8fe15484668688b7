"""demandForecast, for keys with analytics:read (ADMIN, STAFF): one cached row read, never a
computation (the worker computes, server/forecasts.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.forecasting import queries
from domain.tenancy.scopes import Scope
from resolvers.analytics import ReportInputError
from resolvers.context import Context
from resolvers.ids import local_id


async def demand_forecast(
    ctx: Context, sku: str, location_gid: str | None, days: int
) -> tuple[queries.StoredForecast, int] | None:
    """The stored forecast and how many of its days to show; None when none is stored (yet) for that
    SKU and location, or the location is not one of the shop's."""
    ctx.require(Scope.ANALYTICS_READ)
    if not 1 <= days <= queries.MAX_DAYS:
        raise ReportInputError(f"days must be between 1 and {queries.MAX_DAYS}", ["days"])
    location_id = local_id(location_gid, "Location") if location_gid else None
    if location_gid and location_id is None:
        return None
    async with ctx.reader() as reader:
        found = await queries.stored(reader, ctx.tenant_id, sku, location_id)
    return (found, days) if found else None


def today() -> datetime:
    return datetime.now(UTC)
