"""What the twin builds on besides the territory: the bundled collèges (school yards, buildings
that may flood) and the building volumes (obstacles to a flood, roofs to green)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
from pyproj import Transformer

SCHOOLS = "services/etablissements_scolaires_colleges_paris_2017_2022.csv"
#: the City's « volumesbatisparis » layer (APUR): only a 335-volume sample of the 13e is bundled;
#: the full layer is read the same way at the same path
BUILDINGS = "buildings/volumesbatisparis_sample_13e_335.geojson"


@lru_cache(maxsize=2)
def schools(data_dir: Path) -> pd.DataFrame:
    """One row per collège of the latest school year: name, arrondissement, Lambert-93 x/y."""
    frame = pd.read_csv(Path(data_dir) / SCHOOLS, sep=";", dtype=str)
    frame = frame[frame["Année scolaire"] == frame["Année scolaire"].max()]
    lat, lon = zip(*(map(float, v.split(",")) for v in frame["geo_point_2d"]))
    x, y = Transformer.from_crs(4326, 2154, always_xy=True).transform(lon, lat)
    return pd.DataFrame({"name": "Collège " + frame["Libellé établissement"].str.title(),
                         "arrondissement": frame["Code INSEE"].to_numpy(), "x": x, "y": y}).reset_index(drop=True)


@lru_cache(maxsize=2)
def buildings(data_dir: Path):
    """Building volumes in Lambert-93: ``floors`` above ground, ``footprint_m2``, ``parcel`` and
    ``arrondissement`` (751xx); an empty frame when the layer is not there."""
    import geopandas as gpd

    from recoque.core.errors import DataFileError

    path = Path(data_dir) / BUILDINGS
    if not path.exists():
        return gpd.GeoDataFrame({"floors": [], "footprint_m2": [], "parcel": [], "arrondissement": []},
                                geometry=[], crs="EPSG:2154")
    volumes = gpd.read_file(path)
    missing = {"h_et_max", "m2", "n_sq_pf", "n_ar"} - set(volumes.columns)
    if missing:
        raise DataFileError(path, f"no column {', '.join(sorted(missing))} (the volumesbatisparis layer is expected)")
    volumes = volumes.to_crs("EPSG:2154")
    return gpd.GeoDataFrame({"floors": volumes["h_et_max"].fillna(0).astype(int).to_numpy(),
                             "footprint_m2": volumes["m2"].astype(float).to_numpy(),
                             "parcel": volumes["n_sq_pf"].astype(str).to_numpy(),
                             "arrondissement": (75100 + volumes["n_ar"].astype(int)).astype(str).to_numpy()},
                            geometry=volumes.geometry.to_numpy(), crs="EPSG:2154")
