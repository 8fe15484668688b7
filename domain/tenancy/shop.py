"""The shop's settings as plain values: the shipping methods it prices (an order picks one of them) and
how long a return window may be. Low in the domain, so tenancy and every context above it share them."""

from __future__ import annotations

from enum import StrEnum

MAX_RETURN_WINDOW_DAYS = 3650


class ShippingMethod(StrEnum):
    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"
    OVERNIGHT = "OVERNIGHT"
    PICKUP = "PICKUP"
