"""The rules every report shares: which periods and groupings may be asked for, and how a bucket's key
is computed in SQL. Pure values in, values out, so unit tests cover them without a database."""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.errors import Code, DomainError
from domain.reading import Reader, Row


class Grouping(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"  # ISO weeks, starting on Monday
    MONTH = "MONTH"
    CHANNEL = "CHANNEL"
    LOCATION = "LOCATION"
    SKU = "SKU"
    REASON = "REASON"


TIME_GROUPINGS = frozenset({Grouping.DAY, Grouping.WEEK, Grouping.MONTH})
# The longest period each grouping may cover. A day bucket per day of a year is the most a chart
# shows; weeks and months cover longer trends, and the other groupings do not grow with the period.
MAX_DAYS = {Grouping.DAY: 366, Grouping.WEEK: 3 * 366, Grouping.MONTH: 5 * 366}
MAX_DAYS_OTHER = 5 * 366
# The most buckets one report returns (a shop's SKUs can outnumber what one answer should hold).
MAX_BUCKETS = 1000


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, bucketed in `time_zone` (an IANA name such as Europe/Paris)."""

    start: datetime
    end: datetime
    grouping: Grouping
    time_zone: str


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def period(start: datetime, end: datetime, grouping: Grouping, time_zone: str) -> Period:
    """The period asked for, or a DomainError naming the argument that is wrong."""
    start, end = _utc(start), _utc(end)
    if time_zone not in _zones():
        raise DomainError(
            Code.INVALID,
            f"timeZone {time_zone!r} is not an IANA time zone name (e.g. Europe/Paris)",
            ["timeZone"],
        )
    if end < start:
        raise DomainError(Code.INVALID, "to must not be before from", ["to"])
    longest = MAX_DAYS.get(grouping, MAX_DAYS_OTHER)
    if end - start > timedelta(days=longest):
        raise DomainError(
            Code.INVALID,
            f"A {grouping} report covers at most {longest} days: ask for a shorter period or a coarser "
            "grouping",
            ["to"],
        )
    return Period(start, end, grouping, time_zone)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def time_key(column: str, grouping: Grouping) -> str:
    """SQL for the bucket of a timestamptz column: the local start date, 'YYYY-MM-DD', of its day, ISO
    week or month in the period's time zone (bound as :tz). Text sorts in time order."""
    unit = {Grouping.DAY: "day", Grouping.WEEK: "week", Grouping.MONTH: "month"}[grouping]
    return f"to_char(date_trunc('{unit}', {column} AT TIME ZONE :tz), 'YYYY-MM-DD')"


def too_many(buckets: int) -> DomainError:
    return DomainError(
        Code.INVALID,
        f"This report would have more than {MAX_BUCKETS} buckets: ask for a shorter period or a coarser "
        "grouping",
        ["groupBy"],
    )


def check_grouping(report: str, grouping: Grouping, allowed: frozenset[Grouping]) -> None:
    if grouping not in allowed:
        raise DomainError(Code.INVALID, f"{report} cannot be grouped by {grouping}", ["groupBy"])


async def listed(reader: Reader, statement: Any, **params: Any) -> list[Row]:
    """A report's rows where there is no totals row (one per SKU), refused past MAX_BUCKETS."""
    rows = await reader.all(statement, limit=MAX_BUCKETS + 1, **params)
    if len(rows) > MAX_BUCKETS:
        raise too_many(len(rows))
    return rows


async def capped(reader: Reader, statement: Any, **params: Any) -> list[Row]:
    """A report's rows, totals first, refused past MAX_BUCKETS buckets: the statement is asked for the
    totals row and one bucket more than the cap, to tell that the cap was passed."""
    rows = await reader.all(statement, limit=MAX_BUCKETS + 2, **params)
    if len(rows) > MAX_BUCKETS + 1:
        raise too_many(len(rows) - 1)
    return rows
