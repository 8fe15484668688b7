"""Forecast errors, pure: MASE (mean absolute scaled error) and WAPE (weighted absolute percentage
error), and the choice of a method per series from a backtest's errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.forecasting.series import SEASON, Accuracy


def naive_scale(history: Sequence[float], season: int = SEASON) -> float:
    """MASE's denominator: the in-sample mean absolute error of the seasonal naive forecast (today =
    the same weekday last week), falling back to the one-day naive, then to 1 for a flat history, so
    a series of zeros still scores."""
    for lag in (season, 1):
        diffs = [abs(history[i] - history[i - lag]) for i in range(lag, len(history))]
        if diffs and sum(diffs) > 0:
            return sum(diffs) / len(diffs)
    return 1.0


def mase(actual: Sequence[float], predicted: Sequence[float], scale: float) -> float:
    errors = [abs(a - p) for a, p in zip(actual, predicted, strict=True)]
    return sum(errors) / len(errors) / scale if errors else 0.0


def wape(actual: Sequence[float], predicted: Sequence[float]) -> float | None:
    total = sum(abs(a) for a in actual)
    if total == 0:
        return None
    return sum(abs(a - p) for a, p in zip(actual, predicted, strict=True)) / total


def best(errors: Mapping[str, Accuracy], order: Sequence[str]) -> str:
    """The method with the lowest MASE; on a tie the one listed first (the simpler one)."""
    return min(order, key=lambda m: (errors[m].mase, order.index(m)))
