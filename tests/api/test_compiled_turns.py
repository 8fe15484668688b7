"""`first` and `last` in one document (a turn, resolvers/compiled/planner.py): each request walks the
way its values say, compiled in one statement, with strawberry's answer byte for byte; both given, or a
size out of range, gets the general path's coded error from there."""

from __future__ import annotations

from tests.api.documents import place_order
from tests.api.test_compiled_reads import (  # noqa: F401  (fixtures, used by name)
    PAGE_FIELDS,
    _both,
    _compiled_once,
    _refused,
    no_compiled_read_fails,
    orders,
)

TURN = (
    "query($f: Int, $l: Int, $a: String, $b: String) "
    "{{ orders(first: $f, last: $l, after: $a, before: $b{sort}) {{ {fields} }} }}"
)
SIZES = [(2, None), (None, 2), (None, None), (0, None), (None, 0), (None, 100), (1, None)]
REFUSED = [(2, 2), (0, 0), (101, None), (None, 101), (-1, None), (None, -1), (101, 2)]


async def test_first_and_last_go_the_way_each_request_says(api, plain, shop, orders):  # noqa: F811
    await place_order(api, shop.admin, [("MUG", 1)])
    listed = "{ orders { edges { cursor } } }"
    c = [e["cursor"] for e in (await api(shop.admin, listed))["data"]["orders"]["edges"]]
    assert len(c) == 4
    for sort in ("", ", reverse: true"):
        document = TURN.format(sort=sort, fields=PAGE_FIELDS)
        assert api.app.state.view.compiled.compiled(document, None) is not None
        for first, last in SIZES:
            for after, before in ((None, None), (c[0], None), (None, c[3]), (c[0], c[3]), ("", "")):
                variables = {"f": first, "l": last, "a": after, "b": before}
                await _compiled_once(api, plain, shop, document, variables)
        for first, last in REFUSED:
            await _refused(api, plain, shop, document, {"f": first, "l": last})
        await _refused(api, plain, shop, document, {"l": 2, "b": "not-a-cursor"})


async def test_a_literal_size_beside_a_variable_one_turns_too(api, plain, shop, orders):  # noqa: F811
    document = f"query($f: Int) {{ orders(first: $f, last: 2, sortKey: NUMBER) {{ {PAGE_FIELDS} }} }}"
    await _compiled_once(api, plain, shop, document, {"f": None})
    await _refused(api, plain, shop, document, {"f": 1})
    await _refused(api, plain, shop, "{ orders(first: 2, last: 2) { nodes { id } } }", {})


async def test_two_connections_each_turn_their_own_way(api, plain, shop, orders):  # noqa: F811
    document = (
        "query($f: Int, $l: Int, $g: Int, $m: Int) { a: orders(first: $f, last: $l) { nodes { number } } "
        "b: orders(first: $g, last: $m, sortKey: TOTAL) { pageInfo { hasNextPage hasPreviousPage } "
        "nodes { number } } }"
    )
    for f, last in ((1, None), (None, 1)):
        for g, m in ((2, None), (None, 2), (None, None)):
            await _compiled_once(api, plain, shop, document, {"f": f, "l": last, "g": g, "m": m})
    await _refused(api, plain, shop, document, {"f": 1, "g": 1, "m": 1})
