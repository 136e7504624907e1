"""What every twin map shows under and over its field, so that a reader finds their street: the
Seine, the arrondissement outlines and their names (« 13e »), drawn from the bundled open data
(no tiles, no network); and the arrondissement of each cell, for the table that stands beside
every map (the same figures, readable by keyboard and screen reader).

Geometry comes from ``data/boundaries`` (Ville de Paris, ODbL; IGN IRIS, Licence Ouverte): the
river is the union of the 23 IRIS « Seine et Berges » (codes ending in 99), the nearest the
bundled data comes to a river polygon (see data/SOURCES.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
from affine import Affine
from PIL import Image, ImageDraw, ImageFont
from rasterio.features import rasterize
from shapely.geometry.base import BaseGeometry

from recoque.core.typography import arrondissement_fr

OUTLINE = (40, 40, 40, 255)
RIVER = (40, 110, 190, 255)
HALO = (255, 255, 255, 255)


@dataclass(frozen=True)
class Base:
    arrondissements: gpd.GeoDataFrame   # EPSG:2154; code (75101…), label (« 1er »…), geometry
    river: BaseGeometry                 # EPSG:2154
    label_points: list                  # one per arrondissement: its streets' part, woods left out


@lru_cache(maxsize=2)
def load(data_dir: Path) -> Base:
    from recoque.territory.model import PARAMETERS
    from recoque.territory.sources import read_source

    arr = read_source(data_dir, "arrondissements").to_crs(2154)
    arr = gpd.GeoDataFrame({"code": arr["c_arinsee"].astype(int).astype(str),
                            "label": [arrondissement_fr(str(int(c))) for c in arr["c_arinsee"]]},
                           geometry=arr.geometry.to_numpy(), crs=2154).sort_values("code").reset_index(drop=True)
    iris = read_source(data_dir, "iris").to_crs(2154)
    river = iris[iris["code_iris"].astype(str).str.endswith("99")].geometry.union_all()
    woods = iris[iris["nom_iris"].astype(str).str.startswith(tuple(PARAMETERS["wood_iris"]["name_prefixes"]))]
    woods = woods.geometry.union_all()
    points = [g.difference(woods).representative_point() for g in arr.geometry]
    return Base(arr, river, points)


def zones(base: Base, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The index (into ``base.arrondissements``) of the arrondissement holding each cell centre of
    the grid with those coordinates (y as stored, either direction); −1 outside Paris."""
    dx, dy = float(abs(x[1] - x[0])), float(abs(y[1] - y[0]))
    north_up = y[0] > y[-1]
    top = float(y.max()) + dy / 2
    transform = Affine(dx, 0.0, float(x.min()) - dx / 2, 0.0, -dy, top)
    grid = rasterize(((g, i) for i, g in enumerate(base.arrondissements.geometry)), out_shape=(len(y), len(x)),
                     transform=transform, fill=-1, dtype="int16")
    return grid if north_up else grid[::-1]


def draw(image: Image.Image, base: Base, extent: tuple[float, float, float, float]) -> Image.Image:
    """The river, outlines and names drawn over ``image`` (north up) covering ``extent`` =
    (xmin, ymin, xmax, ymax) in EPSG:2154."""
    xmin, ymin, xmax, ymax = extent
    sx, sy = image.width / (xmax - xmin), image.height / (ymax - ymin)

    def pixels(coords) -> list[tuple[float, float]]:
        return [((cx - xmin) * sx, (ymax - cy) * sy) for cx, cy, *_ in coords]

    out = image.copy()
    pen = ImageDraw.Draw(out)
    for ring in _rings(base.river):
        pen.line(pixels(ring), fill=RIVER, width=2)
    for geom in base.arrondissements.geometry:
        for ring in _rings(geom):
            pen.line(pixels(ring), fill=OUTLINE, width=1)
    size = max(11, image.width // 42)   # about 11 px on screen for a map shown at 30rem
    font = ImageFont.load_default(size=size)
    for label, p in zip(base.arrondissements["label"], base.label_points, strict=True):
        (px, py), = pixels([(p.x, p.y)])
        pen.text((px, py), label, fill=OUTLINE, font=font, anchor="mm", stroke_width=2, stroke_fill=HALO)
    return out


def _rings(geom: BaseGeometry):
    for part in getattr(geom, "geoms", [geom]):
        yield part.exterior.coords
        for hole in part.interiors:
            yield hole.coords

