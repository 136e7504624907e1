"""Build the territory into the store and var/, and read it back for the surfaces.

A build is all-or-nothing: artifacts are written to a fresh folder, the store is filled in one
transaction, and only a committed build is ever read. Bad input raises before anything changes.
"""

from __future__ import annotations

import hashlib
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, delete, insert, select

import recoque
from recoque.core.errors import NotBuiltError, UnknownNameError
from recoque.core.layers import LEVELS, replace_layer_values, require_level, value_rows
from recoque.core.models import Build
from recoque.core.settings import Settings
from recoque.core.store import session_scope
from recoque.governance.footprint import Footprint, measure
from recoque.governance.runs import record_run
from recoque.territory.layers import aggregate, iris_layers, territory_layer_ids
from recoque.territory.model import PARAMETERS, Territory, load_territory
from recoque.territory.models import TerritoryUnit
from recoque.territory.sources import WGS84, digest_sources

ARTIFACT = "territory"
Progress = Callable[[str], None]
_CONFIG_FILES = ("layers.yaml", "parameters.yaml", "published.yaml")


@dataclass(frozen=True)
class BuildResult:
    built: bool
    digest: str
    location: Path
    seconds: float
    footprint: Footprint | None = None


def input_digest(data_dir: Path) -> str:
    """Identity of a territory build: data files, layer configuration and code version."""
    h = hashlib.sha256(digest_sources(data_dir).encode())
    here = Path(__file__).parent
    for name in _CONFIG_FILES:
        h.update((here / name).read_bytes())
    h.update(recoque.__version__.encode())
    return h.hexdigest()


def latest_build(engine: Engine, artifact: str = ARTIFACT) -> Build | None:
    with session_scope(engine) as session:
        return session.scalars(
            select(Build).where(Build.artifact == artifact).order_by(Build.id.desc()).limit(1)
        ).first()


def build_territory(
    settings: Settings, engine: Engine, *, force: bool = False, progress: Progress = lambda _s: None
) -> BuildResult:
    """Load, check and compute the territory; write web artifacts and the store. Idempotent."""
    start = time.perf_counter()
    digest = input_digest(settings.data_dir)
    build = latest_build(engine)
    if not force and build and build.input_digest == digest and Path(build.location).is_dir():
        return BuildResult(False, digest, Path(build.location), time.perf_counter() - start)

    progress("lecture et contrôle des données")
    territory = load_territory(settings.data_dir)
    progress("calcul des couches")
    with measure(use_codecarbon=settings.footprint_meter == "codecarbon") as meter:
        per_iris = iris_layers(territory)
    values = {level: aggregate(territory, per_iris, level) for level in LEVELS}

    root = settings.var_dir / ARTIFACT
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    final = root / f"{stamp}-{digest[:12]}-{uuid.uuid4().hex[:6]}"
    tmp = root / f".tmp-{final.name}"
    try:
        progress("écriture des contours pour le web")
        _write_web_artifacts(territory, values, tmp)
        tmp.rename(final)
        progress("enregistrement dans la base")
        with session_scope(engine) as session:
            session.execute(delete(TerritoryUnit))
            session.execute(insert(TerritoryUnit), _unit_rows(territory))
            replace_layer_values(session, list(territory_layer_ids()), _value_rows(values))
            record_run(session, "territory-indicators", meter.result, items=len(territory.iris))
            session.add(Build(
                artifact=ARTIFACT, input_digest=digest, code_version=recoque.__version__,
                location=str(final), created_at=datetime.now(UTC),
                details={level: len(territory.units(level)) for level in LEVELS}
                | {"trees": len(territory.trees)},
            ))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(final, ignore_errors=True)
        raise
    _prune_old_builds(root, keep={final.name, Path(build.location).name if build else ""})
    return BuildResult(True, digest, final, time.perf_counter() - start, meter.result)


def _unit_rows(t: Territory) -> list[dict]:
    rows = []
    for level in LEVELS:
        units = t.units(level)
        parent = {"arrondissement": None, "quartier": "arrondissement", "iris": "quartier"}[level]
        for code, name, arr, par, area in zip(
            units["code"], units["name"], units["arrondissement"],
            units[parent] if parent else [None] * len(units), units.geometry.area,
        ):
            rows.append({"level": level, "code": str(code), "name": str(name), "arrondissement": str(arr),
                         "parent_code": None if par is None or pd.isna(par) else str(par),
                         "area_m2": float(area)})
    return rows


def _value_rows(values: dict[str, pd.DataFrame]) -> list[dict]:
    return [row for level, frame in values.items() for layer in frame.columns
            for row in value_rows(layer, level, frame[layer])]


def _write_web_artifacts(t: Territory, values: dict[str, pd.DataFrame], folder: Path) -> None:
    folder.mkdir(parents=True)
    tolerance = PARAMETERS["web"]["simplify_tolerance_m"]
    for level in LEVELS:
        units = t.units(level)
        cols = ["code", "name", "arrondissement"] + (["kind"] if level == "iris" else [])
        frame = units[cols].join(values[level].round(3), on="code")
        _write_geojson(frame.set_geometry(units.geometry.simplify(tolerance)), folder / f"{level}.geojson")
    paris = t.communes_idf[t.communes_idf["code"] == "75056"]
    near = t.communes_idf[t.communes_idf.intersects(paris.union_all().buffer(8000))]
    _write_geojson(near.set_geometry(near.geometry.simplify(10 * tolerance)), folder / "context.geojson")
    _write_geojson(t.cool_places, folder / "cool_places.geojson")
    _write_geojson(t.fountains, folder / "fountains.geojson")


def _write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    frame.to_crs(WGS84).to_file(path, driver="GeoJSON", engine="pyogrio",
                                layer_options={"COORDINATE_PRECISION": 6, "RFC7946": "YES"})


def _prune_old_builds(root: Path, keep: set[str]) -> None:
    for child in root.iterdir():
        if child.is_dir() and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


# --- reading back ------------------------------------------------------------------------

def artifact_path(engine: Engine, name: str) -> Path:
    """Path of a web artifact (``iris.geojson``…) of the current build."""
    build = latest_build(engine)
    if build is None or not Path(build.location).is_dir():
        raise NotBuiltError("the territory is not built yet — run `recoque territory build` or `recoque up`")
    path = Path(build.location) / name
    if not path.is_file():
        raise UnknownNameError(f"no artifact {name!r} in the current territory build")
    return path


def units(engine: Engine, level: str) -> list[TerritoryUnit]:
    require_level(level)
    with session_scope(engine) as session:
        return list(session.scalars(
            select(TerritoryUnit).where(TerritoryUnit.level == level).order_by(TerritoryUnit.code)
        ))


def summary(engine: Engine) -> dict:
    build = latest_build(engine)
    if build is None:
        raise NotBuiltError("the territory is not built yet — run `recoque territory build` or `recoque up`")
    return {"built_at": build.created_at.isoformat(), "input_digest": build.input_digest,
            "code_version": build.code_version, "counts": build.details}


def build_grid(
    settings: Settings,
    engine: Engine,
    *,
    resolution_m: float,
    output: Path | None = None,
    progress: Callable[[str, float], None] = lambda _s, _f: None,
) -> tuple[Path, dict]:
    """Rasterise the territory at ``resolution_m`` and write it as NetCDF (atomically)."""
    from recoque.territory.grid import rasterise, write_grid

    territory = load_territory(settings.data_dir)
    ds = rasterise(territory, resolution_m=resolution_m, progress=progress)
    output = output or settings.var_dir / "grids" / f"paris_{resolution_m:g}m.nc"
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        write_grid(ds, tmp)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    stats = {
        "shape": [int(ds.sizes["y"]), int(ds.sizes["x"])],
        "resolution_m": resolution_m,
        "mean": {name: round(float(ds[name].mean()), 4)
                 for name in ("canopy_fraction", "green_fraction", "water_fraction")},
    }
    with session_scope(engine) as session:
        session.add(Build(artifact=f"grid-{resolution_m:g}m", input_digest=input_digest(settings.data_dir),
                          code_version=recoque.__version__, location=str(output),
                          created_at=datetime.now(UTC), details=stats))
    return output, stats
