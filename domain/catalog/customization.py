"""Typed customization: the options a product declares (engraving text, a colour to choose, a size in
centimetres, gift wrap or not), how an order line's values are checked against them, and what they add
to the line's unit price.

A product without declared options takes free-form `{name, value}` pairs as before; once it declares
any, a line's values must match them: no unknown names, every required option given, each value of
its kind. Prices are decimal strings in the product's currency, as the API sends them, and become
minor units when an order is priced, so that a later change of the product's currency is checked
then instead of silently rescaling stored amounts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from domain.errors import Code, Problems
from domain.money import AmountError, to_minor

MAX_OPTIONS = 20
MAX_CHOICES = 50
MAX_TEXT = 500  # the longest value a line may carry, whatever an option allows
TRUE, FALSE = "true", "false"


class OptionKind(StrEnum):
    TEXT = "TEXT"
    CHOICE = "CHOICE"
    NUMBER = "NUMBER"
    BOOLEAN = "BOOLEAN"


@dataclass(frozen=True)
class Choice:
    value: str
    price_delta: str = "0"


@dataclass(frozen=True)
class Option:
    name: str
    kind: OptionKind
    required: bool = False
    # What the option adds to the unit price when given (BOOLEAN: when "true"); CHOICE prices each value.
    price_delta: str = "0"
    max_length: int | None = None  # TEXT
    allowed_characters: str | None = None  # TEXT: every character of the value must be one of these
    choices: tuple[Choice, ...] = field(default_factory=tuple)  # CHOICE
    minimum: str | None = None  # NUMBER, inclusive
    maximum: str | None = None  # NUMBER, inclusive

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Option:
        choices = tuple(Choice(**c) for c in raw.get("choices") or ())
        return cls(**{**raw, "kind": OptionKind(raw["kind"]), "choices": choices})


def options_of(raw: list[dict[str, Any]] | None) -> tuple[Option, ...]:
    return tuple(Option.from_json(o) for o in raw or ())


def check_declared(problems: Problems, options: list[Option], currency: str) -> None:
    """A product's declaration: unique names, the settings each kind uses and no others, prices that
    are amounts of the product's currency, ranges that are ranges."""
    if len(options) > MAX_OPTIONS:
        problems.add(Code.INVALID, f"A product has at most {MAX_OPTIONS} options", "options")
    seen: set[str] = set()
    for i, o in enumerate(options):
        at = ("options", i)
        if not o.name.strip() or len(o.name) > 64:
            problems.add(Code.INVALID, "An option needs a name of 64 characters at most", *at, "name")
        elif o.name in seen:
            problems.add(Code.DUPLICATE, f"Two options are called {o.name!r}", *at, "name")
        seen.add(o.name)
        _amount(problems, o.price_delta, currency, *at, "priceDelta")
        if o.kind != OptionKind.TEXT and (o.max_length is not None or o.allowed_characters is not None):
            problems.add(Code.INVALID, "maxLength and allowedCharacters are for TEXT options", *at, "kind")
        if o.kind == OptionKind.TEXT and o.max_length is not None and not 1 <= o.max_length <= MAX_TEXT:
            problems.add(Code.INVALID, f"maxLength must be between 1 and {MAX_TEXT}", *at, "maxLength")
        if o.kind != OptionKind.CHOICE and o.choices:
            problems.add(Code.INVALID, "choices are for CHOICE options", *at, "choices")
        if o.kind == OptionKind.CHOICE:
            _check_choices(problems, o, currency, at)
        if o.kind != OptionKind.NUMBER and (o.minimum is not None or o.maximum is not None):
            problems.add(Code.INVALID, "minimum and maximum are for NUMBER options", *at, "kind")
        low, high = _number(o.minimum), _number(o.maximum)
        if (o.minimum is not None and low is None) or (o.maximum is not None and high is None):
            problems.add(Code.INVALID, "minimum and maximum must be numbers", *at, "minimum")
        elif low is not None and high is not None and low > high:
            problems.add(Code.INVALID, "minimum is above maximum", *at, "minimum")


def _check_choices(problems: Problems, o: Option, currency: str, at: tuple[str | int, ...]) -> None:
    if not 1 <= len(o.choices) <= MAX_CHOICES:
        problems.add(Code.INVALID, f"A CHOICE option has 1 to {MAX_CHOICES} choices", *at, "choices")
    values = [c.value for c in o.choices]
    if len(set(values)) != len(values):
        problems.add(Code.DUPLICATE, "A choice is listed twice", *at, "choices")
    for j, c in enumerate(o.choices):
        if not c.value or len(c.value) > 200:
            problems.add(Code.INVALID, "A choice is 1 to 200 characters", *at, "choices", j, "value")
        _amount(problems, c.price_delta, currency, *at, "choices", j, "priceDelta")


def price_line(
    problems: Problems, options: tuple[Option, ...], given: list[tuple[str, str]], currency: str, line: int
) -> int:
    """What a line's customizations add to its unit price, in minor units; each value that does not fit
    the product's options is a problem at lines[line].customizations[j]. Without declared options the
    values are free-form and add nothing."""
    if not options:
        return 0
    by_name = {o.name: o for o in options}
    delta = 0
    for j, (name, value) in enumerate(given):
        at = ("lines", line, "customizations", j)
        option = by_name.get(name.strip())
        if option is None:
            known = ", ".join(sorted(by_name))
            problems.add(Code.UNKNOWN_OPTION, f"No option {name!r} on this product (it has {known})", *at)
            continue
        if _fits(problems, option, value, at):
            delta += _delta(problems, option, value, currency, at)
    named = {name.strip() for name, _ in given}
    if len(named) != len(given):
        problems.add(Code.DUPLICATE, "An option is given twice", "lines", line, "customizations")
    for option in options:
        if option.required and option.name not in named:
            problems.add(
                Code.REQUIRED, f"The option {option.name!r} is required", "lines", line, "customizations"
            )
    return delta


def _fits(problems: Problems, o: Option, value: str, at: tuple[str | int, ...]) -> bool:
    reason = None
    if o.kind == OptionKind.TEXT:
        if o.max_length is not None and len(value) > o.max_length:
            reason = f"at most {o.max_length} characters"
        elif o.allowed_characters is not None and any(ch not in o.allowed_characters for ch in value):
            reason = f"only the characters {o.allowed_characters!r}"
    elif o.kind == OptionKind.CHOICE and value not in {c.value for c in o.choices}:
        reason = "one of " + ", ".join(repr(c.value) for c in o.choices)
    elif o.kind == OptionKind.BOOLEAN and value not in (TRUE, FALSE):
        reason = '"true" or "false"'
    elif o.kind == OptionKind.NUMBER:
        number, low, high = _number(value), _number(o.minimum), _number(o.maximum)
        if number is None or (low is not None and number < low) or (high is not None and number > high):
            reason = f"a number from {o.minimum or '…'} to {o.maximum or '…'}"
    if reason is not None:
        problems.add(Code.INVALID_OPTION_VALUE, f"{o.name!r} takes {reason}", *at, "value")
    return reason is None


def _delta(problems: Problems, o: Option, value: str, currency: str, at: tuple[str | int, ...]) -> int:
    if o.kind == OptionKind.CHOICE:
        price = next(c.price_delta for c in o.choices if c.value == value)
    elif o.kind == OptionKind.BOOLEAN and value == FALSE:
        return 0
    else:
        price = o.price_delta
    return _amount(problems, price, currency, *at)


def _amount(problems: Problems, amount: str, currency: str, *at: str | int) -> int:
    try:
        minor = to_minor(amount, currency)
    except AmountError as exc:
        problems.add(Code.INVALID_AMOUNT, f"Price delta: {exc}", *at)
        return 0
    if minor < 0:
        problems.add(Code.INVALID_AMOUNT, "A price delta is not negative", *at)
    return minor


def _number(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
