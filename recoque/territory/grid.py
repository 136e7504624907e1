"""Rasterise the territory over Paris into an xarray Dataset in Lambert-93 (EPSG:2154).

Fractions (canopy, green, water) are exact to a sub-grid: each cell is split into
``supersample`` × ``supersample`` sub-cells, polygons are burnt at that finer resolution
(rasterio/GDAL), and the sub-cells are averaged. Work proceeds in strips of rows so the
memory peak stays bounded whatever the resolution.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import rasterio.features
import shapely
import xarray as xr
from affine import Affine

from recoque.core.errors import RecoqueError
from recoque.core.progress import Progress, no_progress
from recoque.territory.layers import density, green_share
from recoque.territory.model import PARAMETERS, Territory

#: sub-cells are at most this wide (metres) when fractions are computed
SUBCELL_TARGET_M = 2.5
#: output rows rasterised at a time
STRIP_ROWS = 128



def rasterise(
    territory: Territory,
    *,
    resolution_m: float = 25.0,
    supersample: int | None = None,
    progress: Progress = no_progress,
) -> xr.Dataset:
    """Grid fields over the bounding box of Paris, snapped to multiples of ``resolution_m``.

    Fields: ``canopy_fraction``, ``green_fraction``, ``water_fraction`` (0–1, float32),
    ``iris_id`` (index into the ``iris_code`` coordinate, −1 outside Paris), ``arrondissement_id``
    (1–20, 0 outside), ``population_density`` (residents per km², NaN where unknown),
    ``heat_class`` (1 low – 3 high, 0 unknown).
    """
    if not (math.isfinite(resolution_m) and 1.0 <= resolution_m <= 1000.0):
        raise RecoqueError(f"grid resolution must be between 1 and 1000 m, got {resolution_m!r}")
    ss = supersample or max(1, math.ceil(resolution_m / SUBCELL_TARGET_M))
    xmin, ymin, xmax, ymax = territory.bounds
    x0 = math.floor(xmin / resolution_m) * resolution_m
    y1 = math.ceil(ymax / resolution_m) * resolution_m
    width = math.ceil((xmax - x0) / resolution_m)
    height = math.ceil((y1 - ymin) / resolution_m)
    transform = Affine(resolution_m, 0.0, x0, 0.0, -resolution_m, y1)

    iris = territory.iris
    iris_shapes = list(zip(iris.geometry.values, range(len(iris))))
    arr_codes = territory.arrondissements["code"].astype(int) - 75100
    arr_shapes = list(zip(territory.arrondissements.geometry.values, arr_codes))

    # per-IRIS lookup tables (index len(iris) = outside Paris)
    water = np.append((iris["kind"] == "water").to_numpy(np.float32), np.float32(0))
    green = np.append(green_share(territory).astype(np.float32), np.float32(0))
    crowns = _tree_crowns(territory)

    fields = {
        "canopy_fraction": np.zeros((height, width), np.float32),
        "green_fraction": np.zeros((height, width), np.float32),
        "water_fraction": np.zeros((height, width), np.float32),
    }
    for row0 in range(0, height, STRIP_ROWS):
        rows = min(STRIP_ROWS, height - row0)
        sub_transform = transform @ Affine.translation(0, row0) @ Affine.scale(1 / ss)
        shape = (rows * ss, width * ss)
        sub_iris = rasterio.features.rasterize(
            iris_shapes, out_shape=shape, transform=sub_transform, fill=len(iris), dtype="int32"
        )
        strip = slice(row0, row0 + rows)
        fields["water_fraction"][strip] = _block_mean(water[sub_iris], ss)
        fields["green_fraction"][strip] = _block_mean(green[sub_iris], ss)
        del sub_iris
        if crowns:
            sub_canopy = rasterio.features.rasterize(
                ((g, 1) for g in crowns), out_shape=shape, transform=sub_transform, fill=0, dtype="uint8"
            )
            fields["canopy_fraction"][strip] = _block_mean(sub_canopy, ss)
        progress("fractions de couverture", (row0 + rows) / height)

    iris_id = rasterio.features.rasterize(
        iris_shapes, out_shape=(height, width), transform=transform, fill=-1, dtype="int32"
    )
    arrondissement_id = rasterio.features.rasterize(
        arr_shapes, out_shape=(height, width), transform=transform, fill=0, dtype="int16"
    )
    progress("identifiants", 1.0)
    density_lookup = np.append(density(territory).astype(np.float32), np.float32(np.nan))
    heat_lookup = np.append(
        iris["heat_class"].map({"Low": 1, "Medium": 2, "High": 3}).fillna(0).to_numpy(np.int8), np.int8(0)
    )
    population_density = density_lookup[iris_id]  # index −1 is the appended "outside" entry
    heat_class = heat_lookup[iris_id]

    x = x0 + resolution_m * (np.arange(width) + 0.5)
    y = y1 - resolution_m * (np.arange(height) + 0.5)
    dims = ("y", "x")
    src = "recoque.territory.grid; sources: data/SOURCES.md"
    ds = xr.Dataset(
        {
            "canopy_fraction": (dims, fields["canopy_fraction"], {
                "units": "1", "long_name": "tree canopy fraction",
                "method": "tree crowns as discs (radius from height, parameters.yaml tree_crowns)",
                "coverage": f"partial: {len(crowns)} trees of the bundled inventories (about 200,000 in Paris)",
            }),
            "green_fraction": (dims, fields["green_fraction"], {
                "units": "1", "long_name": "public green space fraction",
                "method": PARAMETERS["green_spaces"]["rule"].strip(),
            }),
            "water_fraction": (dims, fields["water_fraction"], {
                "units": "1", "long_name": "river and banks fraction",
                "method": PARAMETERS["water_iris"]["rule"],
            }),
            "iris_id": (dims, iris_id, {"long_name": "index into iris_code", "comment": "-1 outside Paris"}),
            "arrondissement_id": (dims, arrondissement_id, {
                "long_name": "arrondissement number (1-20)", "comment": "0 outside Paris"}),
            "population_density": (dims, population_density, {
                "units": "km-2", "long_name": "residents per km2 (INSEE RP2016, habitat IRIS only)"}),
            "heat_class": (dims, heat_class, {
                "long_name": "LCZ heat exposure class of the IRIS (1 low, 2 medium, 3 high, 0 unknown)"}),
        },
        coords={
            "x": ("x", x, {"units": "m", "standard_name": "projection_x_coordinate"}),
            "y": ("y", y, {"units": "m", "standard_name": "projection_y_coordinate"}),
            "iris_code": ("iris", iris["code"].to_numpy().astype(str)),
        },
        attrs={
            "crs": "EPSG:2154",
            "resolution_m": float(resolution_m),
            "supersample": ss,
            "transform": list(transform)[:6],
            "source": src,
        },
    )
    return ds


def _block_mean(sub: np.ndarray, ss: int) -> np.ndarray:
    rows, cols = sub.shape[0] // ss, sub.shape[1] // ss
    return sub.reshape(rows, ss, cols, ss).mean(axis=(1, 3), dtype=np.float32)


def _tree_crowns(territory: Territory) -> list[shapely.Geometry]:
    p = PARAMETERS["tree_crowns"]
    height = territory.trees["height_m"].fillna(0.0).to_numpy()
    radius = np.where(height > 0, np.maximum(p["min_radius_m"], p["radius_per_height"] * height),
                      p["default_radius_m"])
    return list(shapely.buffer(territory.trees.geometry.values, radius, quad_segs=4))


def write_grid(ds: xr.Dataset, path: Path) -> None:
    """Write a grid as NetCDF (CF attributes; opens in QGIS, xarray, GDAL)."""
    ds.to_netcdf(path, engine="scipy")

