"""The scrubbing rules of customer erasure, without a database."""

from __future__ import annotations

from domain.customers.scrub import ERASED, Scrubber

SCRUB = Scrubber.of(
    "Ada@Example.com", "erased-1@invalid", "Ada", "Lovelace", "Ada Lovelace", "12 Hidden Lane", "+44 1"
)


def test_the_email_becomes_the_pseudonym_and_the_names_become_erased_in_any_case():
    assert SCRUB.text("ada@example.com") == "erased-1@invalid"
    assert (
        SCRUB.text("Order placed by ADA LOVELACE <ada@EXAMPLE.com>")
        == f"Order placed by {ERASED} <erased-1@invalid>"
    )
    assert SCRUB.text("+44 1") == ERASED


def test_json_keeps_its_keys_numbers_and_other_strings():
    payload = {
        "email": "ada@example.com",
        "total": "19.99",
        "lines": [{"sku": "TEE", "quantity": 2}],
        "shippingAddress": {"line1": "12 Hidden Lane", "city": "London"},
        "Ada": 1,
    }

    assert SCRUB.json(payload) == {
        "email": "erased-1@invalid",
        "total": "19.99",
        "lines": [{"sku": "TEE", "quantity": 2}],
        "shippingAddress": {"line1": ERASED, "city": "London"},
        "Ada": 1,
    }


def test_a_short_string_is_replaced_only_where_it_is_a_whole_value():
    short = Scrubber.of("x@y.example", "erased-2@invalid", "Al")

    assert short.text("Al") == ERASED
    assert short.text("Always ship") == "Always ship"
