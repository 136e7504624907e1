"""Seine flood scenarios on the twin: a terrain model filtered from the surface model, the river
burned in, the stage of a scenario held on the river cells, the local-inertia flood component run
until the floodplain has filled; then what is flooded — area, agreement with the PPRI zones, and
per arrondissement the residents, elderly people living alone and vulnerable people, and the cool
places under water. Parameters and their sources: seine.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from affine import Affine
from rasterio.features import rasterize
from scipy import ndimage

from recoque.core.errors import RecoqueError
from recoque.core.parameters import ParameterFile
from recoque.core.progress import Progress, no_progress
from recoque.core.typography import significant
from recoque.twin.contract import make_grid
from recoque.twin.flood import Flood, FloodParameters
from recoque.twin.terrain import BOX, surface_model


class ScenarioError(RecoqueError):
    """A flood scenario that cannot run as asked."""


PARAMETERS = ParameterFile(__file__, "seine.yaml")



def terrain_model(dsm: np.ndarray, resolution_m: float, land: np.ndarray | None = None, *,
                  progressive: bool = True) -> np.ndarray:
    """A terrain model from a surface model: grey-scale opening (removes objects narrower than
    the window: buildings, trees), a light Gaussian smoothing of the ``land`` cells only (the
    river's low surface does not pull its banks down), never above the surface model.
    ``progressive``: Zhang's progressive filter (seine.yaml); False: the former filter, one
    opening of seine.yaml's ``former_opening_m`` over every cell (kept to measure the change)."""
    f = PARAMETERS["terrain_filter"]
    if progressive:
        opened = progressive_opening(dsm, resolution_m, f["windows_m"]["value"], f["dh0_m"]["value"],
                                     f["slope"]["value"], f["dh_max_m"]["value"])
    else:
        size = max(3, int(round(f["former_opening_m"]["value"] / resolution_m)) | 1)
        opened = ndimage.grey_opening(dsm, size=(size, size))
    sigma = f["smoothing_sigma_cells"]["value"]
    if land is None:
        smooth = ndimage.gaussian_filter(opened, sigma=sigma)
    else:
        weight = ndimage.gaussian_filter(land.astype(np.float64), sigma=sigma)
        smooth = ndimage.gaussian_filter(np.where(land, opened, 0.0), sigma=sigma) / np.maximum(weight, 1e-12)
        smooth = np.where(weight > 1e-6, smooth, opened)
    return np.minimum(smooth, dsm)


def progressive_opening(dsm: np.ndarray, resolution_m: float, windows_m: list[float], dh0: float, slope: float,
                        dh_max: float) -> np.ndarray:
    """The progressive morphological filter of Zhang et al. (2003): openings of growing windows;
    a cell whose height stands above the opening by more than the step's threshold
    (``dh0`` for the first window, then ``slope`` × the window's growth + ``dh0``, at most
    ``dh_max``) is an object, not ground. Ground cells keep the surface model's height, objects
    take the last opening."""
    surface, ground, previous = dsm, np.ones(dsm.shape, dtype=bool), None
    for w in windows_m:
        size = max(3, int(round(w / resolution_m)) | 1)
        opened = ndimage.grey_opening(surface, size=(size, size))
        threshold = dh0 if previous is None else min(slope * (w - previous) + dh0, dh_max)
        ground &= (surface - opened) <= threshold
        surface, previous = opened, w
    return np.where(ground, dsm, surface)


def transform_of(resolution_m: float) -> Affine:
    """Lambert-93 transform of the twin's flood grid, row 0 at the north edge (rasterio's way)."""
    return Affine(resolution_m, 0.0, BOX[0], 0.0, -resolution_m, BOX[3])


def _mask(geometries, shape: tuple[int, int], resolution_m: float) -> np.ndarray:
    burned = rasterize(((g, 1) for g in geometries), out_shape=shape, transform=transform_of(resolution_m),
                       fill=0, dtype="uint8")
    return burned[::-1].astype(bool)   # row 0 south, as the twin's grids


@dataclass
class Domain:
    resolution_m: float
    dsm: np.ndarray
    dtm: np.ndarray
    river: np.ndarray
    ppri: np.ndarray
    inside_paris: np.ndarray
    closed: np.ndarray | None = None   # outside the flood domain (farther from Paris than the margin)
    arrondissement_id: np.ndarray | None = None   # 1–20, 0 outside Paris


def domain(territory, data_dir: Path, resolution_m: float, *, progressive_filter: bool = True) -> Domain:
    """The terrain model, the river mask (bed burned), the PPRI zones and Paris, on one grid
    (``progressive_filter=False``: the terrain from the former single opening, for comparison)."""
    p = PARAMETERS
    dsm = surface_model(data_dir, resolution_m)
    water = territory.iris[territory.iris["kind"] == "water"].geometry
    paris = _mask(territory.arrondissements.geometry, dsm.shape, resolution_m)
    low = p["austerlitz_scale_zero_m"]["value"] + p["low_water_stage_m"]["value"]
    river = _mask(water, dsm.shape, resolution_m)
    # the surface model's water (at or below low water + 1 m) connected to the Seine's IRIS is the
    # river too: beyond Paris, where the river has no IRIS, and along its edges in Paris
    river = _grow(river, dsm <= low + 1.0)
    bed = low - p["river"]["bed_below_low_water_m"]["value"]
    dtm = terrain_model(fill_voids(dsm, river, low), resolution_m, land=~river, progressive=progressive_filter)
    # what the filter leaves below low water next to the river (bridges, which it removes, over a
    # water surface the radar reads low) is under the river at its normal level: river too
    river = _grow(river, dtm < low)
    dtm = np.where(river, bed, dtm)
    dtm = dtm + building_heights(data_dir, dsm.shape, resolution_m) * ~river
    ppri = _mask(territory.ppri.geometry, dsm.shape, resolution_m)
    margin = p["domain"]["margin_m"]["value"]
    closed = ndimage.distance_transform_edt(~paris) * resolution_m > margin
    river &= ~closed
    codes = territory.arrondissements["code"].astype(int).to_numpy() - 75100
    arr_id = rasterize(((g, int(c)) for g, c in zip(territory.arrondissements.geometry, codes)), out_shape=dsm.shape,
                       transform=transform_of(resolution_m), fill=0, dtype="uint8")[::-1].copy()
    return Domain(resolution_m, dsm, dtm, river, ppri, paris, closed, arr_id)


def _grow(river: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """The river and every patch of ``candidates`` connected to it."""
    patches, _ = ndimage.label(candidates | river)
    return river | np.isin(patches, np.unique(patches[river & (patches > 0)]))


def fill_voids(dsm: np.ndarray, river: np.ndarray, low: float) -> np.ndarray:
    """Ground below the Seine's low water away from the river is not ground: voids of the surface
    model (some read 0 m) or other water. Each such patch is filled to the median of the ground
    around it, read two to four cells away (the nearest cells are blended with the void by the
    resampling), never below low water, so that it neither swallows water nor forces tiny steps."""
    out = dsm.copy()
    patches, _ = ndimage.label(~river & (dsm < low))
    for k, box in enumerate(ndimage.find_objects(patches), start=1):
        grown = tuple(slice(max(0, b.start - 4), b.stop + 4) for b in box)
        patch = patches[grown] == k
        ring = ndimage.binary_dilation(patch, iterations=4) & ~ndimage.binary_dilation(patch, iterations=1)
        ring &= ~river[grown] & (dsm[grown] >= low)
        out[grown][patch] = max(low, float(np.median(dsm[grown][ring]))) if ring.any() else low
    return out


def building_heights(data_dir: Path, shape: tuple[int, int], resolution_m: float) -> np.ndarray:
    """Buildings as obstacles where footprints exist: each cell whose centre a footprint covers
    is raised by the building's height (seine.yaml)."""
    from recoque.twin.facilities import buildings

    volumes = buildings(Path(data_dir))
    if volumes.empty:
        return np.zeros(shape)
    heights = PARAMETERS["buildings"]["storey_height_m"]["value"] * (volumes["floors"].to_numpy() + 1)
    order = np.argsort(heights)   # the tallest volume of a cell wins
    burned = rasterize(((g, float(h)) for g, h in zip(volumes.geometry.to_numpy()[order], heights[order])),
                       out_shape=shape, transform=transform_of(resolution_m), fill=0.0, dtype="float64")
    return burned[::-1].copy()


def terrain_quality(d: Domain) -> dict:
    """How good the terrain filter is, as far as the bundled data can say."""
    zero = PARAMETERS["austerlitz_scale_zero_m"]["value"]
    banks = ndimage.binary_dilation(d.river, iterations=2) & ~d.river & d.inside_paris
    built = d.inside_paris & ~d.river
    return {
        "surface_minus_terrain_m_median_in_paris": round(float(np.median((d.dsm - d.dtm)[built])), 2),
        "surface_minus_terrain_m_p90_in_paris": round(float(np.percentile((d.dsm - d.dtm)[built], 90)), 2),
        "terrain_on_the_banks_m_median": round(float(np.median(d.dtm[banks])), 2),
        "surface_on_the_river_m_median": round(float(np.median(d.dsm[d.river])), 2),
        "expected_low_water_m": zero + PARAMETERS["low_water_stage_m"]["value"],
    }


@dataclass
class FloodResult:
    stage_m: float
    level_m: float
    hours: float
    max_depth: np.ndarray
    arrival_s: np.ndarray
    mass_error: float
    report: dict
    wet_s: np.ndarray | None = None
    underground: np.ndarray | None = None   # cells of Paris reached underground only (seine.yaml « underground »)


def _rating() -> tuple[float, float, float]:
    """The stated rating curve stage = h1 · (Q / q1)^b through its two points: (q1, h1, b)."""
    r = PARAMETERS["rating_curve"]
    (q1, h1), (q2, h2) = ((r[k]["discharge_m3s"], r[k]["stage_m"]) for k in ("low", "high"))
    return q1, h1, float(np.log(h2 / h1) / np.log(q2 / q1))


def rating_stage(discharge_m3s: np.ndarray) -> np.ndarray:
    """Stage on the Austerlitz scale (m) from discharge (m³/s), by the stated rating curve."""
    q1, h1, b = _rating()
    return h1 * (np.maximum(np.asarray(discharge_m3s, float), 1.0) / q1) ** b


def discharge_hydrograph(data_dir: Path, start: str, end: str) -> tuple[np.ndarray, np.ndarray]:
    """Hours from ``start`` and stages, from the bundled daily discharge series through the rating curve."""
    spec = PARAMETERS["discharge_series"]
    series = pd.read_csv(Path(data_dir) / spec["file"], sep="\t", usecols=["date", spec["column"]],
                         parse_dates=["date"]).set_index("date")[spec["column"]]
    part = series[start:end]
    if len(part) < 2:
        raise ScenarioError(f"the discharge series covers 1852-01-01 → 2008-12-29; {start} → {end} has fewer than 2 days")
    hours = (part.index - part.index[0]).total_seconds().to_numpy() / 3600.0
    return hours, rating_stage(part.to_numpy())


def triangle_hydrograph(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A stated triangular hydrograph (seine.yaml): low water → peak → low water."""
    spec = PARAMETERS["hydrographs"].get(name)
    if spec is None:
        raise ScenarioError(f"unknown hydrograph {name!r}; known: {', '.join(PARAMETERS['hydrographs'])}")
    low = PARAMETERS["low_water_stage_m"]["value"]
    rise, fall = spec["rise_days"] * 24.0, spec["recession_days"] * 24.0
    return np.array([0.0, rise, rise + fall]), np.array([low, spec["peak_m"], low])


def water_line(d: Domain, stage_m: float):
    """The sloping water line for ``stage_m`` at Austerlitz (seine.yaml « water_line »)."""
    from recoque.twin import water_line as wl

    p = PARAMETERS
    spec = p["water_line"]
    zero = p["austerlitz_scale_zero_m"]["value"]
    bed = zero + p["low_water_stage_m"]["value"] - p["river"]["bed_below_low_water_m"]["value"]
    gauge = wl.gauge_cell(d.river, d.resolution_m, BOX[0], BOX[1], spec["gauge"]["lon"], spec["gauge"]["lat"])
    return wl.compute(d.river, d.resolution_m, gauge, level_m=zero + stage_m,
                      discharge_m3s=float(rating_discharge(stage_m)), bed_m=bed,
                      mannings_n=spec["mannings_n_channel"]["value"], section_m=spec["section_m"]["value"])


def underground(d: Domain, level_m: float, offset: np.ndarray) -> np.ndarray:
    """Cells of Paris the water reaches through sewers, metro works and cellars (seine.yaml
    « underground »): ground below the water line of the nearest river cell, within the stated
    distance of the river."""
    spec = PARAMETERS["underground"]
    distance, nearest = ndimage.distance_transform_edt(~d.river, return_indices=True)
    line = level_m + offset[tuple(nearest)]
    return (d.inside_paris & ~d.river & (d.dtm < line)
            & (distance * d.resolution_m <= spec["reach_m"]["value"]))


def rating_discharge(stage_m: float) -> float:
    """Discharge (m³/s) at a stage on the Austerlitz scale: the rating curve read backwards."""
    q1, h1, b = _rating()
    return float(q1 * (stage_m / h1) ** (1 / b))


def run_stage(d: Domain, stage_m: float, hours: float, *, progress: Progress = no_progress, backend: str = "cpu",
              sloping: bool | None = None) -> FloodResult:
    """Hold the Seine at ``stage_m`` on the Austerlitz scale for ``hours`` and let the water spread."""
    if not 0 < stage_m < 15:
        raise ScenarioError(f"stage {stage_m} m on the Austerlitz scale is outside 0–15 m")
    return run_hydrograph(d, np.array([0.0, hours]), np.array([stage_m, stage_m]), hours, progress=progress,
                          backend=backend, sloping=sloping)


def run_hydrograph(d: Domain, at_hours: np.ndarray, stages_m: np.ndarray, hours: float, *,
                   progress: Progress = no_progress, backend: str = "cpu", sloping: bool | None = None) -> FloodResult:
    """Drive the river with a stage hydrograph (hours, stage on the Austerlitz scale, linear in
    between) for ``hours``; arrival times and durations follow the rising and falling water.
    ``backend``: "cpu" (numba kernels) or "cuda" (the GPU path, flood_cuda, which holds one
    level). ``sloping``: hold the sloping water line (default: seine.yaml « water_line »), or one
    level through the domain."""
    if not 0 < hours <= 24 * 60:
        raise ScenarioError(f"duration {hours} h is outside 0–1,440 h")
    if np.any(stages_m <= 0) or np.any(stages_m >= 15) or np.any(np.diff(at_hours) <= 0):
        raise ScenarioError("a hydrograph has increasing times and stages between 0 and 15 m")
    p = PARAMETERS
    zero = p["austerlitz_scale_zero_m"]["value"]
    stage_m = float(np.max(stages_m))
    level = zero + stage_m

    stage = (np.asarray(at_hours, float) * 3600.0, zero + np.asarray(stages_m, float))
    sloping = p["water_line"]["enabled"] if sloping is None else sloping
    line = water_line(d, stage_m) if sloping and backend == "cpu" else None
    offset = np.zeros(d.dtm.shape) if line is None else line.offset
    h0 = np.where(d.river, np.maximum(stage[1][0] + offset - d.dtm, 0.0), 0.0)
    grid = make_grid(d.dtm.shape, d.resolution_m, x0=BOX[0], y0=BOX[1],
                     topographic__elevation=(d.dtm.astype(np.float64), "m"), surface_water__depth=(h0, "m"))
    model = Flood(grid, FloodParameters(mannings_n=p["mannings_n"]["value"], wet_depth=p["wet_depth_m"]),
                  boundary=d.river, stage=stage, closed=d.closed, backend=backend,
                  stage_offset=None if line is None else offset)
    chunks = max(1, min(int(hours), 240))
    for k in range(chunks):
        model.run_one_step(hours * 3600.0 / chunks)
        progress(f"{(k + 1) * hours / chunks:.0f} h simulées", (k + 1) / chunks)
    flooded = (model.max_depth > p["wet_depth_m"]) & ~d.river & d.inside_paris
    ppri = d.ppri & ~d.river
    union = (flooded | ppri).sum()
    cell_km2 = d.resolution_m ** 2 / 1e6
    under = underground(d, zero + stage_m, offset) & ~flooded
    with_under = flooded | under
    shares = {}
    if d.arrondissement_id is not None:
        for a in range(1, 21):
            land = (d.arrondissement_id == a) & ~d.river
            if land.any():
                shares[str(75100 + a)] = round(float((flooded & land).sum() / land.sum()), 4)
    first = model.arrival[flooded]
    report = {"stage_m": stage_m, "level_m_ngf": round(level, 2), "hours": hours,
              "hydrograph": {"hours": [round(float(x), 2) for x in at_hours], "stage_m": [round(float(x), 3) for x in stages_m]},
              "first_flooding_h": round(float(first.min()) / 3600.0, 2) if first.size else None,
              "mean_duration_h": round(float(model.wet[flooded].mean()) / 3600.0, 2) if flooded.any() else None,
              "flooded_km2": round(float(flooded.sum() * cell_km2), 2),
              "ppri_km2": round(float(ppri.sum() * cell_km2), 2),
              "iou_with_ppri": round(float((flooded & ppri).sum() / union), 3) if union else None,
              "share_of_ppri_flooded": round(float((flooded & ppri).sum() / max(ppri.sum(), 1)), 3),
              "precision_vs_ppri": round(float((flooded & ppri).sum() / max(flooded.sum(), 1)), 3),
              "mass_error": model.mass_error(), "steps": model.steps, "cell_updates": model.cell_updates,
              "cells_computed": model.cells_computed, "backend": backend,
              "flooded_share_per_arrondissement": shares,
              "water_line": None if line is None else line.report(),
              "underground": {"km2": round(float(under.sum() * cell_km2), 2),
                              "flooded_with_underground_km2": round(float(with_under.sum() * cell_km2), 2),
                              "iou_with_ppri": round(float((with_under & ppri).sum() / (with_under | ppri).sum()), 3)
                              if (with_under | ppri).any() else None,
                              "rule": p["underground"]["rule"].strip()}}
    return FloodResult(stage_m, level, hours, model.max_depth, model.arrival, model.mass_error(), report,
                       model.wet.copy(), under)


def zini_agreement(modelled: dict, zini) -> dict | None:
    """The flooded share of each arrondissement's land beside Institut Paris Région's flood-zone
    share (« zones inondables simplifiées », river bed excluded, published per postcode; its
    conseil-de-quartier version has no geometry to join): rank correlation and mean difference."""
    from scipy.stats import spearmanr

    codes = [c for c in sorted(modelled) if c in zini.index]
    if len(codes) < 3:
        return None
    m = np.array([modelled[c] for c in codes])
    z = zini.reindex(codes).to_numpy(dtype=float)
    rank = round(float(spearmanr(m, z).statistic), 3) if m.std() > 0 and z.std() > 0 else None
    return {"spearman": rank,
            "mean_absolute_difference": round(float(np.abs(m - z).mean()), 3),
            "per_arrondissement": {c: {"modelled": round(float(a), 3), "zini": round(float(b), 3)}
                                   for c, a, b in zip(codes, m, z)}}


def cell_of(x: np.ndarray, y: np.ndarray, resolution_m: float, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Row (from the south) and column of Lambert-93 points; −1 outside the grid."""
    col = np.floor((x - BOX[0]) / resolution_m).astype(int)
    row = np.floor((y - BOX[1]) / resolution_m).astype(int)
    outside = (col < 0) | (row < 0) | (col >= shape[1]) | (row >= shape[0])
    return np.where(outside, -1, row), np.where(outside, -1, col)


def affected(result: FloodResult, persons: pd.DataFrame, places: pd.DataFrame, resolution_m: float,
             schools: pd.DataFrame | None = None) -> dict:
    """Per arrondissement and for the 20 most affected IRIS: residents, people aged 75+ living
    alone, vulnerable people (disabled, dependent or bedridden) whose home is under water; the
    cool places and collèges flooded."""
    wet = PARAMETERS["wet_depth_m"]
    shape = result.max_depth.shape

    def depth_at(x, y):
        r, c = cell_of(np.asarray(x, float), np.asarray(y, float), resolution_m, shape)
        out = np.zeros(len(r))
        ok = r >= 0
        out[ok] = result.max_depth[r[ok], c[ok]]
        return out

    d = depth_at(persons["x"], persons["y"])
    p = persons.assign(flooded=d > wet)
    p["alone_75"] = p["flooded"] & p["living_alone"] & (p["age"] >= 75)
    p["vulnerable"] = p["flooded"] & (p["disability"] | p["bedridden"] | (p["dependency_gir"] > 0))
    by_arr = p.groupby("arrondissement").agg(residents=("flooded", "sum"), alone_75=("alone_75", "sum"),
                                             vulnerable=("vulnerable", "sum"))
    pl = places.assign(depth=depth_at(places["x"], places["y"]))
    by_iris = p[p["flooded"]].groupby("iris").size().sort_values(ascending=False).head(20)
    flooded_schools = [] if schools is None else \
        schools.loc[depth_at(schools["x"], schools["y"]) > wet, "name"].tolist()
    return {"per_iris_top": {str(k): int(v) for k, v in by_iris.items()},
            "schools_flooded": list(dict.fromkeys(flooded_schools)),
            "per_arrondissement": {str(a): {k: int(v) for k, v in row.items()} for a, row in by_arr.iterrows()
                                   if row["residents"] > 0},
            "residents": int(p["flooded"].sum()), "alone_75": int(p["alone_75"].sum()),
            "vulnerable": int(p["vulnerable"].sum()),
            # one name once: a pool and its solarium are two records of the same place
            "cool_places_flooded": list(dict.fromkeys(pl.loc[pl["depth"] > wet, "name"]))}


ALGORITHM = "twin-seine-flood"


def drive(data_dir: Path, *, scenario: str | None = None, stage_m: float | None = None, hydrograph: str | None = None,
          discharge: tuple[str, str] | None = None, hours: float | None = None) -> tuple[str, np.ndarray, np.ndarray, float]:
    """What drives the river: a label, the hydrograph (hours, stages) and the simulated hours."""
    if sum(x is not None for x in (scenario, stage_m, hydrograph, discharge)) > 1:
        raise ScenarioError("give one drive of the river: a scenario, a stage, a hydrograph or a discharge period")
    if hydrograph is not None:
        at, stages = triangle_hydrograph(hydrograph)
        return f"Hydrogramme {hydrograph}", at, stages, hours or float(at[-1])
    if discharge is not None:
        at, stages = discharge_hydrograph(data_dir, *discharge)
        return f"Débit de la Seine du {discharge[0]} au {discharge[1]}", at, stages, hours or float(at[-1])
    label, stage = scenario_stage(scenario, stage_m)
    hours = hours or 6.0
    return label, np.array([0.0, hours]), np.array([stage, stage]), hours


def scenario_stage(scenario: str | None, stage_m: float | None) -> tuple[str, float]:
    named = PARAMETERS["scenarios"]
    if (scenario is None) == (stage_m is None):
        raise ScenarioError(f"give a scenario ({', '.join(named)}) or a stage in metres, not both")
    if scenario is not None:
        if scenario not in named:
            raise ScenarioError(f"unknown scenario {scenario!r}; known: {', '.join(named)}")
        return f"Seine {scenario}", float(named[scenario]["stage_m"])
    return f"Seine à {significant(stage_m)} m (Austerlitz)", float(stage_m)


#: the realism components of the flood model, each of which can be turned off to measure its effect
COMPONENTS = {
    "terrain_filter": "filtre progressif du terrain (Zhang 2003) au lieu d'une ouverture unique",
    "water_line": "ligne d'eau en pente (remous 1D) au lieu d'un niveau plat",
    "underground": "eau arrivée par les sous-sols (égouts, chantiers du métro, caves), comptée à part",
}


def realism(territory, data_dir: Path, *, stage_m: float, hours: float, resolution_m: float,
            progress: Progress = no_progress) -> list[dict]:
    """The stage held ``hours``, with every realism component on, then with each turned off in
    turn: flooded area in Paris, agreement with the PPRI (IoU, precision, share of the PPRI
    reached) and with Institut Paris Région's flood-zone shares per arrondissement."""
    zini = territory.arrondissement_indicators["flood_share_zini"]
    at, stages = np.array([0.0, hours]), np.array([stage_m, stage_m])
    rows, domains = [], {}

    def one(label: str, off: str | None, progressive: bool, sloping: bool, fraction: float) -> dict:
        progress(label, fraction)
        if progressive not in domains:
            domains[progressive] = domain(territory, data_dir, resolution_m, progressive_filter=progressive)
        r = run_hydrograph(domains[progressive], at, stages, hours, sloping=sloping).report
        z = zini_agreement(r["flooded_share_per_arrondissement"], zini) or {}
        return {"configuration": label, "off": off, "flooded_km2": r["flooded_km2"], "iou_with_ppri": r["iou_with_ppri"],
                "precision_vs_ppri": r["precision_vs_ppri"], "share_of_ppri_flooded": r["share_of_ppri_flooded"],
                "arrondissement_spearman": z.get("spearman"), "arrondissement_mean_difference": z.get("mean_absolute_difference"),
                "underground": r["underground"]}

    full = one("tout", None, True, True, 0.0)
    rows.append(full)
    u = full["underground"]
    rows.append({**full, "configuration": "tout, avec l'eau arrivée par les sous-sols", "off": None,
                 "flooded_km2": u["flooded_with_underground_km2"], "iou_with_ppri": u["iou_with_ppri"],
                 "precision_vs_ppri": None, "share_of_ppri_flooded": None, "arrondissement_spearman": None,
                 "arrondissement_mean_difference": None})
    rows.append(one("sans la ligne d'eau en pente (niveau plat)", "water_line", True, False, 0.35))
    rows.append(one("sans le filtre progressif (ouverture unique)", "terrain_filter", False, True, 0.7))
    progress("Terminé", 1.0)
    return rows
