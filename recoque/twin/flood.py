"""Overland flood component: the local-inertia scheme of de Almeida et al. (2012) on a grid of
the twin (kernels in ``flood_kernels``), with an optional water-level boundary (a river stage
hydrograph imposed on some cells), exact mass accounting, and the outputs planners read: maximum
depth, time of first arrival, duration under water."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy import ndimage

from recoque.twin import flood_kernels as k
from recoque.twin import flood_state as state
from recoque.twin.contract import Component, ContractError, FieldSpec

#: a water-level hydrograph: times (s) and water-surface elevations (m), linear in between
Hydrograph = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class FloodParameters:
    mannings_n: float = 0.035      # s m^-1/3: urban floodplain (Chow 1959 tables: 0.03–0.05)
    theta: float = 0.8             # de Almeida et al. 2012 recommend 0.7–0.9
    alpha: float = 0.6             # stable-step factor (eq. 12): 0.7 grows a checkerboard on deep still water (test)
    h_min: float = 1e-4            # m: no flow across a face with less water than this
    wet_depth: float = 0.01        # m: a cell counts as flooded above this depth
    dt_max: float = 60.0           # s: longest step when the domain is (almost) dry
    # supercritical flow is outside the local-inertia approximation (de Almeida & Bates 2013):
    # discharges are capped at this Froude number, as Landlab's ``steep_slopes`` does (None: no cap)
    froude_limit: float | None = 1.0

    def __post_init__(self) -> None:
        if not (self.mannings_n > 0 and 0 < self.theta <= 1 and 0 < self.alpha <= 0.7 and self.h_min > 0
                and (self.froude_limit is None or self.froude_limit > 0)):
            raise ContractError("flood parameters: n > 0, 0 < θ ≤ 1, 0 < α ≤ 0.7, h_min > 0, Froude limit > 0 or None")


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
                 boundary: np.ndarray | None = None, stage: Hydrograph | None = None,
                 closed: np.ndarray | None = None, tile: int = k.TILE, backend: str = "cpu",
                 stage_offset: np.ndarray | None = None) -> None:
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
        self._factor = np.ones((ny + 2, nx + 2))   # padded by one cell on each side
        self.max_depth = self.h.copy()
        self.arrival = np.where(self.h > self.p.wet_depth, 0.0, -1.0)
        self.wet = np.zeros_like(self.h)
        # the CPU path keeps wet spells: the start of the current one (−1: dry) and the length of the past ones
        self._wet_since, self._wet_total = self.arrival.copy(), np.zeros_like(self.h)
        if (boundary is None) != (stage is None):
            raise ContractError("flood: give both the boundary cells and their stage hydrograph, or neither")
        self.boundary = np.zeros(self.h.shape, dtype=bool) if boundary is None else np.asarray(boundary, dtype=bool)
        if self.boundary.shape != self.h.shape:
            raise ContractError(f"flood: the boundary mask is {self.boundary.shape}, the grid {self.h.shape}")
        self.stage_t, self.stage_level = _hydrograph(stage)
        self.closed = np.zeros(self.h.shape, dtype=bool) if closed is None else np.asarray(closed, dtype=bool)
        if self.closed.shape != self.h.shape or (self.closed & self.boundary).any():
            raise ContractError("flood: the closed mask has the grid's shape and no boundary cell")
        free = ~self.boundary & ~self.closed
        near_free = np.zeros_like(free)
        near_free[1:] |= free[:-1]
        near_free[:-1] |= free[1:]
        near_free[:, 1:] |= free[:, :-1]
        near_free[:, :-1] |= free[:, 1:]
        self._fixed = np.where(self.closed, k.CLOSED, np.where(self.boundary, k.HELD, k.FREE)).astype(np.uint8)
        self._fixed_cells = np.flatnonzero(self.boundary).astype(np.int64)
        self._bank_cells = np.flatnonzero(self.boundary & near_free).astype(np.int64)
        if not 1 <= tile <= 4096:
            raise ContractError("flood: a tile has 1 to 4,096 cells on its side")
        self.tile = int(tile)
        tiles = (-(-ny // self.tile)) * (-(-nx // self.tile))
        self._tile_edges = np.zeros(tiles, dtype=np.int64)
        self._tile_peak = np.zeros(tiles)
        self._sources, self._active, self._previous = (np.zeros(tiles, dtype=np.int64) for _ in range(3))
        self._strips = np.zeros((tiles, 3), dtype=np.int64)
        self._mark = np.zeros(tiles, dtype=np.int64)
        self._row_span = np.zeros((-(-ny // self.tile), 3), dtype=np.int64)   # epoch, first and last active column
        # a sloping water line: each held cell stands at the stage plus its offset, which is the
        # same as the stage over a ground lowered by the offset (the kernels hold ``level − ground``)
        offset = np.zeros(self.h.shape) if stage_offset is None else np.asarray(stage_offset, dtype=np.float64)
        if offset.shape != self.h.shape or not np.isfinite(offset[self.boundary]).all():
            raise ContractError("flood: stage_offset has the grid's shape and a finite value on every boundary cell")
        if stage_offset is not None and backend == "cuda":
            raise ContractError("flood: a sloping water line (stage_offset) runs on the CPU backend only")
        if stage_offset is not None and self.boundary.any():   # each cell takes the offset of its nearest held cell
            nearest = ndimage.distance_transform_edt(~self.boundary, return_distances=False, return_indices=True)
            offset = offset[tuple(nearest)]
        held_ground = self.z - offset
        self._fixed_z, self._bank_z = held_ground.ravel()[self._fixed_cells], held_ground.ravel()[self._bank_cells]
        self._banks = k.bank_faces(self.tile, held_ground, self._fixed, self._bank_cells)   # the river's faces with the land
        self._last = np.zeros((tiles, 2), dtype=np.int64)   # the last step's sources and their edges
        self._counts = np.zeros(6, dtype=np.int64)   # sources, active tiles, strips, epoch, last sources, last cells
        k.initial_sources(self.tile, self.h, self._fixed, self.p.h_min, self._tile_edges, self._tile_peak,
                          self._sources, self._counts)
        if backend not in ("cpu", "cuda"):
            raise ContractError(f"flood: backend {backend!r} is cpu or cuda")
        self.backend = backend
        self._gpu = None
        if backend == "cuda":
            from recoque.twin import flood_cuda

            if not flood_cuda.available():
                raise ContractError("flood: backend cuda needs a CUDA GPU and numba-cuda (pip install .[gpu])")
            self._gpu = flood_cuda.CudaEngine(self)
        self.initial_volume = self.volume()
        self.boundary_volume = 0.0   # water the boundary put in (+) or took out (−), m³
        self.steps = 0
        self.cells_computed = 0      # cells of the active tiles, summed over steps
        self.last_dt = 0.0
        self._publish()

    def volume(self) -> float:
        return float(self.h.sum() * self.dx * self.dx)

    def mass_error(self) -> float:
        """Relative error of the water balance: (now − start − boundary) / max(start + inflow)."""
        expected = self.initial_volume + self.boundary_volume
        return abs(self.volume() - expected) / max(expected, 1e-12)

    def run_one_step(self, dt: float) -> None:
        if dt <= 0:
            raise ContractError("flood: dt must be > 0")
        self.advance(self.time_s + dt)

    def advance(self, end_s: float, max_steps: int = 2**62) -> int:
        """Step until ``end_s`` (or ``max_steps`` steps); returns the steps taken."""
        if self._gpu is not None:
            time_s, steps, cells, added, last_dt = self._gpu.advance(self.time_s, end_s, max_steps)
        else:
            time_s, steps, cells, added, last_dt = self._cpu_advance(end_s, max_steps)
            spell = self._wet_since >= 0.0
            self.wet = self._wet_total + np.where(spell, time_s - self._wet_since, 0.0)
        self.time_s = time_s
        self.steps += steps
        self.cells_computed += cells
        self.boundary_volume += added
        self.last_dt = last_dt
        self._publish()
        return steps

    def _cpu_advance(self, end_s: float, max_steps: int):
        p = self.p
        water = state.Water(self.h, self.z, self._fixed, self.qx, self.qy, self._qx, self._qy, self._factor,
                        self.max_depth, self.arrival, self._wet_since, self._wet_total)
        held = state.Held(self._fixed_cells, self._fixed_z, self._bank_cells, self._bank_z, *self._banks,
                      self.stage_t, self.stage_level)
        tiles = state.Tiles(self.tile, self._tile_edges, self._tile_peak, self._sources, self._active, self._previous,
                        self._strips, self._mark, self._row_span, self._last, self._counts)
        physics = state.Physics(float(self.dx), float(p.mannings_n), float(p.theta), float(p.alpha), float(p.h_min),
                            float(p.wet_depth), float(p.dt_max), float(p.froude_limit or 0.0))
        return k.advance(water, held, tiles, physics, self.time_s, end_s, max_steps)

    @property
    def cell_updates(self) -> int:
        """Cells × steps of the whole grid: the work a scheme computing every cell would do."""
        return self.steps * self.h.size

    def _publish(self) -> None:
        g = self.grid
        g["surface_water__depth"].values[...] = self.h
        g["water_surface__elevation"].values[...] = self.z + self.h
        g["flood__max_depth"].values[...] = self.max_depth
        g["flood__arrival_time"].values[...] = self.arrival
        g["flood__wet_duration"].values[...] = self.wet


def _hydrograph(stage: Hydrograph | None) -> tuple[np.ndarray, np.ndarray]:
    if stage is None:
        return np.zeros(0), np.zeros(0)
    times, levels = (np.ascontiguousarray(np.atleast_1d(np.asarray(a, dtype=np.float64))) for a in stage)
    if times.shape != levels.shape or times.size == 0:
        raise ContractError("flood: a hydrograph has as many times as levels, at least one")
    if not (np.isfinite(times).all() and np.isfinite(levels).all()) or (np.diff(times) <= 0).any():
        raise ContractError("flood: a hydrograph has finite levels at increasing times")
    return times, levels
