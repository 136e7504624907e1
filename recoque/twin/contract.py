"""The component contract: every simulation component declares the grid fields it reads and
writes (name, units, dtype) in typed objects, checks them when it is built, and advances with
``run_one_step(dt)``. Grids are ``xarray.Dataset`` objects on (y, x) in EPSG:2154 with a ``dx``
attribute (metres), as ``Territory.grid`` makes them; a field's units are its ``units`` attribute.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import xarray as xr

from recoque.core.errors import RecoqueError


class ContractError(RecoqueError):
    """A grid that does not hold what a component reads, or a component that breaks its contract."""


@dataclass(frozen=True)
class FieldSpec:
    """One grid field a component reads or writes."""

    name: str
    units: str
    dtype: str          # numpy dtype name: float64, float32, int8, bool
    description: str
    optional: bool = False


class Component(ABC):
    """A simulation component over a grid. Subclasses declare ``reads`` and ``writes``."""

    name: ClassVar[str]
    reads: ClassVar[tuple[FieldSpec, ...]]
    writes: ClassVar[tuple[FieldSpec, ...]]

    def __init__(self, grid: xr.Dataset) -> None:
        check_grid(grid, self.reads, self.name)
        self.grid = grid
        for spec in self.writes:   # outputs exist from the start, with their units and dtype
            if spec.name not in grid:
                grid[spec.name] = (("y", "x"), np.zeros((grid.sizes["y"], grid.sizes["x"]), dtype=spec.dtype),
                                   {"units": spec.units, "long_name": spec.description})
        check_grid(grid, self.writes, self.name)
        self.time_s = 0.0

    @property
    def dx(self) -> float:
        return float(self.grid.attrs["dx"])

    @abstractmethod
    def run_one_step(self, dt: float) -> None:
        """Advance the component by ``dt`` seconds of simulated time."""


def check_grid(grid: xr.Dataset, specs: tuple[FieldSpec, ...], who: str) -> None:
    if "dx" not in grid.attrs or float(grid.attrs["dx"]) <= 0:
        raise ContractError(f"{who}: the grid has no positive 'dx' attribute (cell size in metres)")
    for spec in specs:
        if spec.name not in grid:
            if spec.optional:
                continue
            raise ContractError(f"{who}: the grid has no field '{spec.name}' ({spec.description}, {spec.units})")
        field = grid[spec.name]
        if field.dims != ("y", "x"):
            raise ContractError(f"{who}: field '{spec.name}' has dims {field.dims}, expected ('y', 'x')")
        units = field.attrs.get("units")
        if units != spec.units:
            raise ContractError(f"{who}: field '{spec.name}' is in {units!r}, expected {spec.units!r}")
        if field.dtype != np.dtype(spec.dtype):
            raise ContractError(f"{who}: field '{spec.name}' is {field.dtype}, expected {spec.dtype}")


def make_grid(shape: tuple[int, int], dx: float, *, x0: float = 0.0, y0: float = 0.0, **fields) -> xr.Dataset:
    """A grid of ``shape`` cells of ``dx`` metres; ``fields`` as name=(array, units)."""
    ny, nx = shape
    grid = xr.Dataset(coords={"y": y0 + (np.arange(ny) + 0.5) * dx, "x": x0 + (np.arange(nx) + 0.5) * dx},
                      attrs={"dx": float(dx), "crs": "EPSG:2154"})
    for name, (values, units) in fields.items():
        grid[name] = (("y", "x"), np.asarray(values), {"units": units})
    return grid


def all_components() -> list[type[Component]]:
    """Every component of the twin (each module of ``recoque.twin`` imported once)."""
    import importlib
    import pkgutil

    import recoque.twin

    for module in pkgutil.iter_modules(recoque.twin.__path__, "recoque.twin."):
        importlib.import_module(module.name)
    return sorted(Component.__subclasses__(), key=lambda c: c.name)
