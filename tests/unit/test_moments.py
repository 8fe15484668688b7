"""One rule for a point in time, in domain/validation.py: it must say its time zone. The GraphQL DateTime
scalar reads a time sent without an offset as UTC before the domain sees it; the carriers' webhook has no
such convention, so there the domain refuses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain import validation
from domain.errors import Code, Problems, Rejected
from domain.shipping.tracking import TrackingInput, _clean
from schema.scalars import DateTime


def test_a_moment_without_a_time_zone_is_refused_by_the_domain():
    problems = Problems()
    validation.moment(problems, datetime(2026, 1, 1), "occurredAt")
    assert [(p.code, p.message, p.field) for p in problems.errors] == [
        (Code.INVALID, "occurredAt needs a time zone", ["occurredAt"])
    ]


def test_a_moment_too_far_ahead_is_refused_and_one_with_any_offset_is_kept_as_it_is():
    ahead, problems = Problems(), Problems()
    validation.moment(ahead, datetime.now(UTC) + timedelta(hours=2), "occurredAt", future=timedelta(hours=1))
    east = datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=5)))
    assert validation.moment(problems, east, "occurredAt", future=timedelta(hours=1)) is east
    assert [p.message for p in ahead.errors] == ["occurredAt is in the future"]
    assert problems.errors == []


def test_the_graphql_scalar_reads_a_time_without_an_offset_as_utc():
    assert DateTime.parse_value("2026-01-01T09:30:00") == datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    east = DateTime.parse_value("2026-01-01T09:30:00+05:00")
    assert east.utcoffset() == timedelta(hours=5)


def test_the_carrier_path_refuses_what_the_graphql_path_would_read_as_utc():
    naive = TrackingInput("IN_TRANSIT", occurred_at=datetime(2026, 1, 1))
    read_by_graphql = TrackingInput("IN_TRANSIT", occurred_at=DateTime.parse_value("2026-01-01T00:00:00"))

    with pytest.raises(Rejected) as refused:
        _clean(naive, "generic")
    assert [e.message for e in refused.value.errors] == ["occurredAt needs a time zone"]
    assert _clean(read_by_graphql, "generic")[1] == datetime(2026, 1, 1, tzinfo=UTC)
