"""The forecasting engine: a rolling-origin backtest of every candidate method per series, then the
best method's forecast with 80% and 95% intervals. Pure computation on plain values (no database), run
by the worker in a process of its own (runner.py): the library (statsforecast, on numpy and pandas)
takes about two seconds to import, which the app never pays."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from domain.forecasting import accuracy, methods
from domain.forecasting.series import SEASON, Accuracy, Forecast, Point, Series

LEVELS = (80, 95)


@dataclass(frozen=True)
class Backtest:
    """Rolling origin: `windows` forecasts of `horizon` days, their origins `step` days apart, the last
    one ending on the last day of history."""

    horizon: int = 14
    windows: int = 4
    step: int = 7

    @property
    def needs(self) -> int:
        """Days of history a series needs to be backtested: the windows plus four weeks to fit on."""
        return self.horizon + (self.windows - 1) * self.step + 4 * SEASON


DEFAULT = Backtest()
MAX_HISTORY = 365  # days fitted on; older demand says little about the next weeks and costs time
CONFORMAL_WINDOWS = 2


def _model(name: str, horizon: int) -> Any:
    from statsforecast import models as m
    from statsforecast.utils import ConformalIntervals

    conformal = ConformalIntervals(h=horizon, n_windows=CONFORMAL_WINDOWS)
    built: dict[str, Any] = {
        methods.SEASONAL_NAIVE: lambda: m.SeasonalNaive(SEASON, alias=name),
        methods.HISTORIC_AVERAGE: lambda: m.HistoricAverage(alias=name),
        methods.SEASONAL_ES: lambda: m.SeasonalExponentialSmoothingOptimized(
            SEASON, alias=name, prediction_intervals=conformal
        ),
        methods.THETA: lambda: m.OptimizedTheta(SEASON, alias=name, prediction_intervals=conformal),
        methods.CROSTON_SBA: lambda: m.CrostonSBA(alias=name, prediction_intervals=conformal),
        methods.TSB: lambda: m.TSB(0.1, 0.1, alias=name, prediction_intervals=conformal),
        methods.ADIDA: lambda: m.ADIDA(alias=name, prediction_intervals=conformal),
        methods.IMAPA: lambda: m.IMAPA(alias=name, prediction_intervals=conformal),
    }
    return built[name]()


def _frame(series: Sequence[Series]) -> Any:
    import numpy as np
    import pandas as pd

    ids, days, values = [], [], []
    for i, s in enumerate(series):
        ids.append(np.full(len(s.values), i))
        days.append(pd.date_range(s.start, periods=len(s.values), freq="D"))
        values.append(np.asarray(s.values, dtype=float))
    if not series:
        return pd.DataFrame({"unique_id": [], "ds": [], "y": []})
    return pd.DataFrame(
        {"unique_id": np.concatenate(ids), "ds": np.concatenate(days), "y": np.concatenate(values)}
    )


def _engine(names: Sequence[str], horizon: int) -> Any:
    from statsforecast import StatsForecast

    return StatsForecast(models=[_model(n, horizon) for n in names], freq="D", n_jobs=1)


def backtest(series: Sequence[Series], names: Sequence[str], plan: Backtest) -> list[dict[str, Accuracy]]:
    """Each series' errors per method over the backtest windows (all series must be long enough)."""
    if not series:
        return []
    cv = _engine(names, plan.horizon).cross_validation(
        df=_frame(series), h=plan.horizon, n_windows=plan.windows, step_size=plan.step
    )
    by_series = dict(iter(cv.groupby("unique_id", sort=False)))
    found: list[dict[str, Accuracy]] = []
    for i, s in enumerate(series):
        rows = by_series[i]
        actual = rows["y"].tolist()
        first_cutoff = rows["cutoff"].min()
        fitted_on = [v for d, v in zip(_days(s), s.values, strict=True) if d <= first_cutoff.date()]
        scale = accuracy.naive_scale(fitted_on)
        found.append(
            {
                n: Accuracy(
                    accuracy.mase(actual, rows[n].clip(lower=0).tolist(), scale),
                    accuracy.wape(actual, rows[n].clip(lower=0).tolist()),
                )
                for n in names
            }
        )
    return found


def _days(s: Series) -> list[Any]:
    return [s.start + timedelta(days=i) for i in range(len(s.values))]


def predict(series: Sequence[Series], name: str, horizon: int) -> list[tuple[Point, ...]]:
    """The method's forecast of each series for `horizon` days after its last day, with intervals."""
    if not series:
        return []
    fc = _engine([name], horizon).forecast(df=_frame(series), h=horizon, level=list(LEVELS))
    by_series = dict(iter(fc.groupby("unique_id", sort=False)))
    out: list[tuple[Point, ...]] = []
    for i, s in enumerate(series):
        rows = by_series[i]
        points = []
        for k, raw in enumerate(rows.to_dict("records")):
            mean = max(0.0, _num(raw[name]))
            lo80, hi80, lo95, hi95 = (
                max(0.0, _num(raw.get(f"{name}-{side}-{level}"), mean))
                for level in LEVELS
                for side in ("lo", "hi")
            )
            lo80, hi80 = min(lo80, mean), max(hi80, mean)  # nested and around the mean, always
            lo95, hi95 = min(lo95, lo80), max(hi95, hi80)
            points.append(Point(s.end + timedelta(days=k + 1), mean, lo80, hi80, lo95, hi95))
        out.append(tuple(points))
    return out


def _num(value: Any, default: float = 0.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return default if number != number else number  # NaN: no interval from this method


def forecast(series: Sequence[Series], horizon: int, plan: Backtest = DEFAULT) -> list[Forecast]:
    """Backtests the candidates of each series (smooth or intermittent), picks the best by MASE and
    forecasts `horizon` days with it. A series too short to backtest gets the weekly seasonal naive
    (two weeks of history or more) or its average, without errors."""
    trimmed = [_trim(s) for s in series]
    conformal_needs = CONFORMAL_WINDOWS * horizon + 2 * SEASON
    chosen: dict[int, tuple[str, dict[str, Accuracy]]] = {}
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, s in enumerate(trimmed):
        if len(s.values) >= max(plan.needs, conformal_needs):
            groups[methods.candidates(s.values)].append(i)
        elif len(s.values) >= 2 * SEASON:
            chosen[i] = (methods.SEASONAL_NAIVE, {})
        else:
            chosen[i] = (methods.HISTORIC_AVERAGE, {})
    for names, members in groups.items():
        errors = backtest([trimmed[i] for i in members], names, plan)
        for i, e in zip(members, errors, strict=True):
            chosen[i] = (accuracy.best(e, methods.selectable(names)), e)
    by_method: dict[str, list[int]] = defaultdict(list)
    for i, (name, _) in chosen.items():
        by_method[name].append(i)
    points: dict[int, tuple[Point, ...]] = {}
    for name, members in by_method.items():
        for i, p in zip(members, predict([trimmed[i] for i in members], name, horizon), strict=True):
            points[i] = p
    return [
        Forecast(
            s.sku,
            s.location,
            chosen[i][0],
            methods.is_intermittent(s.values),
            len(s.values),
            points[i],
            chosen[i][1],
        )
        for i, s in enumerate(trimmed)
    ]


def _trim(s: Series) -> Series:
    if len(s.values) <= MAX_HISTORY:
        return s
    cut = len(s.values) - MAX_HISTORY
    return Series(s.sku, s.location, s.start + timedelta(days=cut), s.values[cut:])
