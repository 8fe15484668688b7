"""The reports' types: buckets of figures, built from the domain's rows (no resolvers on leaves)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from domain.analytics.forecast_accuracy import SkuAccuracy
from domain.analytics.fulfillment import FulfillmentRow
from domain.analytics.inventory import StockRow
from domain.analytics.returns import ReturnsRow
from domain.analytics.sales import SalesRow
from domain.returns.status import ReturnReason
from schema.enums import CurrencyCode, ReturnReasonEnum
from schema.types.money import Money, money

TOTALS = "Null on the report's totals"


@strawberry.enum(description="How salesReport buckets its figures")
class SalesGrouping(Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    CHANNEL = "CHANNEL"
    SKU = "SKU"


@strawberry.enum(description="How fulfillmentReport buckets its figures")
class FulfillmentGrouping(Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    CHANNEL = "CHANNEL"
    LOCATION = "LOCATION"


@strawberry.enum(description="How returnsReport buckets its figures")
class ReturnsGrouping(Enum):
    SKU = "SKU"
    REASON = "REASON"


BUCKET_KEY = (
    "What the bucket holds: the local start date (YYYY-MM-DD) of its day, ISO week (Monday) or month "
    "in the report's time zone; or the channel, location code, SKU or return reason. " + TOTALS
)


@strawberry.type(description="Sales figures of one bucket, or of the whole report")
class SalesBucket:
    key: str | None = strawberry.field(description=BUCKET_KEY)
    orders: int = strawberry.field(
        description="Orders placed in the bucket and not cancelled (by SKU: orders holding the SKU)"
    )
    cancelled_orders: int = strawberry.field(
        description="Orders placed in the bucket that are cancelled now; they count nowhere else"
    )
    units: int = strawberry.field(description="Units ordered on those orders (by SKU: of that SKU)")
    gross: Money = strawberry.field(
        description="What those orders total, with tax and shipping (by SKU: line subtotals plus their tax)"
    )
    refunds: Money = strawberry.field(
        description="Money given back in the bucket's time (refunds created then), whatever the order's "
        "date; by SKU, the refund lines' amounts less restocking fees"
    )
    net: Money = strawberry.field(description="gross - refunds")
    average_order_value: Money = strawberry.field(
        description="gross / orders, rounded half up to the currency's minor unit; 0 without orders"
    )

    @classmethod
    def of(cls, row: SalesRow, currency: str) -> SalesBucket:
        return cls(
            key=row.key,
            orders=row.orders,
            cancelled_orders=row.cancelled,
            units=row.units,
            gross=money(row.gross, currency),
            refunds=money(row.refunds, currency),
            net=money(row.net, currency),
            average_order_value=money(row.average_order_value, currency),
        )


@strawberry.type(description="Sales over a period, in buckets and in total (see salesReport)")
class SalesReport:
    currency_code: CurrencyCode = strawberry.field(
        description="The currency of every amount; only orders in it count"
    )
    buckets: list[SalesBucket] = strawberry.field(
        description="Buckets in which something happened, in key order; none for an empty period"
    )
    totals: SalesBucket = strawberry.field(description="The whole period (key null)")


@strawberry.type(description="Fulfillment figures of one bucket, or of the whole report")
class FulfillmentBucket:
    key: str | None = strawberry.field(description=BUCKET_KEY)
    shipments: int = strawberry.field(description="Shipments created in the bucket")
    delivered: int = strawberry.field(description="Of those, the ones delivered so far")
    shipped_on_time: int = strawberry.field(
        description="Of those, the ones created no later than their fulfillment order's shipBy"
    )
    on_time_rate: float | None = strawberry.field(
        description="shippedOnTime / shipments; null without shipments"
    )
    placement_to_ship_p50_hours: float | None = strawberry.field(
        description="Median hours from the order's placement to the shipment's creation"
    )
    placement_to_ship_p90_hours: float | None = strawberry.field(
        description="90th percentile of hours from placement to shipment"
    )
    ship_to_delivery_p50_hours: float | None = strawberry.field(
        description="Median hours from the shipment's creation to its delivery (delivered ones only)"
    )
    ship_to_delivery_p90_hours: float | None = strawberry.field(
        description="90th percentile of hours from shipment to delivery (delivered ones only)"
    )

    backordered_units_filled: int = strawberry.field(
        description="Backordered units reserved by a receipt in the bucket"
    )
    backorder_fill_p50_hours: float | None = strawberry.field(
        description="Median hours from an order's placement to the filling of its backorder (per filled "
        "allocation); null without fills"
    )
    backorder_fill_p90_hours: float | None = strawberry.field(
        description="90th percentile of hours from placement to backorder filling"
    )

    @classmethod
    def of(cls, row: FulfillmentRow) -> FulfillmentBucket:
        return cls(
            key=row.key,
            shipments=row.shipments,
            delivered=row.delivered,
            shipped_on_time=row.on_time,
            on_time_rate=row.on_time_rate,
            placement_to_ship_p50_hours=row.to_ship_p50,
            placement_to_ship_p90_hours=row.to_ship_p90,
            ship_to_delivery_p50_hours=row.to_deliver_p50,
            ship_to_delivery_p90_hours=row.to_deliver_p90,
            backordered_units_filled=row.backordered_units_filled,
            backorder_fill_p50_hours=row.to_fill_p50,
            backorder_fill_p90_hours=row.to_fill_p90,
        )


@strawberry.type(description="Shipping lead times and punctuality over a period (see fulfillmentReport)")
class FulfillmentReport:
    buckets: list[FulfillmentBucket] = strawberry.field(
        description="Buckets in which something shipped or a backorder was filled, in key order"
    )
    totals: FulfillmentBucket = strawberry.field(description="The whole period (key null)")


@strawberry.type(description="Units returned for one reason")
class ReasonCount:
    reason: ReturnReasonEnum  # type: ignore[valid-type]
    units: int


@strawberry.type(description="Returns of one SKU or reason, or of the whole report")
class ReturnsBucket:
    key: str | None = strawberry.field(description=BUCKET_KEY)
    units_sold: int = strawberry.field(
        description="Units on orders placed in the period, cancelled orders aside (by reason: all of them)"
    )
    units_returned: int = strawberry.field(
        description="Of those orders' units, the ones on returns not declined or cancelled"
    )
    return_rate: float | None = strawberry.field(description="unitsReturned / unitsSold; null without sales")
    by_reason: list[ReasonCount] = strawberry.field(description="unitsReturned by reason, most first")

    @classmethod
    def of(cls, row: ReturnsRow) -> ReturnsBucket:
        reasons = sorted(row.by_reason.items(), key=lambda item: (-item[1], item[0]))
        return cls(
            key=row.key,
            units_sold=row.sold,
            units_returned=row.returned,
            return_rate=row.rate,
            by_reason=[ReasonCount(reason=ReturnReason(r), units=n) for r, n in reasons],
        )


@strawberry.type(description="Return rates over a period (see returnsReport)")
class ReturnsReport:
    buckets: list[ReturnsBucket] = strawberry.field(description="Buckets with sales or returns, in key order")
    totals: ReturnsBucket = strawberry.field(description="The whole period (key null)")


@strawberry.type(description="Stock of one SKU over the period, across every location (see inventoryReport)")
class InventoryReportRow:
    sku: str
    name: str
    on_hand: int = strawberry.field(description="Units on hand now")
    available: int = strawberry.field(description="onHand - committed now (safety stock not deducted)")
    incoming: int = strawberry.field(description="Units on their way now")
    units_ordered: int = strawberry.field(description="Units on orders placed in the period, not cancelled")
    units_shipped: int = strawberry.field(description="Units shipped in the period")
    demand_per_day: float = strawberry.field(description="unitsOrdered per day of the period (up to now)")
    days_of_cover: float | None = strawberry.field(
        description="How many days available lasts at demandPerDay; null without demand"
    )
    stockout_days: float = strawberry.field(
        description="Days (UTC) of the period, up to now, that closed with nothing sellable: onHand - "
        "committed ≤ 0 at every location together"
    )
    average_on_hand: float = strawberry.field(description="onHand averaged over the days' closing balances")
    turnover: float | None = strawberry.field(
        description="unitsShipped / averageOnHand; null when nothing was on hand"
    )
    dead_stock: bool = strawberry.field(description="Units on hand and none ordered in the period")

    @classmethod
    def of(cls, row: StockRow) -> InventoryReportRow:
        return cls(
            sku=row.sku,
            name=row.name,
            on_hand=row.on_hand,
            available=row.available,
            incoming=row.incoming,
            units_ordered=row.units_ordered,
            units_shipped=row.units_shipped,
            demand_per_day=round(row.demand_per_day, 4),
            days_of_cover=None if row.days_of_cover is None else round(row.days_of_cover, 2),
            stockout_days=row.stockout_days,
            average_on_hand=round(row.average_on_hand, 2),
            turnover=None if row.turnover is None else round(row.turnover, 4),
            dead_stock=row.dead_stock,
        )


@strawberry.type(description="Stock, cover, stockouts, turnover and dead stock per SKU (see inventoryReport)")
class InventoryReport:
    rows: list[InventoryReportRow] = strawberry.field(description="Every SKU with a stock level, by SKU")
    out_of_stock: int = strawberry.field(description="SKUs with available ≤ 0 now")
    dead_stock: int = strawberry.field(description="SKUs that are dead stock over the period")


@strawberry.type(description="One SKU's stored forecast and its backtest errors (see forecastAccuracyReport)")
class ForecastAccuracyRow:
    sku: str
    method: str = strawberry.field(description="The method chosen for it (demandForecast's method)")
    intermittent: bool = strawberry.field(description="Whether its demand is intermittent")
    history_days: int = strawberry.field(description="Days of demand the forecast was made from")
    mase: float | None = strawberry.field(
        description="The method's backtest MASE; null: too short to backtest"
    )
    wape: float | None = strawberry.field(description="The method's backtest WAPE")
    naive_mase: float | None = strawberry.field(description="The weekly seasonal naive's MASE, same windows")
    naive_wape: float | None = strawberry.field(description="The weekly seasonal naive's WAPE")
    beats_naive: bool | None = strawberry.field(description="mase < naiveMase; null without a backtest")
    computed_at: datetime = strawberry.field(description="When the worker made the forecast")

    @classmethod
    def of(cls, r: SkuAccuracy) -> ForecastAccuracyRow:
        return cls(
            sku=r.sku,
            method=r.method,
            intermittent=r.intermittent,
            history_days=r.history_days,
            mase=r.mase,
            wape=r.wape,
            naive_mase=r.naive_mase,
            naive_wape=r.naive_wape,
            beats_naive=r.beats_naive,
            computed_at=r.computed_at,
        )


@strawberry.type(
    description="How the stored demand forecasts did in their backtests (see forecastAccuracyReport)"
)
class ForecastAccuracyReport:
    rows: list[ForecastAccuracyRow] = strawberry.field(description="Per SKU, the worst (highest MASE) first")
    backtested: int = strawberry.field(description="SKUs whose forecast was backtested")
    beating_naive: int = strawberry.field(description="Of those, the ones whose method beat the naive")
    mean_mase: float | None = strawberry.field(description="Mean MASE of the backtested SKUs")
    mean_naive_mase: float | None = strawberry.field(description="Mean MASE of the naive on the same SKUs")
