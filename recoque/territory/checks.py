"""Invariants the territory must satisfy on every load. Pure functions over GeoDataFrames."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from recoque.core.errors import TerritoryCheckError

if TYPE_CHECKING:
    from recoque.territory.model import Territory

#: a unit must lie mostly inside its parent. IGN (IRIS) and City (arrondissement) outlines differ
#: by a few metres along the Seine and the périphérique: 751145604 has 93 % of its area inside.
MIN_SHARE_INSIDE_PARENT = 0.90


def check_territory(territory: "Territory", published: dict[str, Any]) -> None:
    """Run every check; raise one ``TerritoryCheckError`` listing all problems found."""
    problems: list[str] = []
    for level in ("arrondissement", "quartier", "iris"):
        units = territory.units(level)
        problems += unique_codes(units, level)
        expected = published[level]["count"]
        if len(units) != expected:
            problems.append(
                f"{len(units)} {level} units loaded where {expected} are published "
                f"({published[level]['source']})"
            )
    for level in ("quartier", "iris"):
        problems += inside_their_arrondissement(territory.units(level), territory.arrondissements, level)
    if problems:
        shown = "\n  - ".join(problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise TerritoryCheckError(f"the territory fails {len(problems)} check(s):\n  - {shown}{more}")


def unique_codes(units: gpd.GeoDataFrame, level: str) -> list[str]:
    dup = units.loc[units["code"].duplicated(), "code"].unique()
    return [f"{level} code {c} appears more than once" for c in dup]


def inside_their_arrondissement(
    units: gpd.GeoDataFrame, arrondissements: gpd.GeoDataFrame, level: str
) -> list[str]:
    """Each unit's arrondissement exists, holds its representative point and most of its area."""
    problems: list[str] = []
    by_code = arrondissements.set_index("code").geometry
    unknown = ~units["arrondissement"].isin(by_code.index)
    for code, arr in units.loc[unknown, ["code", "arrondissement"]].itertuples(index=False):
        problems.append(f"{level} {code} names arrondissement {arr}, which does not exist")
    known = units[~unknown]
    parents = gpd.GeoSeries(by_code.loc[known["arrondissement"]].values, crs=units.crs)
    geoms = gpd.GeoSeries(known.geometry.values, crs=units.crs)
    point_inside = parents.buffer(1.0).contains(geoms.representative_point()).to_numpy()
    share = (geoms.intersection(parents).area / geoms.area.replace(0, np.nan)).fillna(0).to_numpy()
    bad = ~point_inside | (share < MIN_SHARE_INSIDE_PARENT)
    for code, arr, s in zip(known["code"][bad], known["arrondissement"][bad], share[bad]):
        problems.append(f"{level} {code} lies outside its arrondissement {arr} ({s:.0%} of its area inside)")
    return problems


def assign_parent(units: gpd.GeoDataFrame, parents: gpd.GeoDataFrame) -> pd.Series:
    """Code of the parent unit holding each unit's representative point (``<NA>`` if none)."""
    points = gpd.GeoDataFrame(geometry=units.geometry.representative_point(), crs=units.crs)
    joined = gpd.sjoin(points, parents[["code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["code"].reindex(units.index).astype("string")
