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
import sys
import time
import warnings
from pathlib import Path

from recoque.core.settings import PROJECT_ROOT
from recoque.territory import load_territory
from recoque.territory.grid import rasterise
from recoque.twin import heat_runs, scenarios

sys.path.insert(0, str(Path(__file__).parent))
from results import fmt, record  # noqa: E402

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
    # the model's agreement with Institut Paris Région's hazard notes, each field against the note of
    # its time of day, at 50 m (the planners' usual resolution) and at the bench's
    coarse = heat_runs.run(territory, data, scenarios.parse(SCENARIO.format(resolution=50.0)))
    agreement = {r: (c["error"]["spearman_night_model_with_night_hazard_per_arrondissement"],
                     c["error"]["spearman_day_model_with_day_hazard_per_arrondissement"])
                 for r, c in ((50.0, coarse.calibration), (args.resolution, run.calibration))}
    print("   agreement with the hazard notes per arrondissement (Spearman): "
          + "; ".join(f"{r:g} m: night {n:.2f}, day {d:.2f}" for r, (n, d) in agreement.items()))
    if args.resolution == 5.0:
        record("twin_heat", title="the twin's urban heat model", columns=["measure", "value", "target", "anchor"], rows=[
            [f"urban heat scenario at 5 m ({fmt(cells / 1e6, 1)} M cells: land cover, calibration, baseline, scenario, "
             f"tables), peak {peak:.2f} GiB", f"{total:.1f} s", f"≤ 30 s: {'met' if total <= 30 else '**not met**'}",
             f"the land-cover grid alone: {anchor:.1f} s"],
            ["rank correlation per arrondissement with Institut Paris Région's heat-hazard notes, each field "
             "against the note of its time of day (computed with every run)",
             "; ".join(f"at {r:g} m: night air {n:.2f}, day surface {d:.2f}" for r, (n, d) in agreement.items()), "", ""],
        ])


if __name__ == "__main__":
    main()
