"""The Seine's water line through Paris for a given discharge: the surface falls along the
river, it is not one level.

A steady one-dimensional profile by the standard step method: the river mask is cut into
sections along its course (the distance along the river from its upstream end, through the
river cells); each section is a rectangle as wide as the mask there (area / length) with the
bed at the stated depth below low water; the energy equation between neighbouring sections
(water level + velocity head, friction by Manning's formula averaged over the two sections) is
marched downstream and upstream from the one level known, the gauge at Austerlitz. What it
leaves out is said in ``seine.yaml`` (bridges' head losses, the bed's real shape, the banks the
mask counts as river).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import Transformer
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

G = 9.81


@dataclass(frozen=True)
class WaterLine:
    offset: np.ndarray        # per cell: the water line minus the level at the gauge, m (0 off the river)
    chainage_m: np.ndarray    # section centres, m downstream of the gauge (negative upstream)
    level_m: np.ndarray       # water level of each section, m NGF
    width_m: np.ndarray       # width of each section, m

    def report(self) -> dict:
        upstream, downstream = self.level_m[0], self.level_m[-1]
        length_km = (self.chainage_m[-1] - self.chainage_m[0]) / 1000.0
        return {"upstream_m_ngf": round(float(upstream), 2), "downstream_m_ngf": round(float(downstream), 2),
                "upstream_km": round(float(-self.chainage_m[0]) / 1000.0, 1),
                "downstream_km": round(float(self.chainage_m[-1]) / 1000.0, 1),
                "mean_slope_m_per_km": round(float((upstream - downstream) / length_km), 3) if length_km else 0.0,
                "median_width_m": round(float(np.median(self.width_m)), 0)}


def gauge_cell(river: np.ndarray, resolution_m: float, x0: float, y0: float, lon: float, lat: float) -> int:
    """The river cell nearest the gauge (flat index; rows run south to north from ``y0``)."""
    x, y = Transformer.from_crs(4326, 2154, always_xy=True).transform(lon, lat)
    j, i = np.nonzero(river)
    k = np.argmin((x0 + (i + 0.5) * resolution_m - x) ** 2 + (y0 + (j + 0.5) * resolution_m - y) ** 2)
    return int(j[k] * river.shape[1] + i[k])


def along(river: np.ndarray, resolution_m: float, start: int) -> np.ndarray:
    """Distance (m) from cell ``start`` to every cell through the river cells (8 neighbours);
    infinite for cells the river does not reach."""
    ny, nx = river.shape
    index = np.flatnonzero(river.ravel())
    where = -np.ones(ny * nx, dtype=np.int64)
    where[index] = np.arange(index.size)
    j, i = np.divmod(index, nx)
    rows, cols, weights = [], [], []
    for dj, di in ((0, 1), (1, 0), (1, 1), (1, -1)):
        jj, ii = j + dj, i + di
        ok = (jj >= 0) & (jj < ny) & (ii >= 0) & (ii < nx)
        ok[ok] &= river[jj[ok], ii[ok]]
        rows.append(where[index[ok]])
        cols.append(where[jj[ok] * nx + ii[ok]])
        weights.append(np.full(ok.sum(), resolution_m * np.hypot(dj, di)))
    graph = sparse.coo_matrix((np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))),
                              shape=(index.size, index.size)).tocsr()
    d = dijkstra(graph, directed=False, indices=int(where[start]))
    out = np.full(ny * nx, np.inf)
    out[index] = d
    return out.reshape(ny, nx)


def compute(river: np.ndarray, resolution_m: float, gauge: int, *, level_m: float, discharge_m3s: float,
            bed_m: float, mannings_n: float, section_m: float) -> WaterLine:
    """The water line for ``discharge_m3s`` with ``level_m`` (m NGF) at the gauge cell."""
    from_gauge = along(river, resolution_m, gauge)
    reached = np.isfinite(from_gauge)
    # upstream is where the river enters the domain: the reached cell farthest east
    j, i = np.nonzero(reached)
    entry = int(j[np.argmax(i)] * river.shape[1] + i[np.argmax(i)])
    from_entry = along(river & reached, resolution_m, entry)
    chain = from_entry - from_entry.ravel()[gauge]          # m downstream of the gauge
    bins = np.floor(chain[reached] / section_m).astype(np.int64)
    first = bins.min()
    counts = np.bincount(bins - first)
    present = counts > 0
    width = counts[present] * resolution_m ** 2 / section_m
    # the sections the domain's edge cuts short are not narrows of the river: they take the median
    cut = width < 0.75 * np.median(width)
    for k in (0, 1, -2, -1):
        if width.size > 4 and cut[k]:
            width[k] = np.median(width)
    width = np.convolve(np.pad(width, 1, mode="edge"), np.ones(3) / 3, mode="valid")   # 3-section mean
    centres = (np.flatnonzero(present) + first + 0.5) * section_m
    g = int(np.argmin(np.abs(centres)))
    levels = np.empty(centres.size)
    levels[g] = level_m

    def friction(w: float, wl: float) -> tuple[float, float]:
        depth = max(wl - bed_m, 0.1)
        area = w * depth
        radius = area / (w + 2 * depth)
        return (mannings_n * discharge_m3s) ** 2 / (area ** 2 * radius ** (4 / 3)), discharge_m3s / area

    for step in (1, -1):   # downstream, then upstream of the gauge
        k = g
        while 0 <= k + step < centres.size:
            n = k + step
            sf_k, v_k = friction(width[k], levels[k])
            energy_k = levels[k] + v_k ** 2 / (2 * G)
            distance = abs(centres[n] - centres[k])
            guess = levels[k]
            for _ in range(20):   # the level at the next section balancing the energy equation
                sf_n, v_n = friction(width[n], guess)
                loss = 0.5 * (sf_k + sf_n) * distance
                new = energy_k - step * loss - v_n ** 2 / (2 * G)
                if abs(new - guess) < 1e-4:
                    break
                guess = new
            levels[n] = new
            k = n
    section_of_cell = np.clip(np.searchsorted(centres - section_m / 2, chain, side="right") - 1, 0, centres.size - 1)
    offset = np.where(reached, levels[section_of_cell] - level_m, 0.0)
    return WaterLine(offset, centres, levels, width)
