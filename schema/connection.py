"""Relay cursor connections over keyset pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from domain.pagination import MAX_PAGE, Page, PageRequest

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description=f"A page of a list; at most {MAX_PAGE} items per page.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T]
    page_info: PageInfo


def page_request(
    first: int | None, after: str | None, last: int | None, before: str | None, reverse: bool = False
) -> PageRequest:
    return PageRequest(first=first, after=after, last=last, before=before, reverse=reverse)


def connection(page: Page, build: Callable[[Any], T]) -> Connection[T]:
    nodes = [build(r) for r in page.rows]
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
    )
