"""Terrain of the twin: the bundled Copernicus GLO-30 surface model (data/terrain, SOURCES.md)
brought to the twin's grid in Lambert-93. It is a *surface* model — buildings and trees raise
it — so flood runs need the terrain filter of the next step (stated where it is used)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from rasterio.enums import Resampling
from rasterio.transform import from_origin
from rasterio.warp import reproject

from recoque.core.errors import RecoqueError

DEM = "copernicus_dem_glo30_paris_clip.tif"
#: Lambert-93 box of the bundled model (inside its WGS84 bounds 2.1857–2.5157 E, 48.7835–48.9265 N)
BOX = (641_000.0, 6_854_500.0, 664_000.0, 6_869_500.0)


class TerrainError(RecoqueError):
    """The terrain file is missing or unreadable, or a window falls outside it."""


def surface_model(data_dir: Path, resolution_m: float, box: tuple[float, float, float, float] = BOX) -> np.ndarray:
    """Elevation (m, EGM2008) on a Lambert-93 grid of ``resolution_m`` over ``box`` (xmin, ymin,
    xmax, ymax), row 0 at the south edge (the twin's y axis points north), bilinear."""
    path = Path(data_dir) / "terrain" / DEM
    if not path.exists():
        raise TerrainError(f"{path}: missing — see data/SOURCES.md")
    xmin, ymin, xmax, ymax = box
    nx, ny = int(round((xmax - xmin) / resolution_m)), int(round((ymax - ymin) / resolution_m))
    if nx < 2 or ny < 2:
        raise TerrainError(f"resolution {resolution_m} m is too coarse for the box")
    out = np.full((ny, nx), np.nan, dtype=np.float64)
    with rasterio.open(path) as src:
        reproject(source=rasterio.band(src, 1), destination=out, dst_transform=from_origin(xmin, ymax, resolution_m,
                  resolution_m), dst_crs="EPSG:2154", resampling=Resampling.bilinear, dst_nodata=np.nan)
    if np.isnan(out).any():
        raise TerrainError(f"the box {box} reaches outside the bundled terrain model")
    return out[::-1].copy()   # north-up raster → row 0 south
