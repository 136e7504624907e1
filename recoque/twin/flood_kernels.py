"""Array kernels of the local-inertia shallow-water scheme (de Almeida, Bates, Freer & Souvignet
2012, "Improving the stability of a simple formulation of the shallow water equations for 2-D
flood modeling", Water Resources Research 48, W05528), compiled with numba.

Unknowns: water depth ``h`` at cell centres (m), unit discharges ``qx`` on the ny × (nx+1)
vertical faces and ``qy`` on the (ny+1) × nx horizontal faces (m²/s, positive towards +x / +y).
One step of ``dt`` seconds:

1. momentum on each face (eq. 11 of the paper, with its θ-weighting of the neighbouring faces
   along the flow direction and semi-implicit Manning friction):
       q⁺ = [θ q + (1-θ)(q₋ + q₊)/2 − g h_f dt ∂η/∂x] / [1 + g dt n² |q| / h_f^{7/3}]
   where h_f = max(η_L, η_R) − max(z_L, z_R) is the depth available to flow across the face
   (no flow below ``h_min``); the domain's outer faces are closed (q = 0) and a face next to
   them averages with itself rather than with the closed face;
2. a mass limiter: where a cell's outflow in ``dt`` would exceed its water, its outgoing faces
   are scaled down so it empties exactly (depths never go negative, mass is conserved exactly —
   the change LISFLOOD-FP and others make to the original scheme);
3. continuity: h⁺ = h + dt (inflow − outflow) / dx.

Cells held at an imposed water level (``fixed`` = HELD: the river) exchange water with their
free neighbours only; a face between two held cells carries nothing (their level is imposed
either way). CLOSED cells are outside the domain: no face to them carries water. The stable step is ``dt = α dx / sqrt(g h)`` (eq. 12, α ≤ 0.7) with ``h`` the deepest
water that moves: free cells, and the faces between held and free cells.

**Active tiles.** The grid is cut into TILE × TILE tiles. A tile is a *source* when it holds
moving water: a free cell deeper than ``h_min``, or a held cell whose level stands above a free
neighbour's ground. A step computes the source tiles and, across each edge of a source tile
where such a cell lies, the tile on the other side. Water crosses at most one face per step (a
dry cell is reached only through a face with a wet side), and the set is rebuilt before every
step, so the result is the same as computing every cell — the tests check it against a
whole-grid NumPy step. Active tiles next to each other in a row are computed as one strip, so
that the cell loops are long enough to vectorise. The time loop runs inside numba (``advance``)
and returns to Python only at the end of each requested interval.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

G = 9.81
TILE = 8   # cells on a tile's side (the default; Flood takes another): the fastest on the Paris runs
FREE, HELD, CLOSED = 0, 1, 2   # kinds of cell in ``fixed``: a face whose two kinds sum to 2 or more is shut


def cube_root(x):
    """Cube root without a library call, so that the face loop vectorises: x^(21/64) from six
    square roots (x^(1/4) · x^(1/16) · x^(1/64), within 5 % over 1e-4–1e4), then two Halley
    steps: relative error < 1e-12 over 1e-4–1e4 m, < 2e-10 down to 1e-8 m (test). Plain Python,
    compiled here for the CPU and in ``flood_cuda`` for the GPU."""
    a = math.sqrt(math.sqrt(x))
    b = math.sqrt(math.sqrt(a))
    y = a * b * math.sqrt(math.sqrt(b))
    for _ in range(2):
        y3 = y * y * y
        y = y * (y3 + 2.0 * x) / (2.0 * y3 + x)
    return y


cbrt = njit(cache=True, inline="always", error_model="numpy")(cube_root)


@njit(cache=True, inline="always", error_model="numpy")
def _face(eta_l, eta_r, z_l, z_r, q0, q_before, q_after, shut, g_dt, g_dt_n2, inv_dx, theta, h_min, cap_froude):
    """One face's new discharge, written without branches (selects) so that loops vectorise."""
    hf = max(eta_l, eta_r) - max(z_l, z_r)
    hs = max(hf, h_min)
    q = theta * q0 + (1.0 - theta) * 0.5 * (q_before + q_after)
    q = (q - g_dt * hs * (eta_r - eta_l) * inv_dx) / (1.0 + g_dt_n2 * abs(q0) / (hs * hs * cbrt(hs)))
    # supercritical flow is outside the scheme's validity: capped at froude × critical discharge
    cap = cap_froude * hs * np.sqrt(G * hs)
    q = min(max(q, -cap), cap)
    return 0.0 if (hf <= h_min or shut) else q


STRIP = 8   # tiles at most in one strip of work (keeps the two threads' shares even)


@njit(parallel=True, cache=True, error_model="numpy")
def momentum(tile_n, strips, n_strips, h, z, fixed, qx, qy, qxn, qyn, dt, dx, n, theta, h_min, froude):
    """New discharges on the faces each strip owns: the west face and the south face of each of
    its cells (the domain's east and north edge faces stay closed). A face next to the domain's
    edge averages with itself rather than with the closed edge face."""
    ny, nx = h.shape
    g_dt, g_dt_n2, inv_dx = G * dt, G * dt * n * n, 1.0 / dx
    cap_froude = froude if froude > 0.0 else 1e300
    for k in prange(n_strips):
        j0, i0, i1 = strips[k, 0] * tile_n, strips[k, 1] * tile_n, min(nx, strips[k, 2] * tile_n)
        for j in range(j0, min(ny, j0 + tile_n)):
            if i0 == 0:
                qxn[j, 0] = 0.0
            for i in range(max(i0, 1), i1):
                q0 = qx[j, i]
                left = q0 if i == 1 else qx[j, i - 1]
                right = q0 if i == nx - 1 else qx[j, i + 1]
                qxn[j, i] = _face(z[j, i - 1] + h[j, i - 1], z[j, i] + h[j, i], z[j, i - 1], z[j, i], q0, left, right,
                                  fixed[j, i - 1] + fixed[j, i] >= 2, g_dt, g_dt_n2, inv_dx, theta, h_min, cap_froude)
            if j == 0:
                for i in range(i0, i1):
                    qyn[0, i] = 0.0
                continue
            jb = j - 1 if j > 1 else j
            ja = j + 1 if j < ny - 1 else j
            for i in range(i0, i1):
                qyn[j, i] = _face(z[j - 1, i] + h[j - 1, i], z[j, i] + h[j, i], z[j - 1, i], z[j, i], qy[j, i],
                                  qy[jb, i], qy[ja, i], fixed[j - 1, i] + fixed[j, i] >= 2, g_dt, g_dt_n2, inv_dx,
                                  theta, h_min, cap_froude)


@njit(parallel=True, cache=True, error_model="numpy")
def limiter(tile_n, strips, n_strips, h, qxn, qyn, factor, dt, dx):
    """The share of its outgoing discharges each cell can supply in ``dt`` (1 when it has enough),
    in ``factor`` padded by one cell on each side (cell (j, i) at [j + 1, i + 1]; the pad holds 1)."""
    ny, nx = h.shape
    for k in prange(n_strips):
        j0, i0, i1 = strips[k, 0] * tile_n, strips[k, 1] * tile_n, min(nx, strips[k, 2] * tile_n)
        for j in range(j0, min(ny, j0 + tile_n)):
            for i in range(i0, i1):
                out = max(0.0, -qxn[j, i]) + max(0.0, qxn[j, i + 1]) + max(0.0, -qyn[j, i]) + max(0.0, qyn[j + 1, i])
                volume_out = out * dt / dx   # as a depth over the cell
                factor[j + 1, i + 1] = h[j, i] / volume_out if volume_out > h[j, i] else 1.0


@njit(parallel=True, cache=True, error_model="numpy")
def update(tile_n, strips, n_strips, h, qx, qy, qxn, qyn, factor, dt, dx, wet_depth, time_after,
           max_depth, arrival_s, wet_s):
    """Limited discharges (written on the faces the strip owns), new depths and the running
    outputs. Written with selects rather than branches so that the cell loop vectorises; the
    domain's edge faces carry zero, so the pad of ``factor`` is only ever multiplied by zero."""
    ny, nx = h.shape
    r = dt / dx
    for k in prange(n_strips):
        j0, i0, i1 = strips[k, 0] * tile_n, strips[k, 1] * tile_n, min(nx, strips[k, 2] * tile_n)
        for j in range(j0, min(ny, j0 + tile_n)):
            for i in range(i0, i1):
                here = factor[j + 1, i + 1]
                q = qxn[j, i]
                west = q * (factor[j + 1, i] if q > 0.0 else here)
                q = qxn[j, i + 1]
                east = q * (here if q > 0.0 else factor[j + 1, i + 2])
                q = qyn[j, i]
                south = q * (factor[j, i + 1] if q > 0.0 else here)
                q = qyn[j + 1, i]
                north = q * (here if q > 0.0 else factor[j + 2, i + 1])
                qx[j, i] = west
                qy[j, i] = south
                # rounding only (≤ 1e-15 m) can go below zero: the limiter keeps depths non-negative
                value = max(h[j, i] + r * (west - east + south - north), 0.0)
                h[j, i] = value
                max_depth[j, i] = max(max_depth[j, i], value)
                wet = value > wet_depth
                wet_s[j, i] += dt if wet else 0.0
                before = arrival_s[j, i]
                arrival_s[j, i] = time_after if (wet and before < 0.0) else before


WEST, EAST, SOUTH, NORTH = 1, 2, 4, 8   # edge bits of a source tile: where its moving water lies


@njit(parallel=True, cache=True, error_model="numpy")
def survey(tile_n, tiles, n_tiles, h, fixed, h_min, tile_edges, tile_peak):
    """For each active tile: its deepest free water, and whether it is a source (bit 16) with the
    edges its free water deeper than ``h_min`` touches (bits WEST…NORTH)."""
    ny, nx = h.shape
    ntx = (nx + tile_n - 1) // tile_n
    for k in prange(n_tiles):
        t = tiles[k]
        j0, i0 = (t // ntx) * tile_n, (t % ntx) * tile_n
        j1, i1 = min(ny, j0 + tile_n), min(nx, i0 + tile_n)
        peak = 0.0
        for j in range(j0, j1):
            for i in range(i0, i1):
                peak = max(peak, h[j, i] if fixed[j, i] == FREE else 0.0)
        bits = 0
        if peak > h_min:
            bits = 16
            for j in range(j0, j1):
                if fixed[j, i0] == FREE and h[j, i0] > h_min:
                    bits |= WEST
                if fixed[j, i1 - 1] == FREE and h[j, i1 - 1] > h_min:
                    bits |= EAST
            for i in range(i0, i1):
                if fixed[j0, i] == FREE and h[j0, i] > h_min:
                    bits |= SOUTH
                if fixed[j1 - 1, i] == FREE and h[j1 - 1, i] > h_min:
                    bits |= NORTH
        tile_edges[t] = bits
        tile_peak[t] = peak


@njit(cache=True, error_model="numpy")
def hold_all(h, z, fixed_cells, level):
    """Impose ``level`` on every held cell; returns the depth this added, summed over the cells."""
    ny, nx = h.shape
    added = 0.0
    for k in range(fixed_cells.size):
        j, i = fixed_cells[k] // nx, fixed_cells[k] % nx
        new = max(level - z[j, i], 0.0)
        added += new - h[j, i]
        h[j, i] = new
    return added


@njit(cache=True, error_model="numpy")
def _hold_banks(tile_n, h, z, fixed, bank_cells, level, h_min, tile_edges, sources, counts):
    """Impose ``level`` on the held cells next to free ones (the others exchange nothing, and get
    the level at the end of each interval); returns the depth added and the deepest face between a
    held and a free cell. A held cell standing above a free neighbour's ground makes its tile a
    source, with the edge towards that neighbour when it lies in the next tile."""
    ny, nx = h.shape
    ntx = (nx + tile_n - 1) // tile_n
    added, deepest = 0.0, 0.0
    for k in range(bank_cells.size):
        j, i = bank_cells[k] // nx, bank_cells[k] % nx
        new = max(level - z[j, i], 0.0)
        added += new - h[j, i]
        h[j, i] = new
        eta = z[j, i] + new
        bits = 0
        for dj, di, edge in ((0, 1, EAST), (0, -1, WEST), (1, 0, NORTH), (-1, 0, SOUTH)):
            jj, ii = j + dj, i + di
            if 0 <= jj < ny and 0 <= ii < nx and fixed[jj, ii] == FREE:
                face = eta - max(z[j, i], z[jj, ii])
                if face > h_min:
                    deepest = max(deepest, face)
                    bits |= 16
                    if jj // tile_n != j // tile_n or ii // tile_n != i // tile_n:
                        bits |= edge
        if bits:
            t = (j // tile_n) * ntx + i // tile_n
            if tile_edges[t] == 0:
                sources[counts[0]] = t
                counts[0] += 1
            tile_edges[t] |= bits
    return added, deepest


@njit(cache=True)
def _activate(tile_n, ny, nx, sources, tile_edges, active, previous, strips, mark, counts, qx, qy, qxn, qyn,
              factor):
    """The source tiles, and the tile across each edge a source's moving water touches, become
    active; they are listed row by row in ``active`` and merged into ``strips`` (tile row, first
    and past-the-last tile column). Tiles leaving the set get zero discharges on their faces
    (their cells are dry, as the whole-grid step would leave them). ``counts`` = [sources,
    active, strips, epoch]. Returns the cells of the active tiles."""
    nty, ntx = (ny + tile_n - 1) // tile_n, (nx + tile_n - 1) // tile_n
    counts[3] += 1
    epoch = counts[3]
    lo_j, hi_j, lo_i, hi_i = nty, -1, ntx, -1
    for k in range(counts[0]):
        t = sources[k]
        tj, ti = t // ntx, t % ntx
        bits = tile_edges[t]
        for dj, di, edge in ((0, 0, 0), (0, -1, WEST), (0, 1, EAST), (-1, 0, SOUTH), (1, 0, NORTH)):
            a, b = tj + dj, ti + di
            if (edge == 0 or bits & edge) and 0 <= a < nty and 0 <= b < ntx:
                mark[a * ntx + b] = epoch
                lo_j, hi_j, lo_i, hi_i = min(lo_j, a), max(hi_j, a), min(lo_i, b), max(hi_i, b)
    for k in range(counts[1]):   # tiles leaving the set
        t = previous[k]
        if mark[t] != epoch:
            tj, ti = t // ntx, t % ntx
            for j in range(tj * tile_n, min(ny, (tj + 1) * tile_n)):
                for i in range(ti * tile_n, min(nx, (ti + 1) * tile_n)):
                    qx[j, i] = 0.0
                    qy[j, i] = 0.0
                    qxn[j, i] = 0.0
                    qyn[j, i] = 0.0
                    factor[j + 1, i + 1] = 1.0
    n_active, n_strips, cells = 0, 0, 0
    for a in range(lo_j, hi_j + 1):
        rows = min(ny, (a + 1) * tile_n) - a * tile_n
        b = lo_i
        while b <= hi_i:
            if mark[a * ntx + b] != epoch:
                b += 1
                continue
            start = b
            while b <= hi_i and mark[a * ntx + b] == epoch and b - start < STRIP:
                active[n_active] = a * ntx + b
                n_active += 1
                b += 1
            strips[n_strips, 0], strips[n_strips, 1], strips[n_strips, 2] = a, start, b
            n_strips += 1
            cells += rows * (min(nx, b * tile_n) - start * tile_n)
    previous[:n_active] = active[:n_active]
    counts[1] = n_active
    counts[2] = n_strips
    return cells


@njit(cache=True, error_model="numpy")
def advance(tile_n, h, z, fixed, qx, qy, qxn, qyn, factor, max_depth, arrival_s, wet_s, fixed_cells, bank_cells,
            stage_t, stage_level, tile_edges, tile_peak, sources, active, previous, strips, mark, counts, time_s,
            end_s, dx, n, theta, alpha, h_min, wet_depth, dt_max, froude, max_steps):
    """Steps from ``time_s`` to ``end_s`` (or ``max_steps``). Returns the time reached, the steps
    taken, the cells computed, the volume the held cells added (m³) and the last stable step."""
    ny, nx = h.shape
    steps, cells, added, dt = 0, 0, 0.0, dt_max
    has_stage = stage_t.size > 0
    while time_s < end_s - 1e-9 and steps < max_steps:
        deepest = 0.0
        if has_stage:
            a, deepest = _hold_banks(tile_n, h, z, fixed, bank_cells, np.interp(time_s, stage_t, stage_level),
                                     h_min, tile_edges, sources, counts)
            added += a
        for k in range(counts[0]):
            deepest = max(deepest, tile_peak[sources[k]])
        dt = dt_max if deepest <= 0.0 else min(dt_max, alpha * dx / np.sqrt(G * deepest))
        dt = min(dt, end_s - time_s)
        cells += _activate(tile_n, ny, nx, sources, tile_edges, active, previous, strips, mark, counts,
                           qx, qy, qxn, qyn, factor)
        for k in range(counts[0]):
            tile_edges[sources[k]] = 0
        counts[0] = 0
        n_active, n_strips = counts[1], counts[2]
        if n_strips > 0:
            momentum(tile_n, strips, n_strips, h, z, fixed, qx, qy, qxn, qyn, dt, dx, n, theta, h_min, froude)
            limiter(tile_n, strips, n_strips, h, qxn, qyn, factor, dt, dx)
            update(tile_n, strips, n_strips, h, qx, qy, qxn, qyn, factor, dt, dx, wet_depth, time_s + dt,
                   max_depth, arrival_s, wet_s)
            survey(tile_n, active, n_active, h, fixed, h_min, tile_edges, tile_peak)
            for k in range(n_active):
                if tile_edges[active[k]]:
                    sources[counts[0]] = active[k]
                    counts[0] += 1
        time_s += dt
        steps += 1
    if has_stage:
        added += hold_all(h, z, fixed_cells, np.interp(time_s, stage_t, stage_level))
    return time_s, steps, cells, added * dx * dx, dt


@njit(cache=True)
def initial_sources(tile_n, h, fixed, h_min, tile_edges, tile_peak, sources, counts):
    """The survey of every tile at the start: sources, their edges and their deepest free water."""
    ny, nx = h.shape
    nty, ntx = (ny + tile_n - 1) // tile_n, (nx + tile_n - 1) // tile_n
    every = np.arange(nty * ntx)
    survey(tile_n, every, every.size, h, fixed, h_min, tile_edges, tile_peak)
    for t in range(every.size):
        if tile_edges[t]:
            sources[counts[0]] = t
            counts[0] += 1
