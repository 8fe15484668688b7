"""The operations page's planning cards: one SKU's demand with its forecast and interval, and what to
reorder now. Figures in, HTML out."""

from __future__ import annotations

from html import escape

from server.ops.charts import Band, Series, line_chart
from server.ops.figures import Figures

NO_FORECAST = (
    "No forecast yet: the worker forecasts from whole days of orders (see the README's Demand "
    "forecasting), so a SKU first sold today has none until tomorrow."
)


def demand_card(f: Figures) -> str:
    d = f.demand
    if d is None:
        return '<p class="empty">Nothing sold in this period.</p>'
    labels = [day.isoformat()[5:] for day, _ in d.history] + [p.day.isoformat()[5:] for p in d.ahead]
    past, ahead = len(d.history), len(d.ahead)
    sold = Series("Ordered", [float(units) for _, units in d.history] + [None] * ahead, "s2")
    lines = [sold]
    if d.ahead:
        means: list[float | None] = [None] * past + [p.mean for p in d.ahead]
        band = Band([None] * past + [p.lo80 for p in d.ahead], [None] * past + [p.hi80 for p in d.ahead])
        lines.append(Series("Forecast (80% interval)", means, "s1", band))
    chart = line_chart(f"Units of {d.sku} per day, and the forecast", labels, lines, width=1280)
    if d.forecast is None:
        return chart + f'<p class="empty">{escape(NO_FORECAST)}</p>'
    error = "" if d.forecast.mase is None else f", backtest MASE {d.forecast.mase:.2f}"
    method = f"{d.forecast.method}{error} (the weekly naive: {d.forecast.naive_mase or 0:.2f})"
    return chart + f'<p class="note">{escape(d.sku)}: {escape(method)}</p>'


def reorder_card(f: Figures) -> str:
    if not f.reorder:
        return '<p class="empty">Nothing is at its reorder point.</p>'
    head = (
        "<tr><th>SKU</th><th>Location</th><th>Position</th><th>Reorder point</th><th>Order up to</th>"
        "<th>Order</th><th>Supplier</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{escape(s.stock.sku)}</td>"
        f"<td>{escape(f.location_codes.get(s.stock.location_id, ''))}</td>"
        f"<td>{s.stock.position}</td><td>{s.levels.reorder_point}</td><td>{s.levels.order_up_to}</td>"
        f"<td>{s.quantity}</td><td>{escape(s.source.supplier_name)}</td></tr>"
        for s in f.reorder
    )
    return f'<table class="cover reorder"><thead>{head}</thead><tbody>{rows}</tbody></table>'
