"""Keyset pagination for Relay connections: stable under inserts, no OFFSET scans."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, tuple_

from domain.errors import Code, DomainError
from domain.reading import Reader, Row

MAX_PAGE = 100
DEFAULT_PAGE = 20


@dataclass(frozen=True)
class PageRequest:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None
    reverse: bool = False


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    cursors: list[str]
    has_next: bool
    has_previous: bool


def encode_cursor(sort_name: str, value: Any, row_id: Any) -> str:
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    raw = json.dumps([sort_name, value, str(row_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str, field: str, sort_name: str, value_type: type, id_type: type
) -> tuple[Any, Any]:
    """The sort value and id a cursor carries; refused unless it was made for this sort key."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, value, row_id = json.loads(raw)
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["t"])
        if made_for != sort_name or not isinstance(value, value_type):
            raise ValueError("a cursor of another list or sort order")
        return value, id_type(row_id)
    except (ValueError, TypeError, KeyError) as exc:
        raise DomainError(Code.INVALID, f"{field} is not a cursor from this list", [field]) from exc


def _size(value: int | None, field: str) -> int | None:
    if value is not None and not 0 <= value <= MAX_PAGE:
        raise DomainError(Code.INVALID, f"{field} must be between 0 and {MAX_PAGE}", [field])
    return value


async def paginate(
    reader: Reader,
    stmt: Select[Any],
    sort: ColumnElement[Any],
    row_id: ColumnElement[Any],
    page: PageRequest,
    sort_name: str,
) -> Page:
    """Runs `stmt` ordered by (sort, id), one page of it, fetching one extra row to learn
    whether there is more. Cursors carry the sort value and id of their row."""
    first, last = _size(page.first, "first"), _size(page.last, "last")
    if first is not None and last is not None:
        raise DomainError(Code.INVALID, "Give first or last, not both", ["first"])
    backward = last is not None
    limit = last if backward else first
    if limit is None:
        limit = DEFAULT_PAGE
    descending = page.reverse != backward  # walking backwards flips the order
    key = tuple_(sort, row_id)
    id_type = row_id.type.python_type
    value_type = sort.type.python_type
    if page.after:
        value = decode_cursor(page.after, "after", sort_name, value_type, id_type)
        stmt = stmt.where(key < tuple_(*value) if page.reverse else key > tuple_(*value))
    if page.before:
        value = decode_cursor(page.before, "before", sort_name, value_type, id_type)
        stmt = stmt.where(key > tuple_(*value) if page.reverse else key < tuple_(*value))
    order = (sort.desc(), row_id.desc()) if descending else (sort.asc(), row_id.asc())
    rows = await reader.all(stmt.order_by(*order).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    if backward:
        rows.reverse()
    cursors = [encode_cursor(sort_name, getattr(r, sort_name), r.id) for r in rows]
    if backward:
        return Page(rows, cursors, has_next=page.before is not None, has_previous=more)
    return Page(rows, cursors, has_next=more, has_previous=page.after is not None)
