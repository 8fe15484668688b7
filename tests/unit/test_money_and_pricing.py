from decimal import Decimal

import pytest

from domain.money import CURRENCIES, AmountError, apply_rate, to_decimal, to_minor
from domain.orders.pricing import price_order


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("19.99", "USD", 1999), ("1000", "JPY", 1000), ("1.234", "KWD", 1234), ("0", "EUR", 0)],
)
def test_amounts_become_minor_units_of_their_currency(amount, currency, minor):
    assert to_minor(amount, currency) == minor
    assert to_decimal(minor, currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("amount", "currency"), [("19.999", "USD"), ("1.5", "JPY"), ("abc", "USD"), ("NaN", "USD")]
)
def test_amounts_with_more_precision_than_the_currency_or_no_number_are_refused(amount, currency):
    with pytest.raises(AmountError):
        to_minor(amount, currency)


def test_minor_units_print_with_the_currencys_decimals():
    assert str(to_decimal(500, "USD")) == "5.00"
    assert str(to_decimal(500, "JPY")) == "500"


def test_the_currency_list_holds_real_tender_only():
    assert {"USD", "EUR", "JPY", "GBP"} <= set(CURRENCIES)
    assert "XAU" not in CURRENCIES and "XXX" not in CURRENCIES


def test_rates_round_half_up_to_a_whole_minor_unit():
    assert apply_rate(1005, 1000) == 101  # 100.5 -> 101
    assert apply_rate(1004, 1000) == 100


def test_an_order_is_priced_per_line_with_tax_on_lines_and_shipping():
    totals = price_order([(1999, 2), (500, 1)], "5.00", "USD", 825)
    assert [line.subtotal for line in totals.lines] == [3998, 500]
    assert [line.tax for line in totals.lines] == [330, 41]  # 329.835 -> 330, 41.25 -> 41
    assert totals.subtotal == 4498
    assert totals.shipping == 500
    assert totals.tax == 330 + 41 + 41  # shipping tax 41.25 -> 41
    assert totals.total == 4498 + 500 + 412
