"""DateTime as strawberry reads it, less the moments that are within Python's range only in their own
time zone: "0001-01-01T00:00:00+05:00" is in the year 0 in UTC, and the first conversion to UTC (a
filter, or the database driver) would fail as an unexpected error instead of refusing the input."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import dateutil.parser
from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition


def _in_utc_range(text: str) -> datetime:
    moment = dateutil.parser.isoparse(text)
    if moment.tzinfo is not None:
        try:
            moment.astimezone(UTC)
        except OverflowError as exc:
            raise ValueError("It is out of range in UTC.") from exc
    return moment


DateTime: ScalarDefinition = dataclasses.replace(
    DateTimeDefinition,
    parse_value=wrap_parser(_in_utc_range, "DateTime"),
    description="A date and time as RFC 3339 writes it, e.g. 2026-12-04T09:30:00+00:00. Answers are "
    "always in UTC; send inputs with an offset.",
    specified_by_url="https://scalars.graphql.org/andimarek/date-time.html",
)
