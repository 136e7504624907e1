"""Indicators per IRIS, and their aggregation to quartiers and arrondissements.

The metadata of every layer (labels, unit, aggregation, source) lives in ``layers.yaml``
(read through ``recoque.core.layers``); the function that computes it is registered here under
the same id. Pure: territory in, frames out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from recoque.core.layers import layer_spec, read_layer_specs, require_level
from recoque.governance.algorithms import algorithm
from recoque.territory.model import PARAMETERS, Territory

TERRITORY_LAYERS = Path(__file__).with_name("layers.yaml")


@lru_cache(maxsize=1)
def territory_layer_ids() -> tuple[str, ...]:
    return tuple(read_layer_specs(TERRITORY_LAYERS))


# --- per-IRIS computations ---------------------------------------------------------------

def elderly_alone(t: Territory) -> np.ndarray:
    return _by_code(t, t.population["elderly_80_plus_alone"]).round()


def heat_exposure(t: Territory) -> np.ndarray:
    classes = {"Low": 1.0, "Medium": 2.0, "High": 3.0}
    return t.iris["heat_class"].map(classes).astype("float64").to_numpy(na_value=np.nan)


def tree_count(t: Territory) -> np.ndarray:
    idx = t.iris.sindex.query(t.trees.geometry, predicate="within")
    return np.bincount(idx[1], minlength=len(t.iris)).astype(np.float64)


def green_share(t: Territory) -> np.ndarray:
    """Share (0–1) of each IRIS in public green space; see parameters.yaml ``green_spaces``."""
    p = PARAMETERS["green_spaces"]
    gs = t.green_spaces
    postcode = pd.to_numeric(gs["Code postal"], errors="coerce")
    arr = (postcode.where(postcode != 75116, 75016) - 75000 + 75100).astype("Int64").astype("string")
    not_wood = ~gs["Nom de l'espace vert"].astype(str).str.upper().str.startswith(p["wood_name_prefix"])
    area = pd.to_numeric(gs[p["area_column"]], errors="coerce").fillna(0.0)
    green_by_arr = area[not_wood & arr.isin(t.arrondissements["code"])].groupby(arr).sum()

    iris_area = t.iris.geometry.area
    kind = t.iris["kind"]
    land = iris_area.where(kind == "urban", 0.0).groupby(t.iris["arrondissement"]).sum()
    ratio = (green_by_arr.reindex(land.index).fillna(0.0) / land).clip(upper=1.0)
    share = t.iris["arrondissement"].map(ratio).astype("float64")
    share[kind == "wood"] = PARAMETERS["wood_iris"]["green_share"]
    share[kind == "water"] = 0.0
    return share.to_numpy()


def green_space_percent(t: Territory) -> np.ndarray:
    return 100.0 * green_share(t)


def flood_zone_percent(t: Territory) -> np.ndarray:
    zone = shapely.union_all(t.ppri.geometry.values)
    inside = shapely.area(shapely.intersection(t.iris.geometry.values, zone))
    return 100.0 * inside / t.iris.geometry.area.to_numpy()


def cool_places_nearby(t: Territory) -> np.ndarray:
    radius = PARAMETERS["cool_places"]["radius_m"]
    points = t.iris.geometry.representative_point()
    idx = t.cool_places.sindex.query(points, predicate="dwithin", distance=radius)
    return np.bincount(idx[0], minlength=len(t.iris)).astype(np.float64)


def population(t: Territory) -> np.ndarray:
    return _by_code(t, t.population["population"])


def density(t: Territory) -> np.ndarray:
    return population(t) / (t.iris.geometry.area.to_numpy() / 1e6)


def heat_vulnerability_night(t: Territory) -> pd.Series:
    return t.arrondissement_indicators["heat_vulnerability_night"]


def heat_vulnerability_day(t: Territory) -> pd.Series:
    return t.arrondissement_indicators["heat_vulnerability_day"]


def flood_share_zini(t: Territory) -> pd.Series:
    return 100.0 * t.arrondissement_indicators["flood_share_zini"]


def _by_code(t: Territory, values: pd.Series) -> np.ndarray:
    return values.reindex(t.iris["code"].to_numpy()).to_numpy(dtype=np.float64)


LAYER_FUNCTIONS: dict[str, Callable[[Territory], np.ndarray]] = {
    "personnes_agees_seules": elderly_alone,
    "exposition_chaleur": heat_exposure,
    "arbres": tree_count,
    "espaces_verts": green_space_percent,
    "zone_inondable": flood_zone_percent,
    "lieux_frais_500m": cool_places_nearby,
    "population": population,
    "densite": density,
}

#: layers published only per arrondissement (``levels: [arrondissement]`` in layers.yaml)
ARRONDISSEMENT_FUNCTIONS: dict[str, Callable[[Territory], pd.Series]] = {
    "vulnerabilite_chaleur_nuit": heat_vulnerability_night,
    "vulnerabilite_chaleur_jour": heat_vulnerability_day,
    "zone_inondable_zini": flood_share_zini,
}


@algorithm("territory-indicators", version="1.0")
def iris_layers(t: Territory) -> pd.DataFrame:
    """Every layer per IRIS: one row per IRIS code, one column per layer."""
    return pd.DataFrame(
        {layer_id: fn(t) for layer_id, fn in LAYER_FUNCTIONS.items()},
        index=pd.Index(t.iris["code"].to_numpy(), name="code"),
    )


def aggregate(t: Territory, values: pd.DataFrame, level: str) -> pd.DataFrame:
    """Aggregate per-IRIS ``values`` to ``level`` by each layer's rule."""
    require_level(level)
    if level == "iris":
        return values
    key = t.iris[level].to_numpy()
    area = pd.Series(t.iris.geometry.area.to_numpy(), index=values.index)
    residents = values["population"].fillna(0.0)
    out = {}
    for layer_id in values.columns:
        spec = layer_spec(layer_id)
        col = values[layer_id]
        if spec.aggregation == "sum":
            out[layer_id] = col.groupby(key).sum(min_count=1)
        elif spec.aggregation == "density":
            num = values[spec.numerator].groupby(key).sum(min_count=1)
            out[layer_id] = num / (area.groupby(key).sum() / 1e6)
        else:
            weight = area if spec.aggregation == "area_mean" else residents
            weight = weight.where(col.notna(), 0.0)
            total = weight.groupby(key).sum()
            out[layer_id] = (col.fillna(0.0) * weight).groupby(key).sum() / total.replace(0.0, np.nan)
    frame = pd.DataFrame(out)
    if level == "arrondissement":
        for layer_id, fn in ARRONDISSEMENT_FUNCTIONS.items():
            frame[layer_id] = fn(t)
    frame.index.name = "code"
    return frame.reindex(t.units(level)["code"].to_numpy())
