"""DateTime as strawberry reads it, with two rules of the API's own. A moment sent without an offset is
UTC: this is the one place that says so, for every DateTime argument (the domain itself refuses a moment
without a time zone, as the carriers' webhook, which has no such convention, shows). And moments that are
within Python's range only in their own time zone are refused: "0001-01-01T00:00:00+05:00" is in the year 0
in UTC, and the first conversion to UTC (a filter, or the database driver) would fail as an unexpected
error instead of refusing the input."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import dateutil.parser
from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition


def _in_utc_range(text: str) -> datetime:
    moment = dateutil.parser.isoparse(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
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
