"""The operations page's HTML: figures in, a complete page out. Everything the browser loads comes from
/ops/assets (one stylesheet, one small script for the live events); the charts are inline SVG."""

from __future__ import annotations

import json
from collections.abc import Iterable
from html import escape

from domain.analytics.inventory import StockRow
from domain.reading import Row
from server.ops import planning
from server.ops.charts import WIDTH, Series, bar_chart, line_chart
from server.ops.figures import Figures

PERIODS = (7, 30, 90)
REFERENCES = ("number", "sku", "rmaNumber", "trackingNumber")  # what names an event's object to a person


def _layout(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/ops/assets/ops.css">'
        '<link rel="icon" href="/ops/assets/favicon.svg"></head>'
        f"<body>{body}</body></html>"
    )


def login(message: str | None = None) -> str:
    note = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    return _layout(
        "Baton operations: sign in",
        '<main class="login"><h1>Baton operations</h1>'
        "<p>Sign in with an ADMIN or STAFF API key of your shop.</p>"
        f'{note}<form method="post" action="/ops/login">'
        '<label for="key">API key</label>'
        '<input id="key" name="key" type="password" autocomplete="off" required autofocus>'
        '<button type="submit">Sign in</button></form></main>',
    )


def _kpi(label: str, value: str, note: str = "") -> str:
    extra = f"<small>{escape(note)}</small>" if note else ""
    return f'<div class="kpi"><span>{escape(label)}</span><strong>{escape(value)}</strong>{extra}</div>'


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _kpis(f: Figures) -> str:
    s, ship, back = f.sales, f.shipping, f.returned
    return (
        '<section class="kpis">'
        + "".join(
            [
                _kpi("Orders", str(s.orders), f"{s.cancelled} cancelled"),
                _kpi("Net sales", f"{f.major(s.net):,.2f} {f.currency}", f"gross {f.major(s.gross):,.2f}"),
                _kpi("Average order", f"{f.major(s.average_order_value):,.2f} {f.currency}"),
                _kpi("Shipped on time", _rate(ship.on_time_rate), f"{ship.shipments} shipments"),
                _kpi("Placement → ship", _hours(ship.to_ship_p50), f"p90 {_hours(ship.to_ship_p90)}"),
                _kpi("Ship → delivery", _hours(ship.to_deliver_p50), f"p90 {_hours(ship.to_deliver_p90)}"),
                _kpi("Backorder wait", _hours(ship.to_fill_p50), f"{ship.backordered_units_filled} filled"),
                _kpi("Return rate", _rate(back.rate), f"{back.returned} of {back.sold} units"),
                _kpi("Out of stock", str(f.stock.out_of_stock), f"{f.stock.dead_stock} SKUs of dead stock"),
            ]
        )
        + "</section>"
    )


def _card(title: str, content: str, wide: bool = False) -> str:
    css = "card wide" if wide else "card"
    return f'<section class="{css}"><h2>{escape(title)}</h2>{content}</section>'


def _cover_table(rows: Iterable[StockRow]) -> str:
    lines = "".join(
        f"<tr><td>{escape(r.sku)}</td><td>{r.on_hand}</td><td>{r.available}</td><td>{r.incoming}</td>"
        f"<td>{r.demand_per_day:.2f}</td>"
        f"<td>{'—' if r.days_of_cover is None else f'{r.days_of_cover:.1f}'}</td>"
        f"<td>{r.stockout_days:.1f}</td></tr>"
        for r in rows
    )
    if not lines:
        return '<p class="empty">No SKU sold in this period.</p>'
    head = (
        "<tr><th>SKU</th><th>On hand</th><th>Available</th><th>Incoming</th><th>Sold / day</th>"
        "<th>Days of cover</th><th>Days out of stock</th></tr>"
    )
    return f'<table class="cover"><thead>{head}</thead><tbody>{lines}</tbody></table>'


def event_item(row: Row) -> dict[str, str]:
    """One event as the page lists it (also the live stream's data): no payload beyond a reference."""
    payload = row.payload or {}
    ref = next((str(payload[k]) for k in REFERENCES if payload.get(k)), "")
    if "newStatus" in payload:
        ref += f" → {payload['newStatus']}"
    elif isinstance(payload.get("onHandDelta"), int) and "kind" in payload:
        ref += f" {payload['kind']}: onHand {payload['onHandDelta']:+d}, available {payload.get('available')}"
    return {
        "position": str(row.position),
        "type": row.type,
        "what": f"{row.aggregate_type} {ref}".strip(),
        "at": row.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
    }


def _events(rows: list[Row]) -> str:
    items = "".join(
        f'<li data-position="{e["position"]}"><time>{escape(e["at"])}</time> '
        f"<b>{escape(e['type'])}</b> {escape(e['what'])}</li>"
        for e in map(event_item, rows)
    )
    after = str(rows[0].position) if rows else "0"
    return f'<ul id="events" class="events" data-after="{after}">{items}</ul>'


def dashboard(f: Figures, days: int, role: str) -> str:
    labels = [d.date[5:] for d in f.days]
    sales = line_chart(
        f"Net sales per day ({f.currency})",
        labels,
        [Series("Net sales", [d.net for d in f.days], "s1")],
        width=2 * WIDTH,
    )
    orders = line_chart("Orders per day", labels, [Series("Orders", [float(d.orders) for d in f.days], "s2")])
    on_time = line_chart(
        "Shipped on time, per day (%)",
        labels,
        [Series("On time", [None if d.on_time_rate is None else 100 * d.on_time_rate for d in f.days], "s3")],
    )
    reasons = sorted(f.returned.by_reason.items(), key=lambda item: (-item[1], item[0]))
    periods = " ".join(
        f'<a href="/ops?days={n}"{" aria-current=page" if n == days else ""}>{n} days</a>' for n in PERIODS
    )
    header = (
        f"<header><h1>{escape(f.shop)}: operations</h1><nav>{periods}</nav>"
        f'<form method="post" action="/ops/logout"><span>{escape(role)} key</span>'
        '<button type="submit">Sign out</button></form></header>'
    )
    cards = [
        _card("Sales", sales, wide=True),
        _card("Orders", orders),
        _card("Top SKUs by units", bar_chart("Top SKUs by units", f.top_skus, css="s2")),
        _card("On-time shipping", on_time),
        _card(
            "Returns by reason", bar_chart("Returns by reason (units)", [(r, float(n)) for r, n in reasons])
        ),
        _card("Demand and forecast", planning.demand_card(f), wide=True),
        _card("Reorder now", planning.reorder_card(f), wide=True),
        _card("Stock cover", _cover_table(f.shortest_cover), wide=True),
        _card("Live events", _events(f.events), wide=True),
    ]
    body = f'{header}<main>{_kpis(f)}<div class="grid">{"".join(cards)}</div></main>'
    script = '<script src="/ops/assets/ops.js" defer></script>'
    return _layout(f"{f.shop}: operations", body + script)


def stream_data(row: Row) -> str:
    return json.dumps(event_item(row))
