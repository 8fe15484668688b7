import uuid

import pytest

from domain.errors import DomainError
from domain.pagination import decode_cursor, encode_cursor
from resolvers.ids import local_id, parse_global, to_global


def test_a_global_id_round_trips_and_names_its_type():
    key = uuid.uuid4()
    gid = to_global("Order", key)
    assert parse_global(gid) == ("Order", key)
    assert local_id(gid, "Order") == key


@pytest.mark.parametrize("gid", ["", "garbage", to_global("Product", uuid.uuid4()), "T3JkZXI6bm90LWEtdXVpZA"])
def test_a_malformed_or_foreign_type_id_is_not_an_order(gid):
    assert local_id(gid, "Order") is None


def test_a_cursor_round_trips_its_sort_value_and_id():
    key = uuid.uuid4()
    assert decode_cursor(encode_cursor("sku", "SKU-1", key), "after", "sku", str, uuid.UUID) == ("SKU-1", key)


@pytest.mark.parametrize(("sort_name", "value_type"), [("total", int), ("sku", int)])
def test_a_cursor_made_for_another_sort_key_is_refused(sort_name, value_type):
    cursor = encode_cursor("sku", "SKU-1", uuid.uuid4())
    with pytest.raises(DomainError) as refused:
        decode_cursor(cursor, "after", sort_name, value_type, uuid.UUID)
    assert refused.value.field == ["after"]


def test_a_cursor_that_is_not_ours_is_a_clear_error():
    with pytest.raises(DomainError) as refused:
        decode_cursor("bm90IGEgY3Vyc29y", "after", "sku", str, uuid.UUID)
    assert refused.value.field == ["after"]
