"""The candidate methods, by name. Only names and the classification rule live here; the models
themselves are built in engine.py, which alone imports the forecasting library."""

from __future__ import annotations

from collections.abc import Sequence

SEASONAL_NAIVE = "SEASONAL_NAIVE"  # the baseline: the same weekday last week
HISTORIC_AVERAGE = "HISTORIC_AVERAGE"  # too little history for anything else
SEASONAL_ES = "SEASONAL_ES"  # seasonal exponential smoothing (a level per weekday)
THETA = "THETA"  # optimized Theta on the deseasonalised series (trend)
CROSTON_SBA = "CROSTON_SBA"  # Croston with the Syntetos-Boylan bias correction
TSB = "TSB"  # Teunter-Syntetos-Babai: demand probability decays between sales
ADIDA = "ADIDA"  # temporal aggregation to the mean interval between sales
IMAPA = "IMAPA"  # ADIDA over several aggregation levels

SMOOTH = (SEASONAL_NAIVE, SEASONAL_ES, THETA)
INTERMITTENT = (SEASONAL_NAIVE, CROSTON_SBA, TSB, ADIDA, IMAPA)
ALL = (*SMOOTH, *INTERMITTENT[1:], HISTORIC_AVERAGE)

# Syntetos-Boylan-Croston: an average interval between demands above 1.32 days makes a series
# intermittent (or lumpy), and smoothing methods then forecast it badly.
INTERMITTENT_ADI = 1.32


def is_intermittent(values: Sequence[float]) -> bool:
    nonzero = sum(1 for v in values if v > 0)
    return nonzero == 0 or len(values) / nonzero > INTERMITTENT_ADI


def candidates(values: Sequence[float]) -> tuple[str, ...]:
    """The methods backtested on a series (the baseline always among them)."""
    return INTERMITTENT if is_intermittent(values) else SMOOTH


def selectable(backtested: Sequence[str]) -> tuple[str, ...]:
    """The methods a series may be given. On intermittent demand the weekly naive repeats last week's
    few sales on the same weekdays: it wins some backtests by chance and loses out of sample (with it
    selectable, the choice scored worse than any Croston-type method alone), so there it stays the
    baseline only."""
    if tuple(backtested) == INTERMITTENT:
        return tuple(m for m in backtested if m != SEASONAL_NAIVE)
    return tuple(backtested)
