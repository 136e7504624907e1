"""Urban heat component: night air and day surface temperature anomalies per cell from land
cover — a documented, calibrated diagnostic model (urban_heat.yaml):

    paved = 1 − canopy − green − water                        (share of built or paved ground)
    local = a · paved − t · 100 canopy − (t / r) · 100 (green + e · roofs) − w · water  (+ k · H at night)
    anomaly = b + GaussianSmoothing(local, σ = mixing length / dx)

``t`` is the published cooling per % of tree cover (Yang et al. 2022), ``r`` the published ratio
of tree to treeless-green cooling (Schwaab et al. 2021); at night ``a``, ``b`` and ``k`` (per
metre of mean building height ``H``, where known) are fitted so that IRIS means match the targets
of their LCZ heat class (least squares); by day ``a`` follows
from the published dense-fabric-vs-trees contrast; green roofs (``roofs``) cool the street as
green space does with an efficiency ``e`` < 1 (an estimate: ground-level greening cools streets
more than green roofs, de Munck et al. 2018). Every output has a low/high band from the
published ranges. The model is steady: ``run_one_step`` recomputes the equilibrium.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import xarray as xr
from scipy import ndimage

from recoque.core.parameters import ParameterFile
from recoque.twin.contract import Component, FieldSpec

PARAMETERS = ParameterFile(__file__, "urban_heat.yaml")


def local_term(canopy, green, water, *, a: float, t: float, r: float, w: float, roofs=0.0, e: float = 0.0) -> np.ndarray:
    """The local term; green roofs (``roofs``, share of the cell) count as green space with the
    street-level efficiency ``e`` and leave the built share as it is."""
    paved = np.clip(1.0 - canopy - green - water, 0.0, 1.0)
    return a * paved - t * 100.0 * canopy - (t / r) * 100.0 * (green + e * roofs) - w * water


TILE_OVER_CELLS = 16_000_000   # grids larger than this are smoothed on Dask tiles
TILE = 2048                     # cells per tile side


def smooth(values: np.ndarray, mixing_m: float, dx: float, *, tile: int | None = None) -> np.ndarray:
    """The Gaussian mixing of a local term (σ = mixing length / cell size), on the whole array, or
    on Dask tiles of ``tile`` cells with a halo of 4σ + 1 cells (SciPy truncates the kernel at 4σ),
    which gives the same values with a peak memory of a few tiles instead of the whole grid's
    float64 temporaries."""
    sigma = mixing_m / dx
    if tile is None:
        return ndimage.gaussian_filter(values.astype(np.float32), sigma=sigma, mode="nearest")
    import dask.array as da

    depth = int(np.ceil(4 * sigma)) + 1
    blocks = da.from_array(values.astype(np.float32), chunks=tile)
    return blocks.map_overlap(lambda x: ndimage.gaussian_filter(x, sigma=sigma, mode="nearest"), depth=depth,
                              boundary="nearest", dtype=np.float32).compute(scheduler="threads")


def night_fit(canopy, green, water, iris_id, iris_class, dx: float, *, t: float, r: float, mixing_m: float,
              height=None) -> tuple[float, float, float]:
    """Fit ``a``, ``b`` and the building-height term ``k`` (K per metre of mean building height,
    where it is known; kept ≥ 0: taller fabric stores more heat) of the night model to the class
    targets of each IRIS (least squares on IRIS means)."""
    p = PARAMETERS
    w = p["water_cooling_k"]["night"]
    unit = smooth(local_term(canopy, green, water, a=1.0, t=0.0, r=r, w=0.0), mixing_m, dx)
    rest = smooth(local_term(canopy, green, water, a=0.0, t=t, r=r, w=w), mixing_m, dx)
    inside = iris_id >= 0
    n = int(iris_id.max()) + 1
    counts = np.bincount(iris_id[inside], minlength=n)

    def mean(values):
        return np.bincount(iris_id[inside], values[inside], minlength=n) / np.maximum(counts, 1)

    targets = np.array([p["calibration_targets_night_k"].get(c, np.nan) for c in iris_class], dtype=float)
    ok = (counts > 0) & ~np.isnan(targets)
    columns = [mean(unit)[ok], np.ones(ok.sum())]
    if height is not None:
        # IRIS means of the height itself: it is known per arrondissement, in which each IRIS lies,
        # so smoothing it first would change only the IRIS along the borders (and cost a pass)
        columns.append(mean(height.astype(np.float64))[ok])
    coef, *_ = np.linalg.lstsq(np.column_stack(columns), targets[ok] - mean(rest)[ok], rcond=None)
    if height is not None and coef[2] < 0:   # no support for cooler nights under taller fabric: leave it out
        coef, *_ = np.linalg.lstsq(np.column_stack(columns[:2]), targets[ok] - mean(rest)[ok], rcond=None)
    a, b, k = float(coef[0]), float(coef[1]), float(coef[2]) if len(coef) > 2 else 0.0
    return a, b, k


class UrbanHeat(Component):
    name = "urban_heat"
    reads = (
        FieldSpec("canopy_fraction", "1", "float32", "tree canopy fraction"),
        FieldSpec("green_fraction", "1", "float32", "public green space fraction"),
        FieldSpec("water_fraction", "1", "float32", "river and banks fraction"),
        FieldSpec("roof_green_fraction", "1", "float32", "green roof share of the cell (scenarios)", optional=True),
        FieldSpec("building_height", "m", "float32", "mean building height, where known", optional=True),
    )
    writes = (
        FieldSpec("air_temperature_anomaly_night", "K", "float32", "night air temperature above the rural surroundings"),
        FieldSpec("air_temperature_anomaly_night_low", "K", "float32", "low end of the band"),
        FieldSpec("air_temperature_anomaly_night_high", "K", "float32", "high end of the band"),
        FieldSpec("surface_temperature_anomaly_day", "K", "float32", "day surface temperature relative to full tree cover"),
        FieldSpec("surface_temperature_anomaly_day_low", "K", "float32", "low end of the band"),
        FieldSpec("surface_temperature_anomaly_day_high", "K", "float32", "high end of the band"),
    )

    def __init__(self, grid: xr.Dataset, *, night_a: float = 6.0, night_b: float = 0.0, night_k: float = 0.0,
                 tile: int | None = None) -> None:
        super().__init__(grid)
        self.night_a, self.night_b, self.night_k = night_a, night_b, night_k
        cells = grid.sizes.get("y", 0) * grid.sizes.get("x", 0)
        # tiles when asked, or on their own for a grid too large to smooth whole
        self.tile = tile if tile is not None else (TILE if cells > TILE_OVER_CELLS else None)
        self.run_one_step(0.0)

    def _fields(self):
        g = self.grid
        roofs = g["roof_green_fraction"].to_numpy() if "roof_green_fraction" in g else 0.0
        return (g["canopy_fraction"].to_numpy(), g["green_fraction"].to_numpy(), g["water_fraction"].to_numpy(), roofs)

    def run_one_step(self, dt: float) -> None:
        p = PARAMETERS
        canopy, green, water, roofs = self._fields()
        height = self.grid["building_height"].to_numpy() if "building_height" in self.grid else None
        tn, td = p["tree_cooling_k_per_percent"]["night"], p["tree_cooling_k_per_percent"]["day"]
        r, mix = p["green_vs_trees"], p["mixing_length_m"]
        contrast = p["dense_fabric_vs_trees_day_k"]
        e = p["green_roof_street_efficiency"]
        strong = {"low": "high", "mid": "value", "high": "low"}   # the low end of a band: the strongest cooling

        def night(level: str) -> np.ndarray:
            # the band: stronger cooling and short mixing (low), weaker cooling and long mixing (high)
            t = tn[{"low": "high", "mid": "value", "high": "low"}[level]]
            ratio = r[{"low": "low", "mid": "value", "high": "high"}[level]]
            m = mix["night"][{"low": "low", "mid": "value", "high": "high"}[level]]
            local = local_term(canopy, green, water, a=self.night_a, t=t, r=ratio, w=p["water_cooling_k"]["night"],
                               roofs=roofs, e=e[strong[level]])
            if height is not None and self.night_k:
                local = local + self.night_k * height
            return self.night_b + smooth(local, m, self.dx, tile=self.tile)

        def day(level: str) -> np.ndarray:
            t = td[{"low": "high", "mid": "value", "high": "low"}[level]]
            a = contrast[{"low": "low", "mid": "value", "high": "high"}[level]] - 100.0 * t
            m = mix["day"][{"low": "low", "mid": "value", "high": "high"}[level]]
            local = local_term(canopy, green, water, a=a, t=t, r=r["value"], w=p["water_cooling_k"]["day"],
                               roofs=roofs, e=e[strong[level]])
            return smooth(local, m, self.dx, tile=self.tile) + 100.0 * t   # 0 K = full tree cover

        fields = {"air_temperature_anomaly_night": (night, "mid"), "air_temperature_anomaly_night_low": (night, "low"),
                  "air_temperature_anomaly_night_high": (night, "high"),
                  "surface_temperature_anomaly_day": (day, "mid"), "surface_temperature_anomaly_day_low": (day, "low"),
                  "surface_temperature_anomaly_day_high": (day, "high")}
        # the six smoothings are independent and SciPy releases the GIL: two threads, one per core
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = dict(zip(fields, pool.map(lambda job: job[0](job[1]), fields.values())))
        for name, v in done.items():
            self.grid[name].values[...] = v
        # a band always contains its central value
        for base in ("air_temperature_anomaly_night", "surface_temperature_anomaly_day"):
            mid = self.grid[base].values
            lo, hi = self.grid[f"{base}_low"].values, self.grid[f"{base}_high"].values
            lo[...], hi[...] = np.minimum(np.minimum(lo, hi), mid), np.maximum(np.maximum(lo, hi), mid)
        self.time_s += dt

