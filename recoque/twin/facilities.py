"""Facilities the twin reports on: the bundled collèges (school yards, buildings that may flood)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
from pyproj import Transformer

SCHOOLS = "services/etablissements_scolaires_colleges_paris_2017_2022.csv"


@lru_cache(maxsize=2)
def schools(data_dir: Path) -> pd.DataFrame:
    """One row per collège of the latest school year: name, arrondissement, Lambert-93 x/y."""
    frame = pd.read_csv(Path(data_dir) / SCHOOLS, sep=";", dtype=str)
    frame = frame[frame["Année scolaire"] == frame["Année scolaire"].max()]
    lat, lon = zip(*(map(float, v.split(",")) for v in frame["geo_point_2d"]))
    x, y = Transformer.from_crs(4326, 2154, always_xy=True).transform(lon, lat)
    return pd.DataFrame({"name": "Collège " + frame["Libellé établissement"].str.title(),
                         "arrondissement": frame["Code INSEE"].to_numpy(), "x": x, "y": y}).reset_index(drop=True)
