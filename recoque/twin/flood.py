"""Overland flood component: the local-inertia scheme of de Almeida et al. (2012) on a grid of
the twin (kernels in ``flood_kernels``), with an optional water-level boundary (a river stage
hydrograph imposed on some cells), exact mass accounting, and the outputs planners read: maximum
depth, time of first arrival, duration under water."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import xarray as xr

from recoque.twin import flood_kernels as k
from recoque.twin.contract import Component, ContractError, FieldSpec

Stage = Callable[[float], float]   # water-surface elevation (m) at a time (s)


@dataclass(frozen=True)
class FloodParameters:
    mannings_n: float = 0.035      # s m^-1/3: urban floodplain (Chow 1959 tables: 0.03–0.05)
    theta: float = 0.8             # de Almeida et al. 2012 recommend 0.7–0.9
    alpha: float = 0.7             # CFL-like factor of the stable step, ≤ 0.7 (eq. 12)
    h_min: float = 1e-4            # m: no flow across a face with less water than this
    wet_depth: float = 0.01        # m: a cell counts as flooded above this depth
    dt_max: float = 60.0           # s: longest step when the domain is (almost) dry

    def __post_init__(self) -> None:
        if not (self.mannings_n > 0 and 0 < self.theta <= 1 and 0 < self.alpha <= 0.7 and self.h_min > 0):
            raise ContractError("flood parameters: n > 0, 0 < θ ≤ 1, 0 < α ≤ 0.7, h_min > 0")


class Flood(Component):
    name = "flood"
    reads = (
        FieldSpec("topographic__elevation", "m", "float64", "ground elevation (terrain model), m"),
        FieldSpec("surface_water__depth", "m", "float64", "water depth at the start, m"),
    )
    writes = (
        FieldSpec("surface_water__depth", "m", "float64", "water depth, m"),
        FieldSpec("water_surface__elevation", "m", "float64", "ground elevation + water depth, m"),
        FieldSpec("flood__max_depth", "m", "float64", "largest depth reached so far, m"),
        FieldSpec("flood__arrival_time", "s", "float64", "time the cell was first flooded (−1: never), s"),
        FieldSpec("flood__wet_duration", "s", "float64", "time spent flooded, s"),
    )

    def __init__(self, grid: xr.Dataset, parameters: FloodParameters | None = None, *,
                 boundary: np.ndarray | None = None, stage: Stage | None = None) -> None:
        super().__init__(grid)
        self.p = parameters or FloodParameters()
        self.z = np.ascontiguousarray(grid["topographic__elevation"].to_numpy(), dtype=np.float64)
        self.h = np.ascontiguousarray(grid["surface_water__depth"].to_numpy(), dtype=np.float64).copy()
        if not np.isfinite(self.z).all():
            raise ContractError("flood: topographic__elevation has missing values")
        if (self.h < 0).any() or not np.isfinite(self.h).all():
            raise ContractError("flood: surface_water__depth must be finite and ≥ 0")
        ny, nx = self.h.shape
        self.qx, self.qy = np.zeros((ny, nx + 1)), np.zeros((ny + 1, nx))
        self._qx, self._qy = np.zeros_like(self.qx), np.zeros_like(self.qy)
        self.max_depth = self.h.copy()
        self.arrival = np.where(self.h > self.p.wet_depth, 0.0, -1.0)
        self.wet = np.zeros_like(self.h)
        if (boundary is None) != (stage is None):
            raise ContractError("flood: give both the boundary cells and their stage hydrograph, or neither")
        self.boundary = None if boundary is None else np.asarray(boundary, dtype=bool)
        self.stage = stage
        self.initial_volume = self.volume()
        self.boundary_volume = 0.0   # water the boundary put in (+) or took out (−), m³
        self.steps = 0
        self.h_max = float(self.h.max())
        self._publish()

    def volume(self) -> float:
        return float(self.h.sum() * self.dx * self.dx)

    def mass_error(self) -> float:
        """Relative error of the water balance: (now − start − boundary) / max(start + inflow)."""
        expected = self.initial_volume + self.boundary_volume
        return abs(self.volume() - expected) / max(expected, 1e-12)

    def _apply_boundary(self, t: float) -> None:
        if self.boundary is None:
            return
        level = float(self.stage(t))
        before = self.h[self.boundary]
        after = np.maximum(level - self.z[self.boundary], 0.0)
        self.h[self.boundary] = after
        self.boundary_volume += float((after - before).sum()) * self.dx * self.dx
        self.h_max = max(self.h_max, float(after.max(initial=0.0)))

    def run_one_step(self, dt: float) -> None:
        if dt <= 0:
            raise ContractError("flood: dt must be > 0")
        p, dx, end = self.p, self.dx, self.time_s + dt
        while self.time_s < end - 1e-9:
            self._apply_boundary(self.time_s)
            step = min(k.stable_dt(self.h_max, dx, p.alpha, p.dt_max), end - self.time_s)
            k.momentum_x(self.h, self.z, self.qx, self._qx, step, dx, p.mannings_n, p.theta, p.h_min)
            k.momentum_y(self.h, self.z, self.qy, self._qy, step, dx, p.mannings_n, p.theta, p.h_min)
            self.qx, self._qx = self._qx, self.qx
            self.qy, self._qy = self._qy, self.qy
            self.h_max = k.limit_and_update(self.h, self.qx, self.qy, step, dx)
            self.time_s += step
            k.track(self.h, self.max_depth, self.arrival, self.wet, self.time_s, step, p.wet_depth)
            self.steps += 1
        self._publish()

    @property
    def cell_updates(self) -> int:
        return self.steps * self.h.size

    def _publish(self) -> None:
        g = self.grid
        g["surface_water__depth"].values[...] = self.h
        g["water_surface__elevation"].values[...] = self.z + self.h
        g["flood__max_depth"].values[...] = self.max_depth
        g["flood__arrival_time"].values[...] = self.arrival
        g["flood__wet_duration"].values[...] = self.wet
