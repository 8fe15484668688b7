"""forecastAccuracyReport: how well the stored demand forecasts did in their rolling-origin backtests
(domain/forecasting/), per SKU across all locations, beside the weekly seasonal naive they must beat.

The errors are those the worker measured when it chose each SKU's method: four 14-day forecasts whose
origins are a week apart, on the SKU's real history. MASE below 1 beats the naive's in-sample error;
`beats_naive` compares with the naive's own backtest error on the same windows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from domain.analytics.periods import listed
from domain.reading import Reader

_SQL = text("""
SELECT f.sku, f.method, f.intermittent, f.history_days, f.mase, f.wape, f.naive_mase, f.naive_wape,
  f.computed_at
FROM demand_forecasts f
WHERE f.tenant_id = :tenant AND f.location_id IS NULL
ORDER BY f.mase DESC NULLS LAST, f.sku
LIMIT :limit
""")


@dataclass(frozen=True)
class SkuAccuracy:
    sku: str
    method: str
    intermittent: bool
    history_days: int
    mase: float | None  # None: too little history to backtest
    wape: float | None
    naive_mase: float | None
    naive_wape: float | None
    computed_at: datetime

    @property
    def beats_naive(self) -> bool | None:
        if self.mase is None or self.naive_mase is None:
            return None
        return self.mase < self.naive_mase


@dataclass(frozen=True)
class AccuracyReport:
    rows: list[SkuAccuracy]  # the worst first (highest MASE), unbacktested ones last

    @property
    def backtested(self) -> list[SkuAccuracy]:
        return [r for r in self.rows if r.mase is not None and r.naive_mase is not None]

    @property
    def beating_naive(self) -> int:
        return sum(1 for r in self.backtested if r.beats_naive)

    @property
    def mean_mase(self) -> float | None:
        done = self.backtested
        return sum(r.mase or 0.0 for r in done) / len(done) if done else None

    @property
    def mean_naive_mase(self) -> float | None:
        done = self.backtested
        return sum(r.naive_mase or 0.0 for r in done) / len(done) if done else None


async def report(reader: Reader, tenant_id: uuid.UUID) -> AccuracyReport:
    rows = await listed(reader, _SQL, tenant=tenant_id)
    return AccuracyReport(
        [
            SkuAccuracy(
                r.sku,
                r.method,
                r.intermittent,
                r.history_days,
                r.mase,
                r.wape,
                r.naive_mase,
                r.naive_wape,
                r.computed_at,
            )
            for r in rows
        ]
    )
