"""The reports' pure rules: which periods are taken, and how averages round."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.analytics.periods import Grouping, period
from domain.analytics.sales import SalesRow
from domain.errors import DomainError

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_day_report_covers_a_leap_year_but_no_more():
    assert period(START, START + timedelta(days=366), Grouping.DAY, "UTC").end == START + timedelta(days=366)
    with pytest.raises(DomainError) as refused:
        period(START, START + timedelta(days=367), Grouping.DAY, "UTC")
    assert refused.value.field == ["to"]
    assert period(START, START + timedelta(days=1000), Grouping.WEEK, "UTC")


def test_an_unknown_time_zone_is_refused_on_its_argument():
    with pytest.raises(DomainError) as refused:
        period(START, START, Grouping.DAY, "Europe/Atlantis")
    assert refused.value.field == ["timeZone"]
    assert period(START, START, Grouping.DAY, "Europe/Paris").time_zone == "Europe/Paris"


def test_a_time_without_an_offset_is_utc_and_the_end_may_not_come_first():
    naive = datetime(2026, 1, 1)
    assert period(naive, naive, Grouping.SKU, "UTC").start == START
    with pytest.raises(DomainError):
        period(START, START - timedelta(seconds=1), Grouping.SKU, "UTC")


def test_the_average_order_value_rounds_half_up_to_a_minor_unit():
    assert SalesRow(None, 3, 0, 5, 8853, 0).average_order_value == 2951  # 29.51
    assert SalesRow(None, 2, 0, 2, 3, 0).average_order_value == 2  # 1.5 -> 2
    assert SalesRow(None, 0, 0, 0, 0, 0).average_order_value == 0
