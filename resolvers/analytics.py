"""Reports for keys with analytics:read (ADMIN, STAFF): arguments checked, then one read each."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import ParamSpec, TypeVar

from domain.analytics import forecast_accuracy, fulfillment, inventory, periods, returns, sales
from domain.analytics.periods import Grouping
from domain.db import utcnow
from domain.errors import DomainError
from domain.tenancy.scopes import Scope
from resolvers.context import Context
from resolvers.errors import BadInput

P = ParamSpec("P")
T = TypeVar("T")


class ReportInputError(BadInput):
    """BAD_USER_INPUT naming the argument at fault in extensions.field, as userErrors name theirs."""

    def __init__(self, message: str, field: list[str]) -> None:
        super().__init__(message)
        self.extensions = {**(self.extensions or {}), "field": field}


def _coded(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await fn(*args, **kwargs)
        except DomainError as exc:
            raise ReportInputError(exc.message, list(exc.field or [])) from exc

    return wrapper


@_coded
async def sales_report(
    ctx: Context,
    start: datetime,
    end: datetime,
    grouping: Grouping,
    time_zone: str,
    channels: Sequence[str] | None,
    currency: str | None,
) -> sales.SalesReport:
    ctx.require(Scope.ANALYTICS_READ)
    period = periods.period(start, end, grouping, time_zone)
    async with ctx.reader() as reader:
        return await sales.report(reader, ctx.tenant_id, period, channels, currency)


@_coded
async def fulfillment_report(
    ctx: Context, start: datetime, end: datetime, grouping: Grouping, time_zone: str
) -> fulfillment.FulfillmentReport:
    ctx.require(Scope.ANALYTICS_READ)
    period = periods.period(start, end, grouping, time_zone)
    async with ctx.reader() as reader:
        return await fulfillment.report(reader, ctx.tenant_id, period)


@_coded
async def returns_report(
    ctx: Context, start: datetime, end: datetime, grouping: Grouping
) -> returns.ReturnsReport:
    ctx.require(Scope.ANALYTICS_READ)
    period = periods.period(start, end, grouping, "UTC")
    async with ctx.reader() as reader:
        return await returns.report(reader, ctx.tenant_id, period)


@_coded
async def inventory_report(ctx: Context, start: datetime, end: datetime) -> inventory.InventoryReport:
    ctx.require(Scope.ANALYTICS_READ)
    period = periods.period(start, end, Grouping.SKU, "UTC")
    async with ctx.reader() as reader:
        return await inventory.report(reader, ctx.tenant_id, period, utcnow())


@_coded
async def forecast_accuracy_report(ctx: Context) -> forecast_accuracy.AccuracyReport:
    ctx.require(Scope.ANALYTICS_READ)
    async with ctx.reader() as reader:
        return await forecast_accuracy.report(reader, ctx.tenant_id)
