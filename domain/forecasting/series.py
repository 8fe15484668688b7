"""The values the forecasting engine takes and returns: plain data, picklable, so a batch can be
computed in another process (domain/forecasting/engine.py) and stored by this one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

SEASON = 7  # days: the weekly cycle of shop demand


@dataclass(frozen=True)
class Series:
    """Daily demand of one SKU, at one location or everywhere (location None), from `start` on, one
    value per day with days without demand as 0."""

    sku: str
    location: str | None
    start: date
    values: tuple[float, ...]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=len(self.values) - 1)

    def key(self) -> tuple[str, str | None]:
        return (self.sku, self.location)


@dataclass(frozen=True)
class Point:
    """One forecast day: the mean and its 80% and 95% prediction intervals (never below 0)."""

    day: date
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float

    def as_json(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "mean": round(self.mean, 3),
            "lo80": round(self.lo80, 3),
            "hi80": round(self.hi80, 3),
            "lo95": round(self.lo95, 3),
            "hi95": round(self.hi95, 3),
        }

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> Point:
        return cls(
            date.fromisoformat(str(raw["day"])),
            *(float(str(raw[k])) for k in ("mean", "lo80", "hi80", "lo95", "hi95")),
        )


@dataclass(frozen=True)
class Accuracy:
    """A method's backtest errors on one series: MASE (against the in-sample weekly naive) and WAPE."""

    mase: float
    wape: float | None  # None when the backtest windows held no demand at all


@dataclass(frozen=True)
class Forecast:
    """The chosen method's forecast of one series, with every candidate's backtest errors (empty when
    the history is too short to backtest)."""

    sku: str
    location: str | None
    method: str
    intermittent: bool
    history_days: int
    points: tuple[Point, ...]
    errors: dict[str, Accuracy] = field(default_factory=dict)

    def key(self) -> tuple[str, str | None]:
        return (self.sku, self.location)

    @property
    def accuracy(self) -> Accuracy | None:
        return self.errors.get(self.method)
