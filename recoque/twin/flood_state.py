"""The flood kernels' state, in named groups: what ``flood_kernels.advance`` steps forward (the
fields, the held river cells and the active-tile bookkeeping) and the scheme's constants."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Water(NamedTuple):
    """The fields the scheme advances (2D arrays of the grid's shape, but ``fixed`` and ``factor``)."""

    h: np.ndarray           # depth, m
    z: np.ndarray           # ground, m
    fixed: np.ndarray       # cells held at a level (the river), uint8
    qx: np.ndarray          # discharge per unit width across the x faces, m²/s (this step and next)
    qy: np.ndarray
    qxn: np.ndarray
    qyn: np.ndarray
    factor: np.ndarray      # the mass limiter's scale per cell
    max_depth: np.ndarray
    arrival_s: np.ndarray
    wet_since: np.ndarray
    wet_total: np.ndarray


class Held(NamedTuple):
    """The cells held at the river's level, and the hydrograph that gives it."""

    fixed_cells: np.ndarray     # every held cell (flat indices) and its ground less the water line's offset
    fixed_z: np.ndarray
    bank_cells: np.ndarray      # the held cells with a free neighbour
    bank_z: np.ndarray
    bank_tiles: np.ndarray      # their faces with the land, per tile (``bank_faces``)
    bank_starts: np.ndarray
    bank_bottom: np.ndarray
    bank_ground: np.ndarray
    bank_bits: np.ndarray
    stage_t: np.ndarray         # the hydrograph: times (s) and levels (m); empty when nothing is held
    stage_level: np.ndarray


class Tiles(NamedTuple):
    """The active-tile bookkeeping: only tiles with moving water and their neighbours are computed."""

    tile_n: int
    tile_edges: np.ndarray
    tile_peak: np.ndarray
    sources: np.ndarray
    active: np.ndarray
    previous: np.ndarray
    strips: np.ndarray
    mark: np.ndarray
    row_span: np.ndarray
    last: np.ndarray
    counts: np.ndarray


class Physics(NamedTuple):
    """The scheme's constants (de Almeida et al. 2012)."""

    dx: float
    n: float            # Manning's n
    theta: float
    alpha: float
    h_min: float
    wet_depth: float
    dt_max: float
    froude: float       # Froude cap, 0 for none
