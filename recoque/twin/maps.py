"""Maps of twin runs as PNG images, drawn here (Pillow) from the run's NetCDF: no tiles, no
network. North is up; cells outside Paris or without data are transparent."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import xarray as xr
from PIL import Image

from recoque.core.typography import number

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


def render(run_dir: Path, field: str, *, width: int = 760, limits: tuple[float, float] | None = None) -> tuple[bytes, tuple]:
    """A PNG of one field of a run and the range its colours span."""
    if field not in FIELDS:
        raise KeyError(field)
    name, var, stops, fixed, _label = FIELDS[field]
    with xr.open_dataset(Path(run_dir) / name) as ds:
        values = ds[var].to_numpy().astype(float)
        ground = ds["terrain"].to_numpy().astype(float) if field == "max_depth" else None
        ys = ds["y"].to_numpy()
    if ys[0] < ys[-1]:
        values = values[::-1]   # north up
        ground = None if ground is None else ground[::-1]
    mask = np.isfinite(values)
    if field == "max_depth":
        mask &= values > 0.01
    known = values[mask]
    if limits is not None:
        lo, hi = limits
    elif fixed == "symmetric":
        m = float(np.abs(known).max()) if known.size else 1.0
        lo, hi = -(m or 1.0), (m or 1.0)
    elif fixed is not None:
        lo, hi = fixed
    else:
        lo, hi = (float(np.percentile(known, 1)), float(np.percentile(known, 99))) if known.size else (0.0, 1.0)
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
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue(), (lo, hi)


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
