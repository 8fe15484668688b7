"""The audit log's input digest: secrets, tokens, passwords, keys and card data never count, at any depth;
the same input always gives the same digest."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from domain.audit.service import canonical, input_digest, redacted


class Colour(Enum):
    RED = "RED"


def test_fields_named_like_secrets_are_removed_at_any_depth():
    value = {
        "input": {
            "name": "desk",
            "secret": "whsec_x",
            "customerToken": "bc1.x",
            "access_token": "x",
            "Password": "x",
            "apiKey": "x",
            "cardNumber": "4111111111111111",
            "lines": [{"sku": "A", "card_cvc": "123"}],
        }
    }
    assert redacted(value) == {"input": {"name": "desk", "lines": [{"sku": "A"}]}}


def test_a_secret_changes_nothing_in_the_digest_and_anything_else_does():
    assert input_digest({"name": "a", "token": "one"}) == input_digest({"name": "a", "token": "two"})
    assert input_digest({"name": "a"}) != input_digest({"name": "b"})


def test_the_digest_does_not_depend_on_key_order_and_enums_read_as_their_values():
    assert canonical({"b": 1, "a": Colour.RED, "p": Decimal("1.50")}) == '{"a":"RED","b":1,"p":"1.50"}'
    assert input_digest({"a": 1, "b": 2}) == input_digest({"b": 2, "a": 1})
