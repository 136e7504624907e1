"""Urban heat scenarios: the calibrated baseline and the scenario's land cover side by side, the
change per cell, and per IRIS and arrondissement the residents and people aged 80+ living alone
who get cooler (or warmer) nights."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from affine import Affine

from recoque.core.typography import number
from recoque.territory.grid import rasterise
from recoque.twin import urban_heat as uh
from recoque.twin.scenarios import Scenario


@dataclass
class HeatRun:
    grid: xr.Dataset             # baseline and scenario fields, and their difference
    edits: list[str]
    calibration: dict
    per_iris: pd.DataFrame
    per_arrondissement: pd.DataFrame


def add_building_height(grid: xr.Dataset, territory) -> None:
    """Mean building height per arrondissement (Institut Paris Région ICU/LCZ, the only height known
    city-wide in the bundled data) as a grid field; outside Paris the city's mean."""
    heights = territory.arrondissement_indicators["mean_building_height_m"]
    by_id = np.full(21, float(heights.mean()), dtype=np.float32)
    for code, value in heights.items():
        by_id[int(code) - 75100] = value
    grid["building_height"] = (("y", "x"), by_id[np.clip(grid["arrondissement_id"].to_numpy(), 0, 20)],
                               {"units": "m", "long_name": "mean building height of the arrondissement"})


def calibrate(grid: xr.Dataset, territory) -> tuple[float, float, float, dict]:
    """Fit the night model on the IRIS classes and report how well it reproduces them."""
    p = uh.PARAMETERS
    iris_id = grid["iris_id"].to_numpy()
    classes = territory.iris["heat_class"].astype(str).to_numpy()
    a, b, k = uh.night_fit(grid["canopy_fraction"].to_numpy(), grid["green_fraction"].to_numpy(),
                           grid["water_fraction"].to_numpy(), iris_id, classes, float(grid.attrs["dx"]),
                           t=p["tree_cooling_k_per_percent"]["night"]["value"], r=p["green_vs_trees"]["value"],
                           mixing_m=p["mixing_length_m"]["night"]["value"],
                           height=grid["building_height"].to_numpy() if "building_height" in grid else None)
    return a, b, k, {"night_a_k": round(a, 3), "night_b_k": round(b, 3), "night_k_per_m": round(k, 4)}


def _iris_mean(grid: xr.Dataset, values: np.ndarray) -> np.ndarray:
    iris_id = grid["iris_id"].to_numpy()
    inside = iris_id >= 0
    n = grid.sizes["iris"]
    counts = np.bincount(iris_id[inside], minlength=n)
    return np.bincount(iris_id[inside], values[inside], minlength=n) / np.maximum(counts, 1)


def calibration_error(grid: xr.Dataset, territory, night: np.ndarray) -> dict:
    """Agreement of the modelled IRIS night anomaly with the IRIS classes: each IRIS gets the class
    whose target is nearest; accuracy, balanced accuracy and the mean per class."""
    targets = uh.PARAMETERS["calibration_targets_night_k"]
    names = ["Low", "Medium", "High"]
    mean = _iris_mean(grid, night)
    predicted = np.array(names)[np.argmin(np.abs(mean[:, None] - np.array([targets[c] for c in names])[None, :]), axis=1)]
    truth = territory.iris["heat_class"].astype(str).to_numpy()
    ok = np.isin(truth, names)
    recall = {c: round(float((predicted[ok & (truth == c)] == c).mean()), 3) for c in names}
    return {"iris": int(ok.sum()), "accuracy": round(float((predicted[ok] == truth[ok]).mean()), 3),
            "balanced_accuracy": round(float(np.mean(list(recall.values()))), 3), "recall_per_class": recall,
            "mean_k_per_class": {c: round(float(mean[ok & (truth == c)].mean()), 2) for c in names},
            "majority_class_share": round(float((truth[ok] == "High").mean()), 3),
            **hazard_agreement(grid, territory)}


def hazard_agreement(grid: xr.Dataset, territory) -> dict:
    """Rank agreement (Spearman) per arrondissement of each modelled field with the hazard note of
    the same time of day from Institut Paris Région (ICU/LCZ, published per postcode; its
    conseil-de-quartier version has no geometry to join): the night air-temperature anomaly with
    the night note, the day surface-temperature anomaly with the day note. Computed with each run."""
    from scipy.stats import spearmanr

    arr = grid["arrondissement_id"].to_numpy()
    ids = np.arange(1, 21)
    notes = territory.arrondissement_indicators.reindex([str(75100 + i) for i in ids])
    out = {}
    for key, field in (("night", "air_temperature_anomaly_night"), ("day", "surface_temperature_anomaly_day")):
        values = grid[field].to_numpy()
        modelled = np.array([float(np.nanmean(values[arr == i])) for i in ids])
        out[f"spearman_{key}_model_with_{key}_hazard_per_arrondissement"] = round(
            float(spearmanr(modelled, notes[f"heat_hazard_{key}"]).statistic), 3)
    return out


def _room(grid: xr.Dataset) -> np.ndarray:
    return np.clip(1.0 - grid["canopy_fraction"].to_numpy() - grid["green_fraction"].to_numpy()
                   - grid["water_fraction"].to_numpy(), 0.0, 1.0)


def _in(grid: xr.Dataset, arrondissement: str) -> np.ndarray:
    arr = grid["arrondissement_id"].to_numpy()
    return arr > 0 if arrondissement == "all" else arr == int(arrondissement[-2:])


def plant_trees(grid: xr.Dataset, arrondissement: str, trees: int) -> str:
    """New canopy of ``trees`` × the stated crown, spread over the paved room of the area."""
    crown = uh.PARAMETERS["scenarios"]["new_tree_crown_m2"]["value"]
    cell = float(grid.attrs["dx"]) ** 2
    room = _room(grid) * _in(grid, arrondissement)
    room[room < 0.2] = 0.0   # keep some paving: streets and yards, not every last square metre
    total = room.sum() * cell
    wanted = trees * crown
    added = room * min(1.0, wanted / total) if total > 0 else room * 0
    grid["canopy_fraction"].values[...] = (grid["canopy_fraction"].to_numpy() + added).astype(np.float32)
    return f"{number(trees)} arbres plantés ({arrondissement}) : {number(added.sum() * cell / 1e4, 1)} ha de houppiers"


def green_schoolyards(grid: xr.Dataset, data_dir, arrondissement: str, area_each: float | None) -> str:
    """De-pave and green the yard of each collège of the area (« cours Oasis »)."""
    from recoque.twin.facilities import schools as all_schools

    area_each = area_each or uh.PARAMETERS["scenarios"]["schoolyard_greened_m2"]["value"]
    schools = all_schools(Path(data_dir))
    if arrondissement != "all":
        schools = schools[schools["arrondissement"] == arrondissement]
    x, y = schools["x"].to_numpy(), schools["y"].to_numpy()
    dx = float(grid.attrs["dx"])
    cols = np.searchsorted(grid["x"].to_numpy(), np.asarray(x) - dx / 2)
    ys = grid["y"].to_numpy()   # descending (north first) in the territory's grids
    rows = np.searchsorted(-ys, -(np.asarray(y) + dx / 2))
    room = _room(grid)
    green = grid["green_fraction"].to_numpy().copy()
    added = 0.0
    reach = int(np.ceil(np.sqrt(area_each / np.pi) / dx)) + 1   # the yard around the school's point
    for r, c in zip(rows, cols):
        left = area_each
        near = sorted(((i - r) ** 2 + (j - c) ** 2, i, j) for i in range(r - reach, r + reach + 1)
                      for j in range(c - reach, c + reach + 1) if 0 <= i < green.shape[0] and 0 <= j < green.shape[1])
        for _, i, j in near:   # nearest cells first, until the yard's area is greened
            share = min(room[i, j], left / dx**2)
            green[i, j] += share
            room[i, j] -= share
            left -= share * dx**2
            if left <= 1e-6:
                break
        added += area_each - left
    grid["green_fraction"].values[...] = green.astype(np.float32)
    return f"{len(schools)} cours de collège végétalisées ({arrondissement}) : {number(added / 1e4, 2)} ha"


def green_roofs(grid: xr.Dataset, data_dir, arrondissement: str, min_roof_m2: float, share: float | None) -> str:
    """Plant the roofs of the buildings whose footprint (their volumes on one parcel) is at least
    ``min_roof_m2``: ``share`` of each roof, as a share of the cells the footprints cover. Only
    where the building layer has footprints (a sample of the 13e is bundled)."""
    from rasterio.features import rasterize

    from recoque.twin.facilities import BUILDINGS, buildings

    share = share or uh.PARAMETERS["scenarios"]["green_roof_share"]["value"]
    volumes = buildings(Path(data_dir))
    layer = len(volumes)
    if arrondissement != "all":
        volumes = volumes[volumes["arrondissement"] == arrondissement]
    roofs = volumes.groupby("parcel")["footprint_m2"].transform("sum")
    chosen = volumes[roofs >= min_roof_m2]
    dx = float(grid.attrs["dx"])
    xs, ys = grid["x"].to_numpy(), grid["y"].to_numpy()   # y descending (north first)
    fine = 5   # sub-cells per side: the footprint share of each cell
    transform = Affine(dx / fine, 0.0, xs[0] - dx / 2, 0.0, -dx / fine, ys[0] + dx / 2)
    ny, nx = grid.sizes["y"], grid.sizes["x"]
    covered = np.zeros((ny, nx), dtype=np.float32)
    if len(chosen):
        burned = rasterize(((g, 1) for g in chosen.geometry.to_numpy()), out_shape=(ny * fine, nx * fine),
                           transform=transform, fill=0, dtype="uint8")
        covered = burned.reshape(ny, fine, nx, fine).mean(axis=(1, 3)).astype(np.float32)
    before = grid["roof_green_fraction"].to_numpy() if "roof_green_fraction" in grid else np.zeros((ny, nx), np.float32)
    grid["roof_green_fraction"] = (("y", "x"), np.clip(before + share * covered, 0, 1).astype(np.float32),
                                   {"units": "1"})
    planted = float(share * covered.sum() * dx * dx)
    where = "tout Paris" if arrondissement == "all" else arrondissement
    return (f"{chosen['parcel'].nunique()} toitures végétalisées ({where}, bâtiments d'au moins {number(min_roof_m2)} m² "
            f"au sol, {number(share * 100)} % de chaque toit) : {number(planted / 1e4, 2)} ha — sur les {number(layer)} volumes "
            f"bâtis disponibles ({BUILDINGS} ; la couche complète de la Ville se lit au même chemin)")


def run(territory, data_dir, scenario: Scenario, progress=lambda s, f: None) -> HeatRun:
    progress("Grille du territoire", 0.05)
    base = rasterise(territory, resolution_m=scenario.resolution_m)
    base.attrs["dx"] = float(scenario.resolution_m)
    add_building_height(base, territory)
    a, b, k, calibration = calibrate(base, territory)
    progress("Situation actuelle", 0.35)
    uh.UrbanHeat(base, night_a=a, night_b=b, night_k=k)
    calibration["error"] = calibration_error(base, territory, base["air_temperature_anomaly_night"].to_numpy())
    scen = base[["canopy_fraction", "green_fraction", "water_fraction", "building_height", "iris_id",
                 "arrondissement_id"]].copy(deep=True)
    scen.attrs = dict(base.attrs)
    edits = []
    for edit in scenario.edits:
        if edit.plant_trees:
            edits.append(plant_trees(scen, edit.plant_trees.arrondissement, edit.plant_trees.trees))
        if edit.green_schoolyards:
            edits.append(green_schoolyards(scen, data_dir, edit.green_schoolyards.arrondissement,
                                           edit.green_schoolyards.area_m2_each))
        if edit.green_roofs:
            r = edit.green_roofs
            edits.append(green_roofs(scen, data_dir, r.arrondissement, r.min_roof_m2, r.share))
    progress("Scénario", 0.65)
    uh.UrbanHeat(scen, night_a=a, night_b=b, night_k=k)
    out = base.copy()
    for name in ("air_temperature_anomaly_night", "air_temperature_anomaly_night_low",
                 "air_temperature_anomaly_night_high", "surface_temperature_anomaly_day", "canopy_fraction",
                 "green_fraction"):
        out[f"scenario_{name}"] = scen[name]
    if "roof_green_fraction" in scen:
        out["scenario_roof_green_fraction"] = scen["roof_green_fraction"]
    for name in ("air_temperature_anomaly_night", "surface_temperature_anomaly_day"):
        out[f"change_{name}"] = scen[name] - base[name]
        out[f"change_{name}"].attrs["units"] = "K"
    for tag in ("low", "high"):
        out[f"change_air_temperature_anomaly_night_{tag}"] = (scen[f"air_temperature_anomaly_night_{tag}"]
                                                              - base[f"air_temperature_anomaly_night_{tag}"])
    progress("Tableaux par IRIS et arrondissement", 0.85)
    per_iris, per_arr = tables(out, territory)
    return HeatRun(out, edits, calibration, per_iris, per_arr)


def tables(out: xr.Dataset, territory) -> tuple[pd.DataFrame, pd.DataFrame]:
    codes = out["iris_code"].to_numpy()
    frame = pd.DataFrame({"iris": codes,
                          "night_change_k": _iris_mean(out, out["change_air_temperature_anomaly_night"].to_numpy()),
                          "night_change_low_k": _iris_mean(out, out["change_air_temperature_anomaly_night_low"].to_numpy()),
                          "night_change_high_k": _iris_mean(out, out["change_air_temperature_anomaly_night_high"].to_numpy()),
                          "day_change_k": _iris_mean(out, out["change_surface_temperature_anomaly_day"].to_numpy()),
                          "night_baseline_k": _iris_mean(out, out["air_temperature_anomaly_night"].to_numpy())})
    pop = territory.population.reindex(codes)
    frame["residents"] = pop["population"].fillna(0).to_numpy()
    frame["elderly_80_alone"] = pop["elderly_80_plus_alone"].fillna(0).to_numpy()
    frame["arrondissement"] = territory.iris.set_index("code").reindex(codes)["arrondissement"].to_numpy()
    cooler = frame["night_change_k"] <= -0.05
    frame["residents_cooler"] = np.where(cooler, frame["residents"], 0.0)
    frame["elderly_80_alone_cooler"] = np.where(cooler, frame["elderly_80_alone"], 0.0)
    weights = frame["residents"].where(frame["residents"] > 0, 0.0)
    g = frame.groupby("arrondissement")
    per_arr = pd.DataFrame({
        "night_change_k_resident_weighted": g.apply(lambda d: np.average(d["night_change_k"], weights=weights[d.index])
                                                    if weights[d.index].sum() > 0 else d["night_change_k"].mean(),
                                                    include_groups=False),
        "day_change_k": g["day_change_k"].mean(),
        "residents_cooler": g["residents_cooler"].sum(), "elderly_80_alone_cooler": g["elderly_80_alone_cooler"].sum()})
    return frame, per_arr.reset_index()
