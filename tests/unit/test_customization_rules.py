"""Typed customization without a database: what a declaration may say, and how a line's values are
checked and priced against it."""

from __future__ import annotations

from domain.catalog.customization import Choice, Option, OptionKind, check_declared, price_line
from domain.errors import Problems

ENGRAVING = Option("Engraving", OptionKind.TEXT, price_delta="5", max_length=10, allowed_characters="ABC ")
COLOUR = Option("Colour", OptionKind.CHOICE, required=True, choices=(Choice("Red"), Choice("Gold", "12.50")))
WIDTH = Option("Width", OptionKind.NUMBER, minimum="10", maximum="20.5", price_delta="1")
WRAP = Option("Gift wrap", OptionKind.BOOLEAN, price_delta="3")
OPTIONS = (ENGRAVING, COLOUR, WIDTH, WRAP)


def priced(given: list[tuple[str, str]]) -> tuple[int, list[tuple[str, list[str]]]]:
    problems = Problems()
    delta = price_line(problems, OPTIONS, given, "USD", 2)
    return delta, [(str(e.code), e.field) for e in problems.errors]


def test_each_value_adds_its_price_in_minor_units():
    given = [("Engraving", "AB C"), ("Colour", "Gold"), ("Width", "20.5"), ("Gift wrap", "true")]
    assert priced(given) == (500 + 1250 + 100 + 300, [])
    assert priced([("Colour", "Red"), ("Gift wrap", "false")]) == (0, [])


def test_a_value_that_does_not_fit_names_its_place():
    assert priced([("Colour", "Red"), ("Engraving", "abc")])[1] == [
        ("INVALID_OPTION_VALUE", ["lines", "2", "customizations", "1", "value"])
    ]
    assert priced([("Colour", "Blue")])[1] == [
        ("INVALID_OPTION_VALUE", ["lines", "2", "customizations", "0", "value"])
    ]
    for width in ("9.99", "21", "wide", "NaN"):
        assert priced([("Colour", "Red"), ("Width", width)])[1][0][0] == "INVALID_OPTION_VALUE", width
    assert priced([("Colour", "Red"), ("Gift wrap", "yes")])[1][0][0] == "INVALID_OPTION_VALUE"
    assert priced([("Colour", "Red"), ("Engraving", "A" * 11)])[1][0][0] == "INVALID_OPTION_VALUE"


def test_unknown_repeated_and_missing_options_are_refused():
    assert priced([("Colour", "Red"), ("Monogram", "X")])[1] == [
        ("UNKNOWN_OPTION", ["lines", "2", "customizations", "1"])
    ]
    assert priced([("Engraving", "A")])[1] == [("REQUIRED", ["lines", "2", "customizations"])]
    assert ("DUPLICATE", ["lines", "2", "customizations"]) in priced([("Colour", "Red"), ("Colour", "Gold")])[
        1
    ]


def test_a_product_without_options_takes_free_form_values_at_no_charge():
    problems = Problems()
    assert price_line(problems, (), [("Note", "anything")], "USD", 0) == 0 and not problems


def test_a_declaration_is_checked_whole():
    problems = Problems()
    check_declared(
        problems,
        [
            Option("Size", OptionKind.NUMBER, minimum="5", maximum="1"),
            Option("Size", OptionKind.TEXT, max_length=0),
            Option("Colour", OptionKind.CHOICE),
            Option("Wrap", OptionKind.BOOLEAN, price_delta="0.001", choices=(Choice("x"),)),
            Option("Note", OptionKind.TEXT, price_delta="-1"),
        ],
        "USD",
    )
    found = {(str(e.code), tuple(e.field)) for e in problems.errors}
    assert found == {
        ("INVALID", ("options", "0", "minimum")),
        ("DUPLICATE", ("options", "1", "name")),
        ("INVALID", ("options", "1", "maxLength")),
        ("INVALID", ("options", "2", "choices")),
        ("INVALID_AMOUNT", ("options", "3", "priceDelta")),
        ("INVALID", ("options", "3", "choices")),
        ("INVALID_AMOUNT", ("options", "4", "priceDelta")),
    }
    fine = Problems()
    check_declared(fine, list(OPTIONS), "USD")
    assert not fine
