"""Hand-made SVG charts: valid SVG, bars proportional to the data, no inline styles."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from province.charts import Series, bar_chart, line_chart, nice_max

SVG = "{http://www.w3.org/2000/svg}"


def test_axis_maximum_is_four_whole_steps_at_or_above_the_data():
    for value, top in [(0, 4), (3, 4), (5, 8), (9, 12), (39, 40), (101, 120), (343, 400), (12345, 16000)]:
        assert nice_max(value) == top
        assert top % 4 == 0 and top >= value


def test_bar_heights_are_proportional_and_stacked_bars_add_up():
    svg = bar_chart("Số phiếu", ["8h", "9h"], [Series("Lấy số", [10, 30], "#111"), Series("Đã phục vụ", [5, 0], "#222")])
    root = ET.fromstring(svg)
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    heights = {r.find(f"{SVG}title").text: float(r.get("height")) for r in bars}
    assert set(heights) == {"Lấy số: 10", "Lấy số: 30", "Đã phục vụ: 5"}  # zero bars are not drawn
    assert abs(heights["Lấy số: 30"] / heights["Lấy số: 10"] - 3) < 0.01
    assert root.find(f"{SVG}title").text == "Số phiếu"
    stacked = ET.fromstring(bar_chart("x", ["1"], [Series("a", [1], "#111"), Series("b", [3], "#222")], stacked=True))
    a, b = [r for r in stacked.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert abs(float(a.get("y")) - (float(b.get("y")) + float(b.get("height")))) < 0.2  # b sits on a
    assert "style=" not in svg


def test_line_chart_draws_one_point_per_value():
    root = ET.fromstring(line_chart("Đang chờ", ["08:00", "08:15", "08:30"],
                                    [Series("Đang chờ", [0, 4, 2], "#c05621")]))
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    points = root.find(f"{SVG}polyline").get("points").split()
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[1] < ys[2] < ys[0]  # higher value, higher on screen
