"""The forecasting engine on a small seeded synthetic history (trend, weekly cycle, promotions,
intermittent SKUs): the methods chosen by the backtest beat the weekly seasonal naive baseline on
days they never saw, and forecasts carry sane intervals. Budget: a few seconds (the library's import
is about two)."""

from __future__ import annotations

from datetime import date, timedelta

from domain.forecasting import engine, evaluate, methods, synthetic
from domain.forecasting.series import Series


def test_the_chosen_methods_beat_the_seasonal_naive_out_of_sample():
    result = evaluate.evaluate(synthetic.history(seed=11, skus=12, days=120))
    for kind in ("smooth", "intermittent", "all"):
        assert result.beats_naive(kind), (kind, evaluate.report(result))
    assert set(result.chosen) <= set(methods.ALL)


def test_forecasts_start_after_the_history_with_nested_non_negative_intervals():
    history = synthetic.history(seed=5, skus=4, days=90, intermittent_share=0.5)
    short = Series("NEW", None, date(2026, 3, 20), (3.0, 5.0, 4.0, 6.0, 2.0, 5.0, 7.0, 4.0, 3.0, 6.0))
    found = engine.forecast([*history, short], horizon=10)
    assert len(found) == 5
    for series, forecast in zip([*history, short], found, strict=True):
        assert forecast.sku == series.sku and len(forecast.points) == 10
        assert forecast.points[0].day == series.end + timedelta(days=1)
        for p in forecast.points:
            assert 0 <= p.lo95 <= p.lo80 <= p.mean <= p.hi80 <= p.hi95
    backtested = found[:4]
    assert all(f.accuracy is not None and methods.SEASONAL_NAIVE in f.errors for f in backtested)
    assert found[4].method == methods.HISTORIC_AVERAGE and found[4].errors == {}
    assert 3 < found[4].points[0].mean < 6
