"""The Seine's sloping water line: the standard step method against Manning's normal slope on a
straight channel, and the line through Paris at the 1910 peak."""

from __future__ import annotations

import numpy as np
import pytest

from recoque.twin import water_line


def test_a_straight_channel_falls_at_mannings_slope():
    # a channel 10 cells (100 m) wide and 600 cells (6 km) long, flowing west from its east end
    river = np.zeros((30, 600), dtype=bool)
    river[10:20, :] = True
    gauge = 15 * 600 + 300   # the middle
    line = water_line.compute(river, 10.0, gauge, level_m=34.0, discharge_m3s=2000.0, bed_m=22.0,
                              mannings_n=0.03, section_m=200.0)
    depth = 12.0
    area, radius = 100.0 * depth, 100.0 * depth / (100.0 + 2 * depth)
    slope = (0.03 * 2000.0) ** 2 / (area ** 2 * radius ** (4 / 3))   # normal slope at the gauge's depth
    inner = slice(2, -2)
    fitted = -np.polyfit(line.chainage_m[inner], line.level_m[inner], 1)[0]
    assert fitted == pytest.approx(slope, rel=0.05), (fitted, slope)
    # the water falls downstream (west, low columns) and rises upstream of the gauge
    assert line.offset[15, 10] < -0.2 < 0.2 < line.offset[15, 590]
    assert line.offset[0, 0] == 0.0   # off the river: nothing


def test_the_1910_line_falls_through_paris():
    from recoque.core.settings import PROJECT_ROOT
    from recoque.territory import load_territory
    from recoque.twin import seine

    d = seine.domain(load_territory(PROJECT_ROOT / "data"), PROJECT_ROOT / "data", 60)
    line = seine.water_line(d, 8.62).report()
    assert line["upstream_m_ngf"] > 34.4 > line["downstream_m_ngf"]
    assert 0.03 < line["mean_slope_m_per_km"] < 0.5 and line["downstream_km"] > 8
