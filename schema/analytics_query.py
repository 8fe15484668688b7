"""salesReport, fulfillmentReport, returnsReport: keys with analytics:read (ADMIN, STAFF).

Each report is one aggregate statement on the tenant's read path (row-level security and a tenant
filter), over [from, to). Periods are capped per grouping (domain/analytics/periods.py) and a report
holds at most MAX_BUCKETS buckets; both are refused with BAD_USER_INPUT naming the argument
(extensions.field)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.analytics.periods import MAX_BUCKETS, MAX_DAYS, MAX_DAYS_OTHER, Grouping
from domain.orders.status import SalesChannel
from resolvers import analytics
from schema.enums import CurrencyCode, SalesChannelEnum
from schema.types.analytics import (
    ForecastAccuracyReport,
    ForecastAccuracyRow,
    FulfillmentBucket,
    FulfillmentGrouping,
    FulfillmentReport,
    InventoryReport,
    InventoryReportRow,
    ReturnsBucket,
    ReturnsGrouping,
    ReturnsReport,
    SalesBucket,
    SalesGrouping,
    SalesReport,
)

FROM = "Start of the period, inclusive (a time without an offset is UTC)"
TO = "End of the period, exclusive"
ZONE = "IANA time zone in which days, weeks and months begin, e.g. Europe/Paris"
LIMITS = (
    f"A DAY report covers at most {MAX_DAYS[Grouping.DAY]} days, WEEK {MAX_DAYS[Grouping.WEEK]}, others "
    f"{MAX_DAYS[Grouping.MONTH]}; at most {MAX_BUCKETS} buckets. Keys with analytics:read (ADMIN, STAFF)."
)


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(
        description="Orders, units, gross, refunds, net and average order value per day, week, month, "
        "channel or SKU. Orders count at placement unless cancelled now (counted apart); refunds count "
        "when given. " + LIMITS
    )
    async def sales_report(
        self,
        info: strawberry.Info,
        start: Annotated[datetime, strawberry.argument(name="from", description=FROM)],
        end: Annotated[datetime, strawberry.argument(name="to", description=TO)],
        group_by: Annotated[SalesGrouping, strawberry.argument(description="The buckets")],
        time_zone: Annotated[str, strawberry.argument(description=ZONE)] = "UTC",
        channel: Annotated[
            list[SalesChannelEnum] | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only orders from these channels"),
        ] = None,
        currency: Annotated[
            CurrencyCode | None,
            strawberry.argument(description="Only orders in this currency; the shop's by default"),
        ] = None,
    ) -> SalesReport:
        channels = sorted({SalesChannel(c) for c in channel}) if channel else None
        code = currency.value if currency else None
        found = await analytics.sales_report(
            info.context, start, end, Grouping(group_by.value), time_zone, channels, code
        )
        return SalesReport(
            currency_code=CurrencyCode[found.currency],
            buckets=[SalesBucket.of(r, found.currency) for r in found.buckets],
            totals=SalesBucket.of(found.totals, found.currency),
        )

    @strawberry.field(
        description="Shipments per day, week, month, channel or location: placement → ship and ship → "
        "delivery lead times (p50/p90, hours), the on-time rate against shipBy, and how long backorders "
        "waited for stock. " + LIMITS
    )
    async def fulfillment_report(
        self,
        info: strawberry.Info,
        start: Annotated[datetime, strawberry.argument(name="from", description=FROM)],
        end: Annotated[datetime, strawberry.argument(name="to", description=TO)],
        group_by: Annotated[FulfillmentGrouping, strawberry.argument(description="The buckets")],
        time_zone: Annotated[str, strawberry.argument(description=ZONE)] = "UTC",
    ) -> FulfillmentReport:
        found = await analytics.fulfillment_report(
            info.context, start, end, Grouping(group_by.value), time_zone
        )
        return FulfillmentReport(
            buckets=[FulfillmentBucket.of(r) for r in found.buckets],
            totals=FulfillmentBucket.of(found.totals),
        )

    @strawberry.field(
        description="Of the units sold on orders placed in the period, how many came back (returns not "
        "declined or cancelled), by SKU or by reason. " + LIMITS
    )
    async def returns_report(
        self,
        info: strawberry.Info,
        start: Annotated[datetime, strawberry.argument(name="from", description=FROM)],
        end: Annotated[datetime, strawberry.argument(name="to", description=TO)],
        group_by: Annotated[ReturnsGrouping, strawberry.argument(description="The buckets")],
    ) -> ReturnsReport:
        found = await analytics.returns_report(info.context, start, end, Grouping(group_by.value))
        return ReturnsReport(
            buckets=[ReturnsBucket.of(r) for r in found.buckets], totals=ReturnsBucket.of(found.totals)
        )

    @strawberry.field(
        description="Per SKU across every location: stock now, demand and shipments in the period, days of "
        "cover at that demand, days out of stock, average onHand, turnover and dead stock. Past balances "
        f"come from the movement ledger. At most {MAX_DAYS_OTHER} days and {MAX_BUCKETS} SKUs. Keys with "
        "analytics:read (ADMIN, STAFF)."
    )
    async def inventory_report(
        self,
        info: strawberry.Info,
        start: Annotated[datetime, strawberry.argument(name="from", description=FROM)],
        end: Annotated[datetime, strawberry.argument(name="to", description=TO)],
    ) -> InventoryReport:
        found = await analytics.inventory_report(info.context, start, end)
        return InventoryReport(
            rows=[InventoryReportRow.of(r) for r in found.rows],
            out_of_stock=found.out_of_stock,
            dead_stock=found.dead_stock,
        )

    @strawberry.field(
        description="Per SKU, the stored demand forecast's method and its rolling-origin backtest errors "
        "(MASE, WAPE) beside the weekly seasonal naive's on the same windows, the worst first; and how many "
        "beat the naive. Keys with analytics:read (ADMIN, STAFF)."
    )
    async def forecast_accuracy_report(self, info: strawberry.Info) -> ForecastAccuracyReport:
        found = await analytics.forecast_accuracy_report(info.context)
        return ForecastAccuracyReport(
            rows=[ForecastAccuracyRow.of(r) for r in found.rows],
            backtested=len(found.backtested),
            beating_naive=found.beating_naive,
            mean_mase=None if found.mean_mase is None else round(found.mean_mase, 4),
            mean_naive_mase=None if found.mean_naive_mase is None else round(found.mean_naive_mase, 4),
        )
