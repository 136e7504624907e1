"""The territory of Paris: boundaries and point/polygon layers, loaded, harmonised and checked.

Everything is held in Lambert-93 (EPSG:2154); WGS84 appears only at the web edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import yaml

from recoque.core.layers import LEVELS
from recoque.core.parameters import ParameterFile
from recoque.territory import checks
from recoque.territory.residents import iris_residents
from recoque.territory.sources import LAMBERT93, read_source, require_crs

_HERE = Path(__file__).parent


PARAMETERS = ParameterFile(__file__, "parameters.yaml")


@lru_cache(maxsize=1)
def published_counts() -> dict[str, Any]:
    return yaml.safe_load((_HERE / "published.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Territory:
    """Paris in Lambert-93. Unit tables carry ``code``, ``name``, ``arrondissement``, geometry."""

    arrondissements: gpd.GeoDataFrame
    quartiers: gpd.GeoDataFrame
    iris: gpd.GeoDataFrame
    communes_idf: gpd.GeoDataFrame
    trees: gpd.GeoDataFrame
    cool_places: gpd.GeoDataFrame
    fountains: gpd.GeoDataFrame
    ppri: gpd.GeoDataFrame
    green_spaces: pd.DataFrame
    population: pd.DataFrame  # per IRIS code: residents (RP2022 level, residents.py), elderly counts (RP2022)
    arrondissement_indicators: pd.DataFrame  # per arrondissement code: published shares and scores

    def __post_init__(self) -> None:
        for name in ("arrondissements", "quartiers", "iris", "communes_idf", "trees",
                     "cool_places", "fountains", "ppri"):
            require_crs(getattr(self, name), LAMBERT93, f"territory layer {name!r}")

    def units(self, level: str) -> gpd.GeoDataFrame:
        from recoque.core.errors import UnknownNameError

        tables = {"arrondissement": self.arrondissements, "quartier": self.quartiers, "iris": self.iris}
        if level not in tables:
            raise UnknownNameError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
        return tables[level]

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """Bounding box of Paris (the 20 arrondissements, woods included), metres, EPSG:2154."""
        return tuple(float(v) for v in self.arrondissements.total_bounds)  # type: ignore[return-value]


def load_territory(data_dir: Path | str) -> Territory:
    """Read every territory file from ``data_dir``, bring it to Lambert-93, and check it."""
    data_dir = Path(data_dir)
    arr = read_source(data_dir, "arrondissements").to_crs(LAMBERT93)
    arrondissements = gpd.GeoDataFrame(
        {
            "code": arr["c_arinsee"].astype(int).astype(str),
            "name": arr["l_ar"].astype(str),
            "official_name": arr["l_aroff"].astype(str),
        },
        geometry=arr.geometry.values, crs=LAMBERT93,
    )
    arrondissements["arrondissement"] = arrondissements["code"]

    qu = read_source(data_dir, "quartiers").to_crs(LAMBERT93)
    quartiers = gpd.GeoDataFrame(
        {
            "code": qu["c_quinsee"].astype(int).astype(str),
            "name": qu["l_qu"].astype(str),
            "arrondissement": (75100 + qu["c_ar"].astype(int)).astype(str),
        },
        geometry=qu.geometry.values, crs=LAMBERT93,
    )

    ir = read_source(data_dir, "iris")
    iris = gpd.GeoDataFrame(
        {
            "code": ir["code_iris"].astype(str),
            "name": ir["nom_iris"].astype(str),
            "arrondissement": ir["code_iris"].astype(str).str[:5],
            "heat_class": ir["heat_score"].astype("string"),
        },
        geometry=ir.geometry.values, crs=LAMBERT93,
    )
    iris["kind"] = _iris_kind(iris)

    communes = read_source(data_dir, "communes_idf").to_crs(LAMBERT93)
    communes = gpd.GeoDataFrame({"code": communes["code"].astype(str), "name": communes["nom"]},
                                geometry=communes.geometry.values, crs=LAMBERT93)

    ppri = read_source(data_dir, "ppri").to_crs(LAMBERT93)[["zonage", "geometry"]]
    ppri["geometry"] = ppri.geometry.make_valid()

    cool = read_source(data_dir, "cool_places").to_crs(LAMBERT93)
    fountains = read_source(data_dir, "fountains").to_crs(LAMBERT93)

    territory = Territory(
        arrondissements=arrondissements,
        quartiers=quartiers,
        iris=iris,
        communes_idf=communes,
        trees=_read_trees(data_dir),
        cool_places=cool[["identifiant", "nom", "type", "adresse", "arrondissement", "geometry"]],
        fountains=fountains[["gid", "type_objet", "voie", "dispo", "geometry"]],
        ppri=ppri,
        green_spaces=read_source(data_dir, "green_spaces"),
        population=_read_population(data_dir),
        arrondissement_indicators=_read_arrondissement_indicators(data_dir),
    )
    checks.check_territory(territory, published_counts())
    # IRIS -> quartier, by the quartier holding the IRIS's representative point
    territory.iris["quartier"] = checks.assign_parent(territory.iris, territory.quartiers)
    return territory


def _iris_kind(iris: gpd.GeoDataFrame) -> pd.Series:
    p = PARAMETERS
    kind = pd.Series("urban", index=iris.index, dtype="string")
    kind[iris["code"].str.endswith(p["water_iris"]["code_suffix"])] = "water"
    woods = iris["name"].str.startswith(tuple(p["wood_iris"]["name_prefixes"]))
    kind[woods] = "wood"
    return kind


def _read_trees(data_dir: Path) -> gpd.GeoDataFrame:
    """Both bundled tree inventories as points with a height, de-duplicated on the City's id."""
    planted = read_source(data_dir, "trees_planted")
    latlon = planted["geo_point_2d"].astype(str).str.split(",", n=1, expand=True)
    planted_gdf = gpd.GeoDataFrame(
        {
            "tree_id": planted["Emplacement - Identifiant unique"].astype(str),
            "height_m": pd.to_numeric(planted["Arbre - Hauteur en m"], errors="coerce"),
            "inventory": "les-arbres-plantes",
        },
        geometry=gpd.points_from_xy(pd.to_numeric(latlon[1], errors="coerce"),
                                    pd.to_numeric(latlon[0], errors="coerce")),
        crs=4326,
    )
    sample = read_source(data_dir, "trees")
    sample_gdf = gpd.GeoDataFrame(
        {
            "tree_id": sample["idbase"].astype(str),
            "height_m": pd.to_numeric(sample["hauteurenm"], errors="coerce"),
            "inventory": "les-arbres",
        },
        geometry=sample.geometry.values, crs=4326,
    )
    trees = pd.concat([sample_gdf, planted_gdf], ignore_index=True)
    trees = trees[~trees.geometry.is_empty & trees.geometry.x.notna()]
    trees = trees.drop_duplicates("tree_id").reset_index(drop=True)
    return gpd.GeoDataFrame(trees, geometry="geometry", crs=4326).to_crs(LAMBERT93)


def _postcode_to_arrondissement(postcode: pd.Series) -> pd.Series:
    """75001–75020 and 75116 -> INSEE 75101–75120 (the 16th has two postcodes); others <NA>."""
    code = pd.to_numeric(postcode, errors="coerce")
    arr = (code.where(code != 75116, 75016) - 75000).where(lambda n: n.between(1, 20))
    return (75100 + arr).astype("Int64").astype("string")


def _read_arrondissement_indicators(data_dir: Path) -> pd.DataFrame:
    """Heat-vulnerability notes (IPR ICU/LCZ) and flood-zone share (IPR ZINI) per arrondissement.

    Published per postcode; the 16th's two postcodes carry the same values, which is checked.
    """
    from recoque.core.errors import DataFileError

    frames = []
    for key, columns in (("heat_vulnerability_postcodes", {"vulnj_note": "heat_vulnerability_day",
                                                           "vulnn_note": "heat_vulnerability_night",
                                                           "aleaj_note": "heat_hazard_day",
                                                           "alean_note": "heat_hazard_night",
                                                           "hauteurmoy": "mean_building_height_m"}),
                         ("flood_share_postcodes", {"prop_at_flood_risk": "flood_share_zini"})):
        raw = read_source(data_dir, key)
        arr = _postcode_to_arrondissement(raw["code_postal"])
        table = raw.loc[arr.notna(), list(columns)].rename(columns=columns).astype(float)
        table.index = arr[arr.notna()].to_numpy()
        spread = table.groupby(level=0).agg(lambda v: v.max() - v.min()).max().max()
        if spread > 1e-9:
            raise DataFileError(data_dir / key, "the two postcodes of one arrondissement disagree")
        frames.append(table.groupby(level=0).first())
    indicators = pd.concat(frames, axis=1)
    indicators.index.name = "code"
    return indicators


def _read_population(data_dir: Path) -> pd.DataFrame:
    residents = iris_residents(data_dir)
    pop = pd.DataFrame({"code": residents.index.to_numpy(), "population": residents["residents"].to_numpy()})
    elderly = read_source(data_dir, "elderly_alone_rp2022")
    elderly = pd.DataFrame({
        "code": elderly["IRIS"].astype(str),
        "elderly_55_plus": elderly["elderly_55_plus"].astype(float),
        "elderly_55_plus_alone": elderly["elderly_55_plus_alone"].astype(float),
        "elderly_80_plus_alone": elderly["elderly_80_plus_alone"].astype(float),
    })
    merged = pop.merge(elderly, on="code", how="outer")
    if merged["code"].duplicated().any():
        dup = merged.loc[merged["code"].duplicated(), "code"].iloc[0]
        from recoque.core.errors import DataFileError

        raise DataFileError(data_dir / "population", f"IRIS {dup} appears twice in the population tables")
    return merged.set_index("code").astype(np.float64)
