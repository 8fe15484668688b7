"""Demand forecasting: daily demand per SKU (and SKU x location) from order lines, forecast by the best
of several methods per series, chosen by a rolling-origin backtest, and cached for reads."""
