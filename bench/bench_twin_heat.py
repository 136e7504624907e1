"""Urban heat scenario at 5 m over Paris and its comparison, against the target of issue 7
(≤ 30 s on CPU), with the bare land-cover rasterisation as the anchor beside it.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_twin_heat.py [--resolution 5]``).
Times: the territory grid at that resolution (the land cover), the calibration and the baseline,
the scenario (5,000 trees in the 13th and green yards in every collège), and the per-IRIS and
per-arrondissement comparison tables; peak memory of this process.
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

from recoque.core.settings import PROJECT_ROOT
from recoque.territory import load_territory
from recoque.territory.grid import rasterise
from recoque.twin import heat_runs, scenarios

SCENARIO = """name: bench
component: urban_heat
resolution_m: {resolution}
edits:
  - plant_trees: {{arrondissement: "75113", trees: 5000}}
  - green_schoolyards: {{arrondissement: all}}
"""


def main() -> None:
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("--resolution", type=float, default=5.0)
    args = parser.parse_args()
    data = PROJECT_ROOT / "data"
    territory = load_territory(data)
    scenario = scenarios.parse(SCENARIO.format(resolution=args.resolution))
    t = time.perf_counter()
    grid = rasterise(territory, resolution_m=args.resolution)
    anchor = time.perf_counter() - t
    cells = grid.sizes["x"] * grid.sizes["y"]
    del grid
    t = time.perf_counter()
    run = heat_runs.run(territory, data, scenario)
    total = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"urban heat scenario at {args.resolution:g} m: {cells:,} cells; {run.edits}")
    print(f"   land cover + calibration + baseline + scenario + comparison: {total:.1f} s   target ≤ 30 s   "
          f"{'PASS' if total <= 30 else 'FAIL'}")
    print(f"   anchor, the land-cover grid alone (territory.grid): {anchor:.1f} s (the model adds {total - anchor:.1f} s)")
    print(f"   peak memory of this process: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
