"""The whole evaluation on a history: for each series, the method is chosen by the rolling-origin
backtest on all but the last `holdout` days, then the chosen method and every candidate forecast
those held-out days, unseen. The summary is out of sample: choosing on the same windows that are
scored would flatter the choice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from domain.forecasting import accuracy, engine, methods
from domain.forecasting.series import Series

CHOSEN = "CHOSEN"


@dataclass(frozen=True)
class Score:
    """One method over one class of series: the mean MASE and the pooled WAPE on the holdout."""

    series: int
    mase: float
    wape: float


@dataclass(frozen=True)
class Evaluation:
    scores: dict[str, dict[str, Score]]  # class ("smooth", "intermittent", "all") → method → score
    chosen: dict[str, int]  # how often each method was chosen

    def beats_naive(self, kind: str = "all") -> bool:
        by = self.scores[kind]
        naive = by[methods.SEASONAL_NAIVE]
        return by[CHOSEN].mase < naive.mase and by[CHOSEN].wape < naive.wape


def _split(s: Series, holdout: int) -> tuple[Series, list[float]]:
    return Series(s.sku, s.location, s.start, s.values[:-holdout]), list(s.values[-holdout:])


def evaluate(
    history: Sequence[Series], holdout: int = 14, plan: engine.Backtest = engine.DEFAULT
) -> Evaluation:
    kinds = {s.key(): "intermittent" if methods.is_intermittent(s.values) else "smooth" for s in history}
    fitted, held = zip(*(_split(s, holdout) for s in history), strict=True)
    picked = {f.key(): f.method for f in engine.forecast(fitted, holdout, plan)}
    # Every candidate of the class forecasts the holdout too, to compare with the choice.
    predicted: dict[tuple[str, str | None], dict[str, list[float]]] = defaultdict(dict)
    for names in (methods.SMOOTH, methods.INTERMITTENT):
        members = [s for s in fitted if methods.candidates(s.values) == names]
        for name in names:
            for s, points in zip(members, engine.predict(members, name, holdout), strict=True):
                predicted[s.key()][name] = [p.mean for p in points]
    for s in fitted:
        mine, name = predicted[s.key()], picked[s.key()]
        if name not in mine:  # too short to backtest: the fallback method
            mine[name] = [p.mean for p in engine.predict([s], name, holdout)[0]]
        mine[CHOSEN] = mine[name]
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for s, actual in zip(fitted, held, strict=True):
        scale = accuracy.naive_scale(s.values)
        for name, guess in predicted[s.key()].items():
            for kind in (kinds[s.key()], "all"):
                acc = sums[(kind, name)]
                acc[0] += 1
                acc[1] += accuracy.mase(actual, guess, scale)
                acc[2] += sum(abs(a - g) for a, g in zip(actual, guess, strict=True))
                acc[3] += sum(actual)
    scores: dict[str, dict[str, Score]] = defaultdict(dict)
    for (kind, name), (n, mase_sum, err, total) in sums.items():
        scores[kind][name] = Score(int(n), mase_sum / n, err / total if total else 0.0)
    chosen: dict[str, int] = defaultdict(int)
    for name in picked.values():
        chosen[name] += 1
    return Evaluation(dict(scores), dict(chosen))


def report(result: Evaluation) -> str:
    """The scores as a table, each method's MASE and WAPE beside the naive baseline's."""
    lines = []
    for kind in ("smooth", "intermittent", "all"):
        by = result.scores.get(kind)
        if not by:
            continue
        naive = by[methods.SEASONAL_NAIVE]
        lines.append(f"{kind} ({naive.series} series)   MASE   WAPE   MASE vs naive")
        shown = (CHOSEN, methods.SEASONAL_NAIVE) if kind == "all" else by  # classes' methods differ
        for name in sorted(shown, key=lambda n: (n != CHOSEN, by[n].mase)):
            sc = by[name]
            lines.append(f"  {name:<16} {sc.mase:6.3f} {sc.wape:6.3f}   {sc.mase / naive.mase - 1:+6.1%}")
    lines.append("chosen: " + ", ".join(f"{n} {c}" for n, c in sorted(result.chosen.items())))
    return "\n".join(lines)
