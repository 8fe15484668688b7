"""demandForecast: keys with analytics:read (ADMIN, STAFF). A cached read of what the forecast worker
stored (domain/forecasting/); nothing is computed on the request."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.forecasting.queries import MAX_DAYS
from resolvers import forecasting
from schema.types.forecast import DemandForecast


@strawberry.type
class ForecastQuery:
    @strawberry.field(
        description="A SKU's daily demand forecast with 80% and 95% intervals, the method the backtest "
        "chose and its errors; null until the worker has forecast the SKU (it needs a full day of "
        "orders). Keys with analytics:read (ADMIN, STAFF)."
    )
    async def demand_forecast(
        self,
        info: strawberry.Info,
        sku: Annotated[str, strawberry.argument(description="The SKU")],
        location_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="A location: the demand allocated there; all locations if null"),
        ] = None,
        days: Annotated[int, strawberry.argument(description=f"Days to return, 1 to {MAX_DAYS}")] = 28,
    ) -> DemandForecast | None:
        found = await forecasting.demand_forecast(info.context, sku, location_id, days)
        if found is None:
            return None
        stored, shown = found
        return DemandForecast.of(stored, forecasting.today().date(), shown)
