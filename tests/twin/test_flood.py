"""The flood component: its contract, a lake at rest stays at rest, mass is conserved to 1e-6,
and the published analytical solution of a wave front over a flat plane is matched."""

from __future__ import annotations

import numpy as np
import pytest

from recoque.twin.contract import Component, ContractError, all_components, make_grid
from recoque.twin.flood import Flood, FloodParameters
from tests.twin import reference_flood as reference


def grid_for(component: type[Component], shape=(8, 9), dx=10.0):
    fields = {s.name: (np.zeros(shape, dtype=s.dtype), s.units) for s in component.reads}
    return make_grid(shape, dx, **fields)


@pytest.mark.parametrize("component", all_components(), ids=lambda c: c.name)
def test_every_component_keeps_its_contract(component):
    grid = grid_for(component)
    model = component(grid)
    for spec in component.writes:
        assert grid[spec.name].attrs["units"] == spec.units and grid[spec.name].dtype == np.dtype(spec.dtype)
    model.run_one_step(1.0)
    assert model.time_s == pytest.approx(1.0)
    first = component.reads[0]
    missing = grid_for(component).drop_vars(first.name)
    with pytest.raises(ContractError, match=f"no field '{first.name}'"):
        component(missing)
    wrong_units = grid_for(component)
    wrong_units[first.name].attrs["units"] = "ft"
    with pytest.raises(ContractError, match="is in 'ft'"):
        component(wrong_units)
    wrong_dtype = grid_for(component)
    other = "float64" if first.dtype == "float32" else "float32"
    wrong_dtype[first.name] = wrong_dtype[first.name].astype(other)
    wrong_dtype[first.name].attrs["units"] = first.units
    with pytest.raises(ContractError, match=f"is {other}, expected {first.dtype}"):
        component(wrong_dtype)


def bumpy(shape=(60, 80), seed=3):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:shape[0], 0:shape[1]]
    return 30 + 2 * np.sin(x / 7) + 1.5 * np.cos(y / 5) + rng.normal(0, 0.2, shape)


def test_a_lake_at_rest_stays_at_rest():
    z = bumpy()
    h = np.maximum(31.0 - z, 0.0)   # a flat water surface over bumpy ground, some cells dry
    grid = make_grid(z.shape, 10.0, topographic__elevation=(z, "m"), surface_water__depth=(h, "m"))
    model = Flood(grid)
    model.run_one_step(600.0)
    assert np.abs(model.h - h).max() < 1e-10
    assert np.abs(model.qx).max() < 1e-10 and np.abs(model.qy).max() < 1e-10


def test_mass_is_conserved_to_one_millionth_and_depths_stay_positive():
    z = bumpy()
    h = np.zeros_like(z)
    h[20:30, 10:25] = 3.0   # a block of water released over uneven, partly dry ground
    grid = make_grid(z.shape, 10.0, topographic__elevation=(z, "m"), surface_water__depth=(h, "m"))
    model = Flood(grid, FloodParameters(mannings_n=0.03))
    for _ in range(12):
        model.run_one_step(300.0)
        assert model.mass_error() < 1e-6
        assert (model.h >= 0).all()
    assert model.mass_error() < 1e-12   # in fact to rounding
    assert (model.max_depth > 0.01).sum() > 150   # it spread
    spread = model.arrival[model.arrival > 0]
    assert spread.size and spread.max() <= model.time_s


def front(x, t, n=0.01, u=0.4):
    """Analytical wave front over a flat horizontal plane (Hunter et al. 2005; Bates et al. 2010,
    J. Hydrol. 387:33–45, eq. 17 with C = 0): h = [7/3 n² u² (u t − x)]^(3/7) behind the front."""
    return np.where(x < u * t, (7.0 / 3.0 * n * n * u * u * np.maximum(u * t - x, 0.0)) ** (3.0 / 7.0), 0.0)


def test_wave_front_over_a_flat_plane_matches_the_analytical_solution():
    dx, nx, t_end = 5.0, 800, 3600.0
    z = np.zeros((1, nx))
    x = (np.arange(nx) + 0.5) * dx
    grid = make_grid(z.shape, dx, topographic__elevation=(z, "m"), surface_water__depth=(np.zeros_like(z), "m"))
    inlet = np.zeros_like(z, dtype=bool)
    inlet[0, 0] = True
    times = np.linspace(1e-6, t_end, 3601)   # the inlet's depth each second, linear in between
    model = Flood(grid, FloodParameters(mannings_n=0.01, theta=0.8, alpha=0.7),
                  boundary=inlet, stage=(times, front(np.full_like(times, dx / 2), times)))
    model.run_one_step(t_end)
    exact = front(x, t_end)
    # over the first half of the wetted length depths agree within 1 %; up to 300 m from the front
    # within 5 % (1 % on average): the scheme smears the front itself, which lags by ~50 m of 1,440 m
    rel = np.abs(model.h[0] - exact) / np.where(exact > 0, exact, 1.0)
    assert rel[(x > 50) & (x < 0.2 * t_end)].max() < 0.01
    behind = (x > 50) & (x < 0.4 * t_end - 300)
    assert rel[behind].mean() < 0.01 and rel[behind].max() < 0.05
    simulated_front = x[model.h[0] > 0.01].max()
    assert abs(simulated_front - 0.4 * t_end) < 60   # within a few cells of u t = 1440 m
    assert model.mass_error() < 1e-9


def held_and_closed_domain(shape=(37, 45), seed=11):
    """Bumpy ground, a held river along the south edge, a closed corner, water here and there."""
    rng = np.random.default_rng(seed)
    z = bumpy(shape, seed)
    kind = np.zeros(shape, dtype=np.uint8)
    kind[:4, :] = reference.HELD
    z[:4, :] = 27.0
    kind[-8:, -10:] = reference.CLOSED
    h = np.where(rng.random(shape) < 0.3, rng.uniform(0, 1.5, shape), 0.0)
    h[kind == reference.HELD] = 0.0
    return z, kind, h


@pytest.mark.parametrize("tile", [1, 4, 7, 64])
def test_tiled_kernels_equal_a_whole_grid_numpy_step(tile):
    """Computing only the active tiles gives the whole grid's result, whatever the tile size."""
    z, kind, h = held_and_closed_domain()
    times, levels = np.array([0.0, 600.0]), np.array([30.0, 33.0])   # the river rises over its banks
    grid = make_grid(z.shape, 10.0, topographic__elevation=(z, "m"), surface_water__depth=(h.copy(), "m"))
    params = FloodParameters(mannings_n=0.035)
    model = Flood(grid, params, boundary=kind == reference.HELD, stage=(times, levels),
                  closed=kind == reference.CLOSED, tile=tile)
    ref_h, ref_qx, ref_qy = h.copy(), np.zeros_like(model.qx), np.zeros_like(model.qy)
    ref_wet, ref_arrival = np.zeros_like(h), np.where(h > params.wet_depth, 0.0, -1.0)
    for _ in range(120):
        t = model.time_s
        model.advance(1e9, max_steps=1)
        reference.hold(ref_h, z, kind, np.interp(t, times, levels))
        dt = reference.stable_dt(ref_h, z, kind, 10.0, params.alpha, params.dt_max)
        assert model.last_dt == pytest.approx(dt, rel=1e-9)
        reference.step(ref_h, z, kind, ref_qx, ref_qy, dt, 10.0, n=params.mannings_n, theta=params.theta,
                       h_min=params.h_min, froude=params.froude_limit)
        wet = ref_h > params.wet_depth   # time under water and first arrival, step by step
        ref_wet += np.where(wet, dt, 0.0)
        ref_arrival = np.where(wet & (ref_arrival < 0), t + dt, ref_arrival)
        reference.hold(ref_h, z, kind, np.interp(model.time_s, times, levels))
        assert np.abs(model.h - ref_h).max() < 1e-9
        assert np.abs(model.qx - ref_qx).max() < 1e-9 and np.abs(model.qy - ref_qy).max() < 1e-9
    land = kind == reference.FREE   # the river's durations are not outputs: its level is imposed
    assert (ref_wet[land] > 0).sum() > 100 and (ref_arrival[land] > 0).sum() > 100
    assert ((ref_wet > 0) & (ref_h <= params.wet_depth))[land].sum() > 10   # spells that ended too
    assert np.abs(model.wet - ref_wet)[land].max() < 1e-9
    assert np.abs(model.arrival - ref_arrival)[land].max() < 1e-9
    assert (model.max_depth[kind == reference.CLOSED] == h[kind == reference.CLOSED]).all()   # untouched
    assert model.mass_error() < 1e-12
    assert model.cells_computed <= model.steps * z.size


def test_a_deep_still_lake_stays_still():
    """A checkerboard of 1 cm on a lake 8 m deep dies out: with α = 0.7 it grew to decimetres in
    an hour (α is 0.6 for that reason)."""
    rng = np.random.default_rng(0)
    z = np.full((64, 64), 27.0)
    h = 8.0 + rng.normal(0, 0.01, z.shape)
    grid = make_grid(z.shape, 10.0, topographic__elevation=(z, "m"), surface_water__depth=(h, "m"))
    model = Flood(grid)
    model.run_one_step(3600.0)
    assert model.h.std() < 0.001
    grid = make_grid(z.shape, 10.0, topographic__elevation=(z, "m"), surface_water__depth=(h, "m"))
    unstable = Flood(grid, FloodParameters(alpha=0.7))
    unstable.run_one_step(3600.0)
    assert unstable.h.std() > 0.05


def test_the_cube_roots_of_the_friction_term_are_exact_to_rounding_over_flood_depths():
    """The CPU kernels' x^(−1/3) (float32 bit guess, two series steps) and the GPU path's cube root
    (square roots, two Halley steps), both written without library calls so that loops vectorise."""
    from numba import njit

    from recoque.twin.flood_kernels import cube_root, inverse_cube_root

    inverse = njit(lambda x: np.array([inverse_cube_root(v) for v in x]))
    root = njit(inline="always")(cube_root)   # as flood_cuda compiles it for the GPU
    roots = njit(lambda x: np.array([root(v) for v in x]))
    depths = np.geomspace(1e-4, 1e4, 20_001)   # a face carries water only above h_min = 1e-4 m
    films = np.geomspace(1e-8, 1e-4, 2_001)
    assert np.max(np.abs(inverse(depths) * np.cbrt(depths) - 1)) < 2e-15
    assert np.max(np.abs(inverse(films) * np.cbrt(films) - 1)) < 2e-15
    assert np.max(np.abs(roots(depths) / np.cbrt(depths) - 1)) < 1e-12
    assert np.max(np.abs(roots(films) / np.cbrt(films) - 1)) < 2e-10


def test_inactive_dry_land_is_not_computed():
    """A puddle in a corner of a big dry grid: only its tiles and their neighbours are computed."""
    z = np.full((256, 256), 30.0)
    h = np.zeros_like(z)
    h[5:9, 5:9] = 0.5
    grid = make_grid(z.shape, 10.0, topographic__elevation=(z, "m"), surface_water__depth=(h, "m"))
    model = Flood(grid, tile=8)
    model.run_one_step(60.0)
    assert model.cells_computed / model.steps <= 9 * 64   # at most 3 × 3 tiles of 8 × 8
    assert model.mass_error() < 1e-12 and model.max_depth[50:, 50:].max() == 0.0

