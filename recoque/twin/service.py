"""Twin runs wired to the store and governance: a Seine flood scenario on the current territory
and population, with its footprint, its inputs' digests and the code version in its metadata,
written as NetCDF under ``var/twin/runs/<id>/``."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xarray as xr
import yaml
from sqlalchemy import Engine

import recoque
from recoque.core.errors import NotBuiltError
from recoque.core.models import Build
from recoque.core.progress import Progress, no_progress
from recoque.core.settings import Settings
from recoque.core.store import detached_get, session_scope
from recoque.governance.algorithms import algorithm
from recoque.governance.footprint import measure
from recoque.governance.runs import record_run
from recoque.twin import seine


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@algorithm(seine.ALGORITHM, "1.2")
def run_seine(settings: Settings, engine: Engine, *, scenario: str | None = None, stage_m: float | None = None,
              hydrograph: str | None = None, discharge: tuple[str, str] | None = None, hours: float | None = None,
              resolution_m: float = 30.0, progress: Progress = no_progress, name: str | None = None,
              scenario_file: str | None = None, backend: str = "cpu") -> Build:
    """A Seine flood scenario: flooded area, agreement with the PPRI, who and what is under water."""
    from recoque.territory import load_territory
    from recoque.territory.coolplaces import places

    label, at_hours, stages, hours = seine.drive(settings.data_dir, scenario=scenario, stage_m=stage_m,
                                                 hydrograph=hydrograph, discharge=discharge, hours=hours)
    if not 10 <= resolution_m <= 200:
        raise seine.ScenarioError(f"resolution {resolution_m} m is outside 10–200 m")
    progress("Terrain et rivière", 0.02)
    territory = load_territory(settings.data_dir)
    d = seine.domain(territory, settings.data_dir, resolution_m)
    with measure(use_codecarbon=settings.footprint_meter == "codecarbon") as meter:
        result = seine.run_hydrograph(d, at_hours, stages, hours, progress=lambda s, f: progress(s, 0.05 + 0.85 * f),
                                      backend=backend)
    stage = float(stages.max())
    report = {"scenario": name or label, **result.report, "terrain": seine.terrain_quality(d),
              "resolution_m": resolution_m, "footprint": meter.result.as_dict(),
              "zini_agreement": seine.zini_agreement(result.report["flooded_share_per_arrondissement"],
                                                     territory.arrondissement_indicators["flood_share_zini"])}
    try:
        from recoque.population.service import read_persons

        persons = read_persons(engine)
        from recoque.twin.facilities import schools

        report["affected"] = seine.affected(result, persons, places(), resolution_m, schools(settings.data_dir))
    except NotBuiltError:
        report["affected"] = None   # no population yet: the report says so
    out = settings.var_dir / "twin" / "runs" / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    out.mkdir(parents=True, exist_ok=True)
    ny, nx = result.max_depth.shape
    ds = xr.Dataset({"max_depth": (("y", "x"), result.max_depth.astype(np.float32), {"units": "m"}),
                     "arrival_time": (("y", "x"), result.arrival_s.astype(np.float32), {"units": "s"}),
                     "wet_duration": (("y", "x"), result.wet_s.astype(np.float32), {"units": "s"}),
                     "terrain": (("y", "x"), d.dtm.astype(np.float32), {"units": "m"}),
                     "river": (("y", "x"), d.river.astype(np.uint8), {"long_name": "Seine river bed (boundary cells)"}),
                     "ppri": (("y", "x"), d.ppri.astype(np.uint8), {"long_name": "PPRI flood-risk zones (PLU de Paris)"}),
                     "inside_paris": (("y", "x"), d.inside_paris.astype(np.uint8), {"long_name": "inside Paris"}),
                     "underground": (("y", "x"), result.underground.astype(np.uint8),
                                     {"long_name": "reached through sewers, metro works and cellars only (seine.yaml)"})},
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
                      details={"component": "seine_flood", "scenario_file": scenario_file,
                               "parameters": {"scenario": scenario, "stage_m": stage, "hydrograph": hydrograph,
                                              "discharge": list(discharge) if discharge else None, "hours": hours,
                                              "resolution_m": resolution_m, "backend": backend},
                               "inputs": inputs, "report": report})
        session.add(build)
        record_run(session, seine.ALGORITHM, meter.result, result.report["cell_updates"])
        session.flush()
    progress("Terminé", 1.0)
    return build


HEAT_ALGORITHM = "twin-urban-heat"


@algorithm(HEAT_ALGORITHM, "1.1")
def run_heat(settings: Settings, engine: Engine, scenario, *, scenario_file: str | None = None,
             progress: Progress = no_progress) -> Build:
    """An urban heat scenario beside the calibrated baseline; per IRIS and arrondissement tables,
    the map layer of the night change."""
    from recoque.territory import load_territory
    from recoque.twin import heat_runs

    territory = load_territory(settings.data_dir)
    with measure(use_codecarbon=settings.footprint_meter == "codecarbon") as meter:
        result = heat_runs.run(territory, settings.data_dir, scenario, progress=progress)
    out = settings.var_dir / "twin" / "runs" / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    out.mkdir(parents=True, exist_ok=True)
    keep = [v for v in result.grid.data_vars if v.startswith(("air_", "surface_", "scenario_", "change_"))]
    inside = result.grid["iris_id"] >= 0   # outside Paris the land cover is unknown: no value
    result.grid[keep].where(inside).to_netcdf(out / "heat.nc")
    result.per_iris.to_parquet(out / "per_iris.parquet", index=False)
    top = result.per_arrondissement.sort_values("night_change_k_resident_weighted")
    report = {"scenario": scenario.name, "edits": result.edits, "calibration": result.calibration,
              "resolution_m": scenario.resolution_m, "footprint": meter.result.as_dict(),
              "residents_cooler": round(float(result.per_iris["residents_cooler"].sum())),
              "elderly_80_alone_cooler": round(float(result.per_iris["elderly_80_alone_cooler"].sum())),
              "per_arrondissement": {r["arrondissement"]: {k: round(float(v), 4) for k, v in r.items()
                                                          if k != "arrondissement"} for r in top.to_dict("records")}}
    inputs = {"data": _digest(settings.data_dir / "SOURCES.md"), "urban_heat.yaml":
              _digest(Path(seine.__file__).with_name("urban_heat.yaml"))}
    with session_scope(engine) as session:
        build = Build(artifact="twin-run", input_digest=hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest(),
                      code_version=recoque.__version__, location=str(out), created_at=datetime.now(UTC),
                      details={"component": "urban_heat", "scenario_file": scenario_file,
                               "parameters": scenario.model_dump(), "inputs": inputs, "report": report})
        session.add(build)
        record_run(session, HEAT_ALGORITHM, meter.result, int(result.grid.sizes["x"] * result.grid.sizes["y"]))
        session.flush()
    _publish_heat_layer(engine, result.per_iris)
    progress("Terminé", 1.0)
    return build


def _publish_heat_layer(engine: Engine, per_iris) -> None:
    from recoque.core.layers import replace_layer_values, value_rows

    rows = value_rows("jumeau_nuit_changement", "iris", per_iris.set_index("iris")["night_change_k"].round(3))
    with session_scope(engine) as session:
        replace_layer_values(session, ["jumeau_nuit_changement"], rows)


def status_path(settings: Settings) -> Path:
    return settings.var_dir / "twin" / "running.json"


def running(settings: Settings) -> dict | None:
    """The run in progress (for the web page), or None."""
    import os

    try:
        state = json.loads(status_path(settings).read_text(encoding="utf-8"))
        os.kill(state["pid"], 0)
    except (OSError, ValueError, KeyError):
        return None
    try:  # a run this process started and that has ended (even one that died early) is reaped, not shown
        ended, _ = os.waitpid(state["pid"], os.WNOHANG)
    except ChildProcessError:
        ended = 0   # not our child: os.kill said it is alive
    if ended:
        status_path(settings).unlink(missing_ok=True)
        return None
    return state


def run_scenario(settings: Settings, engine: Engine, path: Path, *, progress: Progress = no_progress) -> Build:
    """Run a scenario file (checked first: nothing runs on a bad file); its progress is also
    written to ``var/twin/running.json`` for the web page."""
    import os

    from recoque.twin import scenarios

    scenario = scenarios.read(path)
    scenarios.check_fits(scenario)
    status = status_path(settings)
    status.parent.mkdir(parents=True, exist_ok=True)

    def tell(step: str, fraction: float) -> None:
        status.write_text(json.dumps({"step": step, "fraction": fraction, "pid": os.getpid(),
                                      "scenario": scenario.name}), encoding="utf-8")
        progress(step, fraction)

    try:
        if scenario.component == "urban_heat":
            build = run_heat(settings, engine, scenario, scenario_file=str(path), progress=tell)
        else:
            s = scenario.seine
            discharge = (str(s.discharge.start), str(s.discharge.end)) if s.discharge else None
            build = run_seine(settings, engine, scenario=s.scenario, stage_m=s.stage_m, hydrograph=s.hydrograph,
                              discharge=discharge, hours=scenario.hours, resolution_m=scenario.resolution_m,
                              progress=tell, name=scenario.name, scenario_file=str(path), backend=scenario.backend)
    finally:
        status.unlink(missing_ok=True)
    (Path(build.location) / "scenario.yaml").write_text(Path(path).read_text(encoding="utf-8"), encoding="utf-8")
    return build


def get_run(engine: Engine, run_id: int) -> Build:
    build = detached_get(engine, Build, run_id)
    if build is None or build.artifact != "twin-run":
        raise NotBuiltError(f"no twin run {run_id} (`recoque twin runs` lists them)")
    return build


def list_runs(engine: Engine, limit: int = 50) -> list[Build]:
    from sqlalchemy import select

    from recoque.core.store import detached_rows

    return detached_rows(engine, select(Build).where(Build.artifact == "twin-run").order_by(Build.id.desc()).limit(limit))


def summary(build: Build) -> dict:
    """The headline numbers of a run, the same keys for both components where they mean the same."""
    r = build.details["report"]
    if build.details["component"] in ("seine_flood", "flood"):
        a = r.get("affected") or {}
        return {"run": build.id, "scenario": r["scenario"], "component": "seine_flood", "flooded_km2": r["flooded_km2"],
                "iou_with_ppri": r["iou_with_ppri"], "residents": a.get("residents"), "alone_75": a.get("alone_75"),
                "vulnerable": a.get("vulnerable"), "cool_places_flooded": len(a.get("cool_places_flooded", []))}
    return {"run": build.id, "scenario": r["scenario"], "component": "urban_heat",
            "residents_cooler": r["residents_cooler"], "elderly_80_alone_cooler": r["elderly_80_alone_cooler"],
            "night_change_k_min": min((v["night_change_k_resident_weighted"] for v in r["per_arrondissement"].values()),
                                      default=0.0)}


def compare(engine: Engine, a: int, b: int) -> dict:
    """Two runs side by side: their headline numbers and, per arrondissement, their figures."""
    ra, rb = get_run(engine, a), get_run(engine, b)
    rows = {}
    for build, tag in ((ra, "a"), (rb, "b")):
        r = build.details["report"]
        if build.details["component"] in ("seine_flood", "flood"):
            for arr, v in ((r.get("affected") or {}).get("per_arrondissement") or {}).items():
                rows.setdefault(arr, {})[f"{tag}_residents_flooded"] = v["residents"]
                rows.setdefault(arr, {})[f"{tag}_alone_75_flooded"] = v["alone_75"]
        else:
            for arr, v in r["per_arrondissement"].items():
                rows.setdefault(arr, {})[f"{tag}_night_change_k"] = v["night_change_k_resident_weighted"]
                rows.setdefault(arr, {})[f"{tag}_residents_cooler"] = v["residents_cooler"]
    return {"a": summary(ra), "b": summary(rb), "per_arrondissement": dict(sorted(rows.items()))}


def latest_heat_run(engine: Engine) -> Build | None:
    """The newest urban heat run whose results are on disk (its baseline is the current city)."""
    for build in list_runs(engine, limit=200):
        if build.details.get("component") == "urban_heat" and (Path(build.location) / "heat.nc").exists():
            return build
    return None


def night_classes_at(build: Build, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Heat class (1–3, 0 outside the grid) of points from the run's baseline night anomaly: the
    class whose calibration target is nearest (urban_heat.yaml)."""
    from recoque.twin.urban_heat import PARAMETERS

    targets = PARAMETERS["calibration_targets_night_k"]
    cuts = np.array([(targets["Low"] + targets["Medium"]) / 2, (targets["Medium"] + targets["High"]) / 2])
    with xr.open_dataset(Path(build.location) / "heat.nc") as ds:
        night = ds["air_temperature_anomaly_night"].to_numpy()
        xs, ys = ds["x"].to_numpy(), ds["y"].to_numpy()
    dx = float(xs[1] - xs[0])
    col = np.floor((np.asarray(x) - (xs[0] - dx / 2)) / dx).astype(int)
    row = np.floor(((ys[0] + abs(dx) / 2) - np.asarray(y)) / abs(dx)).astype(int)   # y descending
    inside = (col >= 0) & (col < len(xs)) & (row >= 0) & (row < len(ys))
    out = np.zeros(len(col), dtype=np.int8)
    values = night[row[inside], col[inside]]
    out[inside] = 1 + (values >= cuts[0]).astype(np.int8) + (values >= cuts[1]).astype(np.int8)
    return out


JOB_KIND = "twin-run"


def start_in_background(settings: Settings, engine: Engine, text: str, *, started_by: str) -> Path:
    """Save a checked scenario under ``var/twin/scenarios/`` and run it as a background job
    (``recoque twin run``); its progress shows in ``running()``, its failure in ``jobs.failure``."""
    from recoque.core import jobs

    folder = settings.var_dir / "twin" / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex[:10]}.yaml"
    path.write_text(text, encoding="utf-8")
    job = jobs.start(settings, engine, kind=JOB_KIND, command=["twin", "run", str(path)], started_by=started_by)
    # the page the planner is sent back to shows the run at once, before the job has loaded its
    # libraries and written its first step (it then overwrites this)
    status = status_path(settings)
    status.parent.mkdir(parents=True, exist_ok=True)
    parsed = yaml.safe_load(text)
    name = parsed.get("name", path.stem) if isinstance(parsed, dict) else path.stem
    status.write_text(json.dumps({"step": "démarrage du calcul", "fraction": 0.0, "pid": job.pid,
                                  "scenario": name}), encoding="utf-8")
    return path
