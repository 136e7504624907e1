"""Flood throughput against Landlab's OverlandFlow (de Almeida et al. 2012 in both), same grid,
same scenario, side by side in this run (issue 7: target ≥ 10× on CPU).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_flood.py``); needs ``pip install
.[bench]`` (Landlab 2.9.2, the last release for Python 3.11).

Grid: the bundled Copernicus GLO-30 surface model of Paris reprojected to Lambert-93 at 30 m
(a window of ROWS × COLS cells around the centre), closed edges, Manning n = 0.03, θ = 0.8,
α = 0.7. Scenario: a 2 m block of water (600 m × 600 m) released at the centre, SIM_S simulated
seconds. Both pick their own stable step with the same α, so the step counts are close; the
measure is cell updates per second (cells × steps / wall time), with Recoque's numba kernels warm
(compiled once before timing) and the maximum depths of the two compared.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def scenario(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray, float]:
    from recoque.twin.terrain import surface_model

    dx = 30.0
    z = surface_model(ROOT / "data", dx)
    y0, x0 = (z.shape[0] - rows) // 2, (z.shape[1] - cols) // 2
    z = z[y0:y0 + rows, x0:x0 + cols].copy()
    h = np.zeros_like(z)
    cy, cx, half = rows // 2, cols // 2, 10
    h[cy - half:cy + half, cx - half:cx + half] = 2.0
    return z, h, dx


def run_recoque(z, h, dx, sim_s) -> tuple[float, int, np.ndarray, float]:
    from recoque.twin.contract import make_grid
    from recoque.twin.flood import Flood, FloodParameters

    params = FloodParameters(mannings_n=0.03, theta=0.8, alpha=0.7)
    warm = make_grid((8, 8), dx, topographic__elevation=(z[:8, :8].copy(), "m"),
                     surface_water__depth=(np.full((8, 8), 0.5), "m"))
    Flood(warm, params).run_one_step(10.0)   # compile the kernels (numba), not timed
    grid = make_grid(z.shape, dx, topographic__elevation=(z.copy(), "m"), surface_water__depth=(h.copy(), "m"))
    model = Flood(grid, params)
    t = time.perf_counter()
    model.run_one_step(sim_s)
    wall = time.perf_counter() - t
    return wall, model.cell_updates, model.max_depth.copy(), model.mass_error()


def run_landlab(z, h, dx, sim_s) -> tuple[float, int, np.ndarray, float]:
    from landlab import RasterModelGrid
    from landlab.components import OverlandFlow

    grid = RasterModelGrid(z.shape, xy_spacing=dx)
    grid.add_field("topographic__elevation", z.ravel().copy(), at="node")
    grid.add_field("surface_water__depth", h.ravel().copy() + 1e-5, at="node")
    grid.set_closed_boundaries_at_grid_edges(True, True, True, True)
    # steep_slopes=True: without it Landlab's run on this terrain ends in NaN (tried)
    of = OverlandFlow(grid, mannings_n=0.03, theta=0.8, alpha=0.7, steep_slopes=True)
    depth = grid.at_node["surface_water__depth"]
    peak = depth.copy()
    elapsed, steps = 0.0, 0
    t = time.perf_counter()
    while elapsed < sim_s:
        of.dt = min(of.calc_time_step(), sim_s - elapsed)
        of.overland_flow(dt=of.dt)
        np.maximum(peak, depth, out=peak)
        elapsed += of.dt
        steps += 1
    wall = time.perf_counter() - t
    start = h.sum() * dx * dx
    mass = abs((depth.sum() - 1e-5 * depth.size) * dx * dx - start) / start   # its thin initial layer aside
    return wall, steps * grid.number_of_core_nodes, peak.reshape(z.shape), mass


def long_run_estimate(resolution_m: float, sim_hours: float) -> None:
    """The 1910 target (10 m, 10 simulated days ≤ 10 min): run the 1910 stage over the whole Paris
    box at ``resolution_m`` for ``sim_hours`` and extrapolate the measured wall time per simulated
    hour to 240 h (the stable step is set by the deepest water, the river, so it stays about the
    same through the flood)."""
    from recoque.territory import load_territory
    from recoque.twin import seine

    d = seine.domain(load_territory(ROOT / "data"), ROOT / "data", resolution_m)
    t = time.perf_counter()
    r = seine.run_stage(d, 8.62, sim_hours)
    wall = time.perf_counter() - t
    per_hour = wall / sim_hours
    print(f"1910 stage over Paris at {resolution_m:g} m ({d.dtm.size:,} cells): {sim_hours:g} h simulated in "
          f"{wall:.1f} s ({r.report['steps']:,} steps, {r.report['cell_updates'] / wall:,.0f} cell updates/s)")
    print(f"   10 days would take ≈ {per_hour * 240 / 60:,.0f} min   target ≤ 10 min   "
          f"{'PASS' if per_hour * 240 <= 600 else 'FAIL'} (extrapolated from this run)")


def main() -> None:
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--cols", type=int, default=400)
    parser.add_argument("--sim", type=float, default=1200.0, help="simulated seconds")
    parser.add_argument("--long-resolution", type=float, default=10.0, help="cell size of the 1910 estimate, m")
    parser.add_argument("--long-hours", type=float, default=0.25, help="simulated hours of the 1910 estimate (0: skip)")
    args = parser.parse_args()
    if args.long_hours > 0:
        long_run_estimate(args.long_resolution, args.long_hours)
    z, h, dx = scenario(args.rows, args.cols)
    print(f"grid {args.rows} × {args.cols} cells of {dx:.0f} m (Copernicus surface model of Paris), "
          f"{args.sim:.0f} s simulated, 2 m block of water released at the centre")
    wall_r, updates_r, peak_r, mass = run_recoque(z, h, dx, args.sim)
    try:
        wall_l, updates_l, peak_l, mass_l = run_landlab(z, h, dx, args.sim)
    except ImportError:
        print(f"Recoque: {updates_r / wall_r:,.0f} cell updates/s ({wall_r:.2f} s); mass error {mass:.1e}")
        print("Landlab is not installed: `pip install .[bench]` to run the anchor side by side")
        return
    rate_r, rate_l = updates_r / wall_r, updates_l / wall_l
    wet = (peak_r > 0.05) | (peak_l > 0.05)
    diff = np.abs(peak_r - peak_l)[wet]
    print(f"Landlab 2.9.2 OverlandFlow: {rate_l:,.0f} cell updates/s ({wall_l:.2f} s, {updates_l:,} updates); "
          f"mass error {mass_l:.1e} (negative depths clipped)")
    print(f"Recoque flood (numba):      {rate_r:,.0f} cell updates/s ({wall_r:.2f} s, {updates_r:,} updates); "
          f"mass error {mass:.1e}")
    print(f"ratio {rate_r / rate_l:.1f}×   target ≥ 10×   {'PASS' if rate_r / rate_l >= 10 else 'FAIL'}")
    print(f"maximum depth, cells wet in either ({wet.sum():,}): mean |difference| {diff.mean():.3f} m, "
          f"95th percentile {np.percentile(diff, 95):.3f} m")


if __name__ == "__main__":
    main()
