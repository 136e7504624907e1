"""Twin runs wired to the store and governance: a Seine flood scenario on the current territory
and population, with its footprint, its inputs' digests and the code version in its metadata,
written as NetCDF under ``var/twin/runs/<id>/``."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xarray as xr
from sqlalchemy import Engine

import recoque
from recoque.core.errors import NotBuiltError
from recoque.core.models import Build
from recoque.core.settings import Settings
from recoque.core.store import session_scope
from recoque.governance.algorithms import algorithm
from recoque.governance.footprint import measure
from recoque.governance.runs import record_run
from recoque.twin import seine

Progress = Callable[[str, float], None]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@algorithm(seine.ALGORITHM, "1.0")
def run_seine(settings: Settings, engine: Engine, *, scenario: str | None = None, stage_m: float | None = None,
              hours: float = 6.0, resolution_m: float = 30.0, progress: Progress = seine._noop) -> Build:
    """A Seine flood scenario: flooded area, agreement with the PPRI, who and what is under water."""
    from recoque.heat.coolplaces import places
    from recoque.territory import load_territory

    label, stage = seine.scenario_stage(scenario, stage_m)
    if not 10 <= resolution_m <= 200:
        raise seine.ScenarioError(f"resolution {resolution_m} m is outside 10–200 m")
    progress("Terrain et rivière", 0.02)
    territory = load_territory(settings.data_dir)
    d = seine.domain(territory, settings.data_dir, resolution_m)
    with measure(use_codecarbon=settings.footprint_meter == "codecarbon") as meter:
        result = seine.run_stage(d, stage, hours, progress=lambda s, f: progress(s, 0.05 + 0.85 * f))
    report = {"scenario": label, **result.report, "terrain": seine.terrain_quality(d),
              "resolution_m": resolution_m, "footprint": meter.result.as_dict()}
    try:
        from recoque.heat.service import read_persons

        persons = read_persons(engine)
        report["affected"] = seine.affected(result, persons, places(), resolution_m)
    except NotBuiltError:
        report["affected"] = None   # no population yet: the report says so
    out = settings.var_dir / "twin" / "runs" / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    out.mkdir(parents=True, exist_ok=True)
    ny, nx = result.max_depth.shape
    ds = xr.Dataset({"max_depth": (("y", "x"), result.max_depth.astype(np.float32), {"units": "m"}),
                     "arrival_time": (("y", "x"), result.arrival_s.astype(np.float32), {"units": "s"}),
                     "terrain": (("y", "x"), d.dtm.astype(np.float32), {"units": "m"})},
                    coords={"y": seine.BOX[1] + (np.arange(ny) + 0.5) * resolution_m,
                            "x": seine.BOX[0] + (np.arange(nx) + 0.5) * resolution_m},
                    attrs={"crs": "EPSG:2154", "scenario": label, "report": json.dumps(report, ensure_ascii=False)})
    ds.to_netcdf(out / "flood.nc")
    inputs = {"terrain": _digest(settings.data_dir / "terrain" / "copernicus_dem_glo30_paris_clip.tif"),
              "seine.yaml": _digest(Path(seine.__file__).with_name("seine.yaml"))}
    with session_scope(engine) as session:
        digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
        build = Build(artifact="twin-run", input_digest=digest, code_version=recoque.__version__,
                      location=str(out), created_at=datetime.now(UTC),
                      details={"component": "flood", "parameters": {"scenario": scenario, "stage_m": stage,
                                                                   "hours": hours, "resolution_m": resolution_m},
                               "inputs": inputs, "report": report})
        session.add(build)
        record_run(session, seine.ALGORITHM, meter.result, result.report["cell_updates"])
        session.flush()
        session.expunge(build)
    progress("Terminé", 1.0)
    return build
