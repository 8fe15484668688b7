"""demandForecast's types, built from the stored forecast (no resolvers on leaves)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

from domain.forecasting.queries import StoredForecast
from domain.forecasting.series import Point
from domain.ids import to_global


@strawberry.enum(description="How a demand forecast was made (domain/forecasting/methods.py)")
class ForecastMethod(Enum):
    SEASONAL_NAIVE = strawberry.enum_value("SEASONAL_NAIVE", description="The same weekday last week")
    HISTORIC_AVERAGE = strawberry.enum_value(
        "HISTORIC_AVERAGE", description="The average day: under two weeks of history"
    )
    SEASONAL_ES = strawberry.enum_value(
        "SEASONAL_ES", description="Seasonal exponential smoothing: a level per weekday"
    )
    THETA = strawberry.enum_value("THETA", description="Optimized Theta on the deseasonalised series (trend)")
    CROSTON_SBA = strawberry.enum_value(
        "CROSTON_SBA", description="Croston's method with the Syntetos-Boylan correction (intermittent)"
    )
    TSB = strawberry.enum_value(
        "TSB", description="Teunter-Syntetos-Babai: the chance of a sale decays between sales (intermittent)"
    )
    ADIDA = strawberry.enum_value(
        "ADIDA", description="Aggregated to the mean interval between sales, then smoothed (intermittent)"
    )
    IMAPA = strawberry.enum_value("IMAPA", description="ADIDA over several aggregation levels (intermittent)")


@strawberry.type(description="The forecast demand of one day, with its 80% and 95% prediction intervals")
class DemandForecastPoint:
    date: date = strawberry.field(description="The day (UTC)")
    mean: float = strawberry.field(description="Units expected to be ordered that day")
    lower80: float = strawberry.field(description="Lower bound of the 80% interval (never below 0)")
    upper80: float = strawberry.field(description="Upper bound of the 80% interval")
    lower95: float = strawberry.field(description="Lower bound of the 95% interval (never below 0)")
    upper95: float = strawberry.field(description="Upper bound of the 95% interval")

    @classmethod
    def of(cls, p: Point) -> DemandForecastPoint:
        return cls(date=p.day, mean=p.mean, lower80=p.lo80, upper80=p.hi80, lower95=p.lo95, upper95=p.hi95)


@strawberry.type(
    description="How well a method forecast this series in the rolling-origin backtest (4 origins a "
    "week apart, 14 days each): MASE scales the mean absolute error by the in-sample error of the "
    "weekly seasonal naive (below 1 beats it); WAPE is the absolute error over the units sold"
)
class ForecastAccuracy:
    mase: float = strawberry.field(description="Mean absolute scaled error of the chosen method")
    wape: float | None = strawberry.field(
        description="Weighted absolute percentage error of the chosen method (0.2 = 20%); null when "
        "the backtest windows held no demand"
    )
    naive_mase: float | None = strawberry.field(description="MASE of the weekly seasonal naive baseline")
    naive_wape: float | None = strawberry.field(description="WAPE of the weekly seasonal naive baseline")


@strawberry.type(
    description="A SKU's daily demand forecast, at one location or across all, computed by the "
    "background worker from orders (cancelled orders excluded) and served as stored"
)
class DemandForecast:
    sku: str = strawberry.field(description="The SKU forecast")
    location_id: strawberry.ID | None = strawberry.field(
        description="The location (its units allocated there); null for all locations together"
    )
    method: ForecastMethod = strawberry.field(
        description="The method with the lowest backtest MASE; SEASONAL_NAIVE or HISTORIC_AVERAGE when the "
        "history is too short to backtest"
    )
    intermittent: bool = strawberry.field(
        description="True when demand comes on fewer than about three days in four (Croston-type methods)"
    )
    history_days: int = strawberry.field(description="Days of demand history the forecast was fitted on")
    history_end: date = strawberry.field(description="The last day of history (UTC); points follow it")
    computed_at: datetime = strawberry.field(description="When the worker computed it")
    returned_units: int = strawberry.field(
        description="Units of the SKU returned over the same history, tracked apart from demand (all "
        "locations only; 0 per location)"
    )
    backtest: ForecastAccuracy | None = strawberry.field(
        description="The backtest errors; null when the history was too short to backtest"
    )
    points: list[DemandForecastPoint] = strawberry.field(
        description="One point per day from today on, as many as asked for (fewer if the stored forecast "
        "ends sooner)"
    )

    @classmethod
    def of(cls, f: StoredForecast, today: date, days: int) -> DemandForecast:
        backtest = (
            ForecastAccuracy(mase=f.mase, wape=f.wape, naive_mase=f.naive_mase, naive_wape=f.naive_wape)
            if f.mase is not None
            else None
        )
        return cls(
            sku=f.sku,
            location_id=strawberry.ID(to_global("Location", f.location_id)) if f.location_id else None,
            method=ForecastMethod(f.method),
            intermittent=f.intermittent,
            history_days=f.history_days,
            history_end=f.history_end,
            computed_at=f.computed_at,
            returned_units=f.returned_units,
            backtest=backtest,
            points=[DemandForecastPoint.of(p) for p in f.upcoming(today, days)],
        )
