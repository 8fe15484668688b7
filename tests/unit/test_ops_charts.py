"""The operations page's SVG charts: pure functions of their values."""

from __future__ import annotations

import re

from server.ops.charts import Band, Series, _nice_top, bar_chart, line_chart


def test_axis_tops_are_round_numbers_at_or_above_the_largest_value() -> None:
    assert [_nice_top(v) for v in (0, 0.3, 1, 7, 12, 180, 2600, 4900)] == [1, 0.5, 1, 10, 20, 200, 5000, 5000]


def test_a_line_has_a_point_per_value_and_breaks_at_gaps() -> None:
    svg = line_chart("Sales", ["a", "b", "c", "d", "e"], [Series("Net", [1.0, 2.0, None, 4.0, 5.0], "s1")])
    lines = re.findall(r'<polyline class="line s1" points="([^"]+)"', svg)
    assert [len(p.split()) for p in lines] == [2, 2]
    assert 'data-points="4"' in svg and 'viewBox="0 0 640 220"' in svg
    # the top of the axis is 5: the largest value sits on the top grid line (y = 12)
    assert lines[1].split()[-1].endswith(",12.0")


def test_a_band_is_drawn_under_its_series_and_counts_for_the_axis() -> None:
    band = Band(low=[1.0, 2.0], high=[3.0, 9.0])
    svg = line_chart("Forecast", ["a", "b"], [Series("Mean", [2.0, 4.0], "s2", band)], width=1280)
    assert svg.count('<polygon class="band s2"') == 1
    assert ">10</text>" in svg  # 9 makes the axis go to 10
    assert 'viewBox="0 0 1280 220"' in svg


def test_labels_are_escaped_and_an_empty_bar_chart_says_so() -> None:
    svg = bar_chart("Top <SKUs>", [("<script>", 3.0), ("A&B", 1.0)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "A&amp;B" in svg
    widths = [float(w) for w in re.findall(r'<rect class="bar s1" x="150" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths == [410.0, round(410 / 3, 1)]
    assert "No data" in bar_chart("Nothing", [])
