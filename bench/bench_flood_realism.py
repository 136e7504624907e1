"""How faithful the Seine flood is, component by component (issue 20): the 1910 stage held 6 h,
with every realism component on, then each turned off in turn — the flooded area in Paris, its
agreement with the PPRI (IoU, precision, share of the PPRI reached) and with Institut Paris
Région's flood-zone shares per arrondissement. Recorded in ``bench/results/flood_realism.json``
for docs/twin.md, with a map of the modelled extent over the PPRI (``docs/img/seine-1910-ppri.png``).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_flood_realism.py [--resolution 30]``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from results import record  # noqa: E402


def main() -> None:
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("--resolution", type=float, default=30.0)
    parser.add_argument("--hours", type=float, default=6.0)
    args = parser.parse_args()

    from recoque.core.settings import load_settings
    from recoque.core.store import create_store_engine, migrate
    from recoque.territory import load_territory
    from recoque.twin import basemap, maps, seine, service

    stage = float(seine.PARAMETERS["scenarios"]["1910"]["stage_m"])
    t = time.perf_counter()
    rows = seine.realism(load_territory(ROOT / "data"), ROOT / "data", stage_m=stage, hours=args.hours,
                         resolution_m=args.resolution,
                         progress=lambda s, f: print(f"  … {s} ({time.perf_counter() - t:.0f} s)", flush=True))

    def cell(value, digits=3, scale=1.0):
        return "—" if value is None else f"{value * scale:.{digits}f}"
    table = [[r["configuration"], cell(r["flooded_km2"], 2), cell(r["iou_with_ppri"]), cell(r["precision_vs_ppri"]),
              cell(r["share_of_ppri_flooded"]), cell(r["arrondissement_spearman"], 2),
              cell(r["arrondissement_mean_difference"], 1, 100)] for r in rows]
    for row in table:
        print("  ".join(row))
    if args.resolution == 30.0 and args.hours == 6.0:
        record("flood_realism", title=f"the 1910 stage ({stage} m at Austerlitz) held {args.hours:g} h at "
               f"{args.resolution:g} m, each realism component on and off", rows=table,
               columns=["configuration", "flooded in Paris (km²)", "IoU with the PPRI", "precision", "share of the PPRI reached",
                        "rank correlation per arrondissement (IPR zones)", "mean difference (points)"],
               notes=["Components: " + "; ".join(f"`{k}`: {v}" for k, v in seine.COMPONENTS.items()) + "."])
        var = Path(tempfile.mkdtemp(prefix="recoque-bench-realism-"))
        settings = load_settings(var_dir=var, environment="test", footprint_meter="cpu-time",
                                 secret_key="x" * 8 + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6")
        engine = create_store_engine(settings.sqlalchemy_url)
        migrate(engine)
        build = service.run_seine(settings, engine, scenario="1910", resolution_m=args.resolution, hours=args.hours)
        out = ROOT / "docs" / "img" / "seine-1910-ppri.png"
        out.parent.mkdir(exist_ok=True)
        out.write_bytes(maps.extent_over_ppri(Path(build.location), base=basemap.load(ROOT / "data")))
        print(f"map of the modelled extent over the PPRI: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
