"""`baton forecast-evaluate`: the whole backtest over a seeded synthetic history (trend, weekly cycle,
promotions, intermittent SKUs), each method's accuracy on held-out days beside the weekly seasonal
naive baseline's. Exits 1 when the chosen methods do not beat it. Needs no database."""

from __future__ import annotations

import argparse
import time
from typing import Any


def cmd_forecast_evaluate(args: argparse.Namespace, settings: Any) -> int:
    started = time.perf_counter()
    import statsforecast  # noqa: F401  (timed here: the engine imports it lazily)

    from domain.forecasting import evaluate, synthetic

    imported = time.perf_counter()
    history = synthetic.history(seed=args.seed, skus=args.skus, days=args.days)
    result = evaluate.evaluate(history, holdout=args.holdout)
    done = time.perf_counter()
    print(
        f"{args.skus} SKUs, {args.days} days of history (seed {args.seed}), the last {args.holdout} "
        "held out; MASE: mean over SKUs; WAPE: pooled"
    )
    print(evaluate.report(result))
    print(f"took {done - started:.1f} s ({imported - started:.1f} s importing)")
    beaten = all(result.beats_naive(kind) for kind in result.scores)
    print("the chosen methods beat the seasonal naive" if beaten else "the seasonal naive was NOT beaten")
    return 0 if beaten else 1


def add_commands(sub: Any) -> None:
    evaluate = sub.add_parser(
        "forecast-evaluate",
        help="backtest the forecast methods on a synthetic history; exit 1 unless they beat the naive",
    )
    evaluate.add_argument("--skus", type=int, default=200, help="SKUs in the history (default: 200)")
    evaluate.add_argument("--days", type=int, default=365, help="days of history (default: 365)")
    evaluate.add_argument("--seed", type=int, default=7, help="the history's seed (default: 7)")
    evaluate.add_argument("--holdout", type=int, default=14, help="days held out and scored (default: 14)")
    evaluate.set_defaults(run=cmd_forecast_evaluate)
