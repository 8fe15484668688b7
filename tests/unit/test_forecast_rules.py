"""The forecasting rules that need no library and no database: errors, the intermittent class, the
lead-time demand and which stored points a read shows."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from domain.forecasting import accuracy, methods, synthetic
from domain.forecasting.leadtime import Z95, lead_time_demand
from domain.forecasting.queries import upcoming
from domain.forecasting.series import Accuracy, Point

DAY = date(2026, 3, 2)


def _point(offset: int, mean: float, sigma: float) -> Point:
    return Point(DAY + timedelta(days=offset), mean, 0.0, mean, 0.0, mean + Z95 * sigma)


def test_mase_scales_the_error_by_the_weekly_naive_error_of_the_history():
    history = [10, 0, 0, 0, 0, 0, 0, 14, 0, 0, 0, 0, 0, 0]  # the naive is wrong by 4 once in 7 days
    scale = accuracy.naive_scale(history)
    assert scale == pytest.approx(4 / 7)
    assert accuracy.mase([3, 3], [2, 4], scale) == pytest.approx(1 / scale)


def test_a_flat_history_falls_back_to_the_daily_naive_and_then_to_one():
    assert accuracy.naive_scale([5] * 14) == 1.0
    assert accuracy.naive_scale([1, 2] * 3) == pytest.approx(1.0)  # too short for weekly; daily moves by 1


def test_wape_is_the_absolute_error_over_the_units_sold_and_none_without_sales():
    assert accuracy.wape([10, 0, 10], [8, 1, 13]) == pytest.approx(6 / 20)
    assert accuracy.wape([0, 0], [1, 1]) is None


def test_the_best_method_has_the_lowest_mase_and_a_tie_goes_to_the_simpler():
    errors = {"A": Accuracy(0.9, 0.2), "B": Accuracy(0.8, 0.3), "C": Accuracy(0.8, 0.1)}
    assert accuracy.best(errors, ["A", "B", "C"]) == "B"


def test_demand_on_fewer_than_three_days_in_four_is_intermittent():
    assert methods.is_intermittent([0, 3, 0, 0, 2, 0, 0])
    assert not methods.is_intermittent([1, 2, 3, 0, 4, 5, 6])
    assert methods.is_intermittent([0] * 10)
    assert methods.candidates([0, 0, 1] * 10) == methods.INTERMITTENT
    assert methods.SEASONAL_NAIVE in methods.SMOOTH and methods.SEASONAL_NAIVE in methods.INTERMITTENT


def test_lead_time_demand_adds_the_days_means_and_variances():
    points = [_point(i, 2.0, 1.0) for i in range(10)]
    found = lead_time_demand(points, 4)
    assert found.mean == pytest.approx(8.0)
    assert found.sigma == pytest.approx(2.0)  # sqrt(4 x 1)


def test_lead_time_past_the_forecast_repeats_its_last_week():
    points = [_point(i, 1.0, 0.0) for i in range(7)] + [_point(7 + i, 3.0, 2.0) for i in range(7)]
    found = lead_time_demand(points, 21)
    assert found.mean == pytest.approx(7 * 1 + 14 * 3)
    assert found.sigma == pytest.approx(math.sqrt(14 * 4))
    assert lead_time_demand(points, 0).mean == 0 and lead_time_demand([], 5).sigma == 0


def test_a_read_shows_the_points_from_today_on():
    points = [_point(i, float(i), 0.0) for i in range(5)]
    assert [p.mean for p in upcoming(points, DAY + timedelta(days=2), 2)] == [2.0, 3.0]
    assert upcoming(points, DAY + timedelta(days=9), 3) == ()


def test_points_survive_their_json_form():
    p = Point(DAY, 1.23456, 0.5, 2.0, 0.1, 3.0)
    again = Point.from_json(p.as_json())
    assert again.day == DAY and again.mean == pytest.approx(1.235) and again.hi95 == 3.0


def test_the_synthetic_history_is_the_same_for_the_same_seed():
    one, two = synthetic.history(seed=3, skus=6, days=60), synthetic.history(seed=3, skus=6, days=60)
    assert one == two
    assert synthetic.history(seed=4, skus=6, days=60) != one
    slow = [s for s in one if s.sku.startswith("SLOW")]
    fast = [s for s in one if s.sku.startswith("FAST")]
    assert slow and fast
    assert all(methods.is_intermittent(s.values) for s in slow)
    assert not any(methods.is_intermittent(s.values) for s in fast)
