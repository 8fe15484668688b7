"""Money as integer minor units plus an ISO 4217 currency; never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pycountry

# ISO 4217 currencies whose minor unit is not 2 digits.
_EXPONENTS = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}
# Precious metals, test and fund codes are not money a shop is paid in.
_NOT_TENDER = {
    "XAG",
    "XAU",
    "XBA",
    "XBB",
    "XBC",
    "XBD",
    "XDR",
    "XPD",
    "XPT",
    "XSU",
    "XTS",
    "XUA",
    "XXX",
}

CURRENCIES: tuple[str, ...] = tuple(
    sorted(c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in _NOT_TENDER)
)
COUNTRIES: tuple[str, ...] = tuple(sorted(c.alpha_2 for c in pycountry.countries))


def minor_unit_exceptions() -> dict[str, int]:
    """The currencies whose minor unit is not 2 digits, with theirs (for SQL that formats amounts)."""
    return dict(_EXPONENTS)


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


class AmountError(ValueError):
    pass


# The largest amount Baton takes, in minor units: 10^13 dollars or euros, still 10^11 of a currency
# with 4 decimals. Money columns are 64-bit, so sums of many such amounts fit as well.
MAX_MINOR = 10**15
MAX_DIGITS = 15


def to_minor(amount: Decimal | str, currency: str) -> int:
    """'19.99' USD -> 1999. Refuses more decimals than the currency has, non-numbers, and amounts
    beyond MAX_MINOR (checked before scaling: '1e999999' would otherwise cost the event loop minutes)."""
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError) as exc:
        raise AmountError(f"{amount!r} is not a decimal number") from exc
    if not value.is_finite():
        raise AmountError(f"{amount!r} is not a finite number")
    if value and value.adjusted() > MAX_DIGITS:
        raise AmountError(f"{amount!r} is too large")
    scaled = value.scaleb(exponent(currency))
    if abs(scaled) > MAX_MINOR:
        raise AmountError(f"{amount!r} is too large")
    if scaled != scaled.to_integral_value():
        raise AmountError(f"{currency} amounts have at most {exponent(currency)} decimal places")
    return int(scaled)


def to_decimal(minor: int, currency: str) -> Decimal:
    """1999 USD -> Decimal('19.99'); 500 USD -> Decimal('5.00'): scaling keeps the currency's places."""
    return Decimal(minor).scaleb(-exponent(currency))


def apply_rate(minor: int, rate_bps: int) -> int:
    """A rate in basis points applied to an amount, rounded half up to a whole minor unit."""
    return int((Decimal(minor) * rate_bps / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
