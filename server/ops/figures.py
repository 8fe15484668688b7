"""What the operations page shows, read on the tenant's read path with the same report code the GraphQL
API answers salesReport, fulfillmentReport, returnsReport and inventoryReport with: one connection, one
statement per report."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.analytics import fulfillment, inventory, periods, returns, sales
from domain.analytics.periods import Grouping
from domain.catalog.queries import locations_by_ids
from domain.events import feed
from domain.forecasting import queries as forecasts
from domain.forecasting.series import Point
from domain.money import exponent
from domain.purchasing import queries as purchasing
from domain.purchasing.reordering import policy_of
from domain.purchasing.suggesting import Suggestion, suggestions
from domain.reading import Reader, Row
from domain.tenancy import queries as shops

RECENT_EVENTS = 20
TOP = 10
AHEAD = 14  # forecast days drawn after the history


@dataclass(frozen=True)
class Day:
    date: str  # YYYY-MM-DD, UTC
    orders: int
    net: float  # major units of the shop's currency
    shipments: int
    on_time_rate: float | None


@dataclass(frozen=True)
class Figures:
    shop: str
    currency: str
    days: list[Day]
    sales: sales.SalesRow
    top_skus: list[tuple[str, float]]  # (SKU, units)
    shipping: fulfillment.FulfillmentRow
    returned: returns.ReturnsRow
    stock: inventory.InventoryReport
    events: list[Row]
    demand: Demand | None  # the top SKU's, when something sold
    reorder: list[Suggestion]  # due now, most urgent first
    location_codes: dict[uuid.UUID, str]

    def major(self, minor: int) -> float:
        return minor / 10 ** exponent(self.currency)

    @property
    def shortest_cover(self) -> list[inventory.StockRow]:
        """SKUs out of stock first, then those with the fewest days of cover; dead stock last."""
        rows = [r for r in self.stock.rows if r.available <= 0 or r.days_of_cover is not None]
        return sorted(rows, key=lambda r: (r.available > 0, r.days_of_cover or 0.0, r.sku))[:TOP]


@dataclass(frozen=True)
class Demand:
    """One SKU's units per day over the period, and its stored forecast from today on (if any)."""

    sku: str
    history: list[tuple[date, int]]
    forecast: forecasts.StoredForecast | None
    ahead: list[Point]


async def _demand(reader: Reader, tenant_id: uuid.UUID, sku: str, start: datetime, end: datetime) -> Demand:
    sold = await forecasts.units_per_day(reader, tenant_id, sku, start, end)
    days = [(start + timedelta(days=n)).date() for n in range((end - start).days)]
    stored = await forecasts.stored(reader, tenant_id, sku, None)
    ahead = list(stored.upcoming(end.date(), AHEAD)) if stored else []  # from tomorrow on
    return Demand(sku, [(d, sold.get(d, 0)) for d in days], stored, ahead)


async def _reorder(reader: Reader, tenant_id: uuid.UUID, today: date) -> list[Suggestion]:
    policy = policy_of(await purchasing.settings(reader, tenant_id))
    return [s for s in await suggestions(reader, tenant_id, policy, today) if s.needs_reorder][:TOP]


def _dates(start: datetime, days: int) -> list[str]:
    return [(start + timedelta(days=n)).date().isoformat() for n in range(days)]


async def gather(reader: Reader, tenant_id: uuid.UUID, now: datetime, days: int) -> Figures:
    end = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    start = end - timedelta(days=days)
    by_day = periods.period(start, end, Grouping.DAY, "UTC")
    shop = await shops.shop(reader, tenant_id)
    daily = await sales.report(reader, tenant_id, by_day, None, None)
    by_sku = await sales.report(
        reader, tenant_id, periods.period(start, end, Grouping.SKU, "UTC"), None, None
    )
    shipped = await fulfillment.report(reader, tenant_id, by_day)
    came_back = await returns.report(reader, tenant_id, periods.period(start, end, Grouping.REASON, "UTC"))
    stock = await inventory.report(reader, tenant_id, periods.period(start, end, Grouping.SKU, "UTC"), now)
    head = await feed.head(reader, tenant_id)
    recent = await feed.after(reader, tenant_id, max(head - RECENT_EVENTS, 0), RECENT_EVENTS)
    currency = daily.currency or shop.currency
    sold = {r.key: r for r in daily.buckets}
    ships = {r.key: r for r in shipped.buckets}
    scale = 10 ** exponent(currency)
    day_rows = []
    for key in _dates(start, days):
        s, f = sold.get(key), ships.get(key)
        day_rows.append(
            Day(
                key,
                s.orders if s else 0,
                s.net / scale if s else 0.0,
                f.shipments if f else 0,
                f.on_time_rate if f else None,
            )
        )
    top = sorted(by_sku.buckets, key=lambda r: (-r.units, r.key or ""))[:TOP]
    demand = await _demand(reader, tenant_id, top[0].key, start, end) if top and top[0].key else None
    reorder = await _reorder(reader, tenant_id, now.date())
    codes = await locations_by_ids(reader, tenant_id, sorted({s.stock.location_id for s in reorder}))
    return Figures(
        shop=shop.name,
        currency=currency,
        days=day_rows,
        sales=daily.totals,
        top_skus=[(r.key or "", float(r.units)) for r in top],
        shipping=shipped.totals,
        returned=came_back.totals,
        stock=stock,
        events=list(reversed(recent)),
        demand=demand,
        reorder=reorder,
        location_codes={k: v.code for k, v in codes.items()},
    )
