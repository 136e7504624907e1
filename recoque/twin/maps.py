"""Maps of twin runs as PNG images, drawn here (Pillow) from the run's NetCDF: no tiles, no
network. North is up; cells outside Paris or without data are transparent."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import xarray as xr
from PIL import Image

from recoque.core.typography import number
from recoque.twin import basemap

# colour ramps (RGB stops)
WARM = [(49, 54, 149), (116, 173, 209), (255, 255, 191), (244, 109, 67), (165, 0, 38)]
CHANGE = [(33, 102, 172), (146, 197, 222), (247, 247, 247), (244, 165, 130), (178, 24, 43)]
WATER = [(222, 235, 247), (107, 174, 214), (33, 113, 181), (8, 48, 107)]
TERRAIN = [(237, 248, 233), (186, 228, 179), (116, 196, 118), (35, 139, 69), (0, 90, 50)]

FIELDS = {   # field: (file, ramp, fixed range or None, label)
    "night": ("heat.nc", "air_temperature_anomaly_night", WARM, None, "Nuit : écart avec la campagne (K)"),
    "scenario_night": ("heat.nc", "scenario_air_temperature_anomaly_night", WARM, None, "Nuit avec le scénario (K)"),
    "night_change": ("heat.nc", "change_air_temperature_anomaly_night", CHANGE, "symmetric", "Changement la nuit (K)"),
    "day_change": ("heat.nc", "change_surface_temperature_anomaly_day", CHANGE, "symmetric", "Changement le jour, surfaces (K)"),
    "terrain": ("flood.nc", "terrain", TERRAIN, None, "Terrain (m)"),
    "max_depth": ("flood.nc", "max_depth", WATER, (0.0, 3.0), "Hauteur d'eau maximale (m)"),
}


def ramp(values: np.ndarray, stops: list[tuple[int, int, int]]) -> np.ndarray:
    """Values in 0–1 to RGB through the stops."""
    v = np.clip(np.nan_to_num(values, nan=0.0), 0, 1) * (len(stops) - 1)
    i = np.minimum(v.astype(int), len(stops) - 2)
    f = (v - i)[..., None]
    s = np.array(stops, dtype=float)
    return (s[i] * (1 - f) + s[i + 1] * f).astype(np.uint8)


def _read(run_dir: Path, field: str):
    if field not in FIELDS:
        raise KeyError(field)
    name, var, *_ = FIELDS[field]
    with xr.open_dataset(Path(run_dir) / name) as ds:
        values = ds[var].to_numpy().astype(float)
        ground = ds["terrain"].to_numpy().astype(float) if field == "max_depth" else None
        if field == "max_depth" and "river" in ds:   # the river bed is not a flooded street
            values = np.where(ds["river"].to_numpy() > 0, np.nan, values)
        return values, ground, ds["x"].to_numpy(), ds["y"].to_numpy()


def _wet() -> float:
    from recoque.twin.seine import PARAMETERS

    return PARAMETERS["wet_depth_m"]   # the depth the flood report counts as flooded


def _mask(values: np.ndarray, field: str) -> np.ndarray:
    mask = np.isfinite(values)
    return mask & (values > _wet()) if field == "max_depth" else mask


def span(run_dir: Path, field: str) -> tuple[float, float]:
    """The range a map of ``field`` colours: fixed for water depth, symmetric for a change, the
    1st to 99th percentile otherwise."""
    values = _read(run_dir, field)[0]
    return _span(values[_mask(values, field)], FIELDS[field][3])


def _span(known: np.ndarray, fixed) -> tuple[float, float]:
    if fixed == "symmetric":
        m = float(np.abs(known).max()) if known.size else 1.0
        return -(m or 1.0), (m or 1.0)
    if fixed is not None:
        return fixed
    return (float(np.percentile(known, 1)), float(np.percentile(known, 99))) if known.size else (0.0, 1.0)


def render(run_dir: Path, field: str, *, width: int = 760, limits: tuple[float, float] | None = None,
           base: basemap.Base | None = None) -> tuple[bytes, tuple]:
    """A PNG of one field of a run and the range its colours span; with ``base``, the Seine and
    the arrondissements (outlines, names) drawn over it."""
    values, ground, xs, ys = _read(run_dir, field)
    _name, _var, stops, fixed, _label = FIELDS[field]
    if ys[0] < ys[-1]:
        values = values[::-1]   # north up
        ground = None if ground is None else ground[::-1]
    mask = _mask(values, field)
    lo, hi = limits if limits is not None else _span(values[mask], fixed)
    rgb = ramp((values - lo) / ((hi - lo) or 1.0), stops)
    alpha = np.where(mask, 255, 0).astype(np.uint8)
    if ground is not None:   # water over the ground in greys, so that the city can be read under it
        g0, g1 = np.percentile(ground[np.isfinite(ground)], [2, 98])
        grey = (200 - 110 * np.clip((ground - g0) / ((g1 - g0) or 1.0), 0, 1)).astype(np.uint8)
        rgb = np.where(mask[..., None], rgb, np.dstack([grey] * 3))
        alpha = np.where(np.isfinite(ground), 255, 0).astype(np.uint8)
    image = Image.fromarray(np.dstack([rgb, alpha]), "RGBA")
    height = max(1, int(round(image.height * width / image.width)))
    image = image.resize((width, height), Image.Resampling.NEAREST)
    if base is not None:
        dx, dy = abs(xs[1] - xs[0]), abs(ys[1] - ys[0])
        image = basemap.draw(image, base, (xs.min() - dx / 2, ys.min() - dy / 2, xs.max() + dx / 2, ys.max() + dy / 2))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue(), (lo, hi)


def table(run_dir: Path, field: str, base: basemap.Base) -> dict:
    """The map's figures per arrondissement, for the table beside it: the flooded area and the
    deepest water for a flood, the mean, lowest and highest value of a heat field."""
    values, _ground, xs, ys = _read(run_dir, field)
    zone = basemap.zones(base, xs, ys)
    cell_km2 = abs(xs[1] - xs[0]) * abs(ys[1] - ys[0]) / 1e6
    label = FIELDS[field][4]
    rows = []
    for i, name in enumerate(base.arrondissements["label"]):
        v = values[(zone == i) & np.isfinite(values)]
        if field == "max_depth":
            wet = v[v > _wet()]
            rows.append((name, number(wet.size * cell_km2, 2), _figure(float(wet.max())) if wet.size else "—"))
        else:
            rows.append((name, *(_figure(float(f(v))) if v.size else "—" for f in (np.mean, np.min, np.max))))
    if field == "max_depth":
        return {"label": label, "columns": ["Surface inondée hors lit (km²)", "Hauteur d'eau maximale (m)"], "rows": rows}
    return {"label": label, "columns": ["Moyenne", "Minimum", "Maximum"], "rows": rows}


def legend(field: str, limits: tuple[float, float]) -> dict:
    _name, _var, stops, _fixed, label = FIELDS[field]
    lo, hi = limits
    return {"label": label, "low": _figure(lo), "high": _figure(hi),
            "gradient": ", ".join(f"rgb{tuple(s)}" for s in stops)}


def _figure(value: float) -> str:
    """Two significant digits at least (a change of a thousandth of a kelvin stays readable), in
    French typography."""
    if value == 0:
        return "0"
    return number(value, max(2, 1 - int(np.floor(np.log10(abs(value))))))


EXTENT_FIELD = "extent_vs_ppri"   # the name of the flood's extent-over-the-PPRI map among a run's maps


def has_extent(run_dir: Path) -> bool:
    """Whether a flood run's results hold what the extent-over-the-PPRI map needs."""
    path = Path(run_dir) / "flood.nc"
    if not path.is_file():
        return False
    with xr.open_dataset(path) as ds:
        return "ppri" in ds and "inside_paris" in ds


#: the categories of the map of a flood's extent over the PPRI, with their colours
EXTENT = {"both": ("inondé par le modèle et dans le PPRI", (8, 81, 156)),
          "model": ("inondé par le modèle, hors PPRI", (230, 85, 13)),
          "ppri": ("dans le PPRI, non inondé par le modèle", (158, 202, 225)),
          "underground": ("atteint seulement par les sous-sols (compté à part)", (117, 107, 177))}


def extent_over_ppri(run_dir: Path, *, width: int = 900, base: basemap.Base | None = None) -> bytes:
    """A PNG of a flood run's extent in Paris over the PPRI zones (river bed left out): where the
    model and the PPRI agree, where only one of them floods, and what the water reached only
    underground; the ground in greys beneath."""
    with xr.open_dataset(Path(run_dir) / "flood.nc") as ds:
        if "ppri" not in ds:
            raise KeyError("this run predates the PPRI layer in its results: run it again")
        depth, ppri, river = (ds[v].to_numpy() for v in ("max_depth", "ppri", "river"))
        paris = ds["inside_paris"].to_numpy() > 0
        under = ds["underground"].to_numpy() > 0
        ground = ds["terrain"].to_numpy().astype(float)
        xs, ys = ds["x"].to_numpy(), ds["y"].to_numpy()
    land = paris & (river == 0)
    flooded, zone = (depth > _wet()) & land, (ppri > 0) & land
    if ys[0] < ys[-1]:   # north up
        flooded, zone, land, ground, under = (a[::-1] for a in (flooded, zone, land, ground, under))
    g0, g1 = np.percentile(ground[np.isfinite(ground)], [2, 98])
    grey = (215 - 90 * np.clip((ground - g0) / ((g1 - g0) or 1.0), 0, 1)).astype(np.uint8)
    rgb = np.dstack([grey] * 3)
    for mask, key in ((zone & ~flooded, "ppri"), (flooded & ~zone, "model"), (flooded & zone, "both"),
                      (under & land & ~flooded, "underground")):
        rgb[mask] = EXTENT[key][1]
    alpha = np.where(np.isfinite(ground), 255, 0).astype(np.uint8)
    image = Image.fromarray(np.dstack([rgb, alpha]), "RGBA")
    image = image.resize((width, max(1, int(round(image.height * width / image.width)))), Image.Resampling.NEAREST)
    if base is not None:
        dx, dy = abs(xs[1] - xs[0]), abs(ys[1] - ys[0])
        image = basemap.draw(image, base, (xs.min() - dx / 2, ys.min() - dy / 2, xs.max() + dx / 2, ys.max() + dy / 2))
    image = _with_legend(image, [(label, colour) for label, colour in EXTENT.values()])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def text_font(size: int):
    """A font with French accents: Bitstream Vera, which ReportLab (a dependency) ships; Pillow's
    own default has no « é »."""
    from pathlib import Path as _Path

    import reportlab
    from PIL import ImageFont

    vera = _Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    return ImageFont.truetype(str(vera), size) if vera.is_file() else ImageFont.load_default(size=size)


def _with_legend(image: Image.Image, entries: list[tuple[str, tuple[int, int, int]]]) -> Image.Image:
    """The image with a legend beneath it: a swatch and its label per entry."""
    from PIL import ImageDraw

    font = text_font(15)
    line = 24
    out = Image.new("RGBA", (image.width, image.height + line * len(entries) + 12), (255, 255, 255, 255))
    out.paste(image, (0, 0))
    draw = ImageDraw.Draw(out)
    for i, (label, colour) in enumerate(entries):
        y = image.height + 8 + i * line
        draw.rectangle((10, y, 30, y + 16), fill=colour, outline=(60, 60, 60))
        draw.text((40, y), label, fill=(20, 20, 20), font=font)
    return out
