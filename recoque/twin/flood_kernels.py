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
either way). CLOSED cells are outside the domain: no face to them carries water. The stable
step is ``dt = α dx / sqrt(g h)`` (eq. 12, α ≤ 0.7) with ``h`` the deepest water that moves:
free cells, and the faces between held and free cells.

**Active tiles.** The grid is cut into TILE × TILE tiles. A tile is a *source* when it holds
moving water: a free cell deeper than ``h_min``, or a held cell whose level stands above a free
neighbour's ground. A step computes the source tiles and, across each edge of a source tile
where such a cell lies, the tile on the other side. Water crosses at most one face per step (a
dry cell is reached only through a face with a wet side), and the set is rebuilt before every
step, so the result is the same as computing every cell — the tests check it against a
whole-grid NumPy step. Active tiles next to each other in a row are computed as one strip, so
that the cell loops are long enough to vectorise. The time loop runs inside numba (``advance``)
and returns to Python only at the end of each requested interval.

**What keeps it fast** (measured on the 1910 run at 10 m; ``bench/bench_flood.py``): the cell
loops index rows (``h[j]``) with unsigned indices, so that numba adds no negative-index fix-up
and LLVM sees unit strides — with two-dimensional signed indices the loops were "vectorised"
with one load per lane; the friction term's h^(−7/3) comes from a float32 bit guess and two
series steps (``inverse_cube_root``: multiplications only) rather than square roots and
divisions; the faces between the river and the land are listed once, sorted by height, so that
a step reads only those the river's level covers (``bank_faces``, ``bank_sources``); each row
of tiles keeps the span of its active tiles (``_activate``); the tiles are surveyed for the
next step inside the update, while their cells are in the cache.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

G = 9.81
TILE = 8   # cells on a tile's side (the default; Flood takes another): the fastest on the Paris runs
FREE, HELD, CLOSED = 0, 1, 2   # kinds of cell in ``fixed``: a face whose two kinds sum to 2 or more is shut
WEST, EAST, SOUTH, NORTH = 1, 2, 4, 8   # edge bits of a source tile: where its moving water lies


def cube_root(x):
    """Cube root without a library call: x^(21/64) from six square roots (x^(1/4) · x^(1/16) ·
    x^(1/64), within 5 % over 1e-4–1e4), then two Halley steps: relative error < 1e-12 over
    1e-4–1e4 m, < 2e-10 down to 1e-8 m (test). Plain Python, compiled in ``flood_cuda`` for the
    GPU."""
    a = math.sqrt(math.sqrt(x))
    b = math.sqrt(math.sqrt(a))
    y = a * b * math.sqrt(math.sqrt(b))
    for _ in range(2):
        y3 = y * y * y
        y = y * (y3 + 2.0 * x) / (2.0 * y3 + x)
    return y


#: first guess of x^(-1/3) from the bits of x as a float32 (the exponent divided by −3): within
#: 3.5 % for every positive float32 (constant chosen by search over one period of the mantissa)
INV_CBRT_MAGIC = 0x54A232A2


@njit(cache=True, inline="always", error_model="numpy")
def inverse_cube_root(x):
    """x^(−1/3) for x > 0 with no division and no square root, so that the face loop stays short
    and vectorises: the float32 bit guess (within 3.5 %), then two steps of the series
    x^(−1/3) = y (1 − e)^(−1/3), e = 1 − x y³ (to e⁴, then to e²): relative error < 2e-15 over
    1e-8–1e4 m (test), the last bits of float64."""
    i = np.float32(x).view(np.int32)
    y = np.float64(np.int32(INV_CBRT_MAGIC - i // 3).view(np.float32))
    e = 1.0 - x * (y * y * y)
    y = y * (1.0 + e * (1.0 / 3.0 + e * (2.0 / 9.0 + e * (14.0 / 81.0 + e * (35.0 / 243.0)))))
    e = 1.0 - x * (y * y * y)
    return y * (1.0 + e * (1.0 / 3.0 + e * (2.0 / 9.0)))


@njit(cache=True, inline="always", error_model="numpy")
def _face(eta_l, eta_r, z_l, z_r, q0, q_before, q_after, shut, g_dt, g_dt_n2, inv_dx, theta, h_min, cap_froude):
    """One face's new discharge, written without branches (selects) so that loops vectorise.
    The friction term divides by h^(7/3): multiplied here by (h^(−1/3))^7."""
    hf = max(eta_l, eta_r) - max(z_l, z_r)
    hs = max(hf, h_min)
    q = theta * q0 + (1.0 - theta) * 0.5 * (q_before + q_after)
    r = inverse_cube_root(hs)
    r2 = r * r
    q = (q - g_dt * hs * (eta_r - eta_l) * inv_dx) / (1.0 + g_dt_n2 * abs(q0) * (r2 * r2 * r2 * r))
    # supercritical flow is outside the scheme's validity: capped at froude × critical discharge
    cap = cap_froude * hs * np.sqrt(G * hs)
    q = min(max(q, -cap), cap)
    return 0.0 if (hf <= h_min or shut) else q


STRIP_CELLS = 64   # cells at most across one strip of work (long enough to vectorise, short enough to share out)


@njit(parallel=True, cache=True, error_model="numpy")
def momentum(tile_n, strips, n_strips, h, z, fixed, qx, qy, qxn, qyn, dt, dx, n, theta, h_min, froude):
    """New discharges on the faces each strip owns: the west face and the south face of each of
    its cells (the domain's east and north edge faces stay closed). A face next to the domain's
    edge averages with itself rather than with the closed edge face: those faces are peeled off,
    so that the loop over the others has no select on its index."""
    ny, nx = h.shape
    g_dt, g_dt_n2, inv_dx = G * dt, G * dt * n * n, 1.0 / dx
    cap_froude = froude if froude > 0.0 else 1e300
    one = np.uint64(1)
    for k in prange(n_strips):
        j0, i0, i1 = strips[k, 0] * tile_n, strips[k, 1] * tile_n, min(nx, strips[k, 2] * tile_n)
        for j in range(j0, min(ny, j0 + tile_n)):
            hj, zj, fj, qxj, qxnj = h[j], z[j], fixed[j], qx[j], qxn[j]
            if i0 == 0:
                qxnj[0] = 0.0
            if i0 <= 1 < i1:   # the face next to the west edge
                q0 = qxj[1]
                right = q0 if nx == 2 else qxj[2]
                qxnj[1] = _face(zj[0] + hj[0], zj[1] + hj[1], zj[0], zj[1], q0, q0, right,
                                fj[0] + fj[1] >= 2, g_dt, g_dt_n2, inv_dx, theta, h_min, cap_froude)
            for ii in range(max(i0, 2), min(i1, nx - 1)):
                i = np.uint64(ii)
                qxnj[i] = _face(zj[i - one] + hj[i - one], zj[i] + hj[i], zj[i - one], zj[i], qxj[i],
                                qxj[i - one], qxj[i + one], fj[i - one] + fj[i] >= 2, g_dt, g_dt_n2,
                                inv_dx, theta, h_min, cap_froude)
            if i1 == nx and nx > 2:
                q0 = qxj[nx - 1]
                qxnj[nx - 1] = _face(zj[nx - 2] + hj[nx - 2], zj[nx - 1] + hj[nx - 1], zj[nx - 2],
                                     zj[nx - 1], q0, qxj[nx - 2], q0, fj[nx - 2] + fj[nx - 1] >= 2,
                                     g_dt, g_dt_n2, inv_dx, theta, h_min, cap_froude)
            qynj = qyn[j]
            if j == 0:
                for i in range(i0, i1):
                    qynj[i] = 0.0
                continue
            hm, zm, fm = h[j - 1], z[j - 1], fixed[j - 1]
            qyj, qyb, qya = qy[j], qy[j - 1 if j > 1 else j], qy[j + 1 if j < ny - 1 else j]
            for ii in range(i0, i1):
                i = np.uint64(ii)
                qynj[i] = _face(zm[i] + hm[i], zj[i] + hj[i], zm[i], zj[i], qyj[i], qyb[i], qya[i],
                                fm[i] + fj[i] >= 2, g_dt, g_dt_n2, inv_dx, theta, h_min, cap_froude)


@njit(parallel=True, cache=True, error_model="numpy")
def limiter(tile_n, strips, n_strips, h, qxn, qyn, factor, dt, dx):
    """The share of its outgoing discharges each cell can supply in ``dt`` (1 when it has enough),
    in ``factor`` padded by one cell on each side (cell (j, i) at [j + 1, i + 1]; the pad holds 1)."""
    ny, nx = h.shape
    one = np.uint64(1)
    for k in prange(n_strips):
        j0, i0, i1 = strips[k, 0] * tile_n, strips[k, 1] * tile_n, min(nx, strips[k, 2] * tile_n)
        for j in range(j0, min(ny, j0 + tile_n)):
            hj, qxj, qys, qyn_, fj = h[j], qxn[j], qyn[j], qyn[j + 1], factor[j + 1]
            for ii in range(i0, i1):
                i = np.uint64(ii)
                out = max(0.0, -qxj[i]) + max(0.0, qxj[i + one]) + max(0.0, -qys[i]) + max(0.0, qyn_[i])
                volume_out = out * dt / dx   # as a depth over the cell
                fj[i + one] = hj[i] / volume_out if volume_out > hj[i] else 1.0


@njit(parallel=True, cache=True, error_model="numpy")
def update(tile_n, strips, n_strips, h, fixed, qx, qy, qxn, qyn, factor, dt, dx, h_min, wet_depth, time_before,
           max_depth, arrival_s, wet_since, wet_total, tile_edges, tile_peak):
    """Limited discharges (written on the faces the strip owns), new depths and maximum depths.
    A row where a cell got wet or dry is read again for its wet spells: a spell starts at the
    start of the step after which the cell is wet (``wet_since``; −1 when dry) and its length goes
    to ``wet_total`` at the start of the step after which it is dry — the same time under water
    as adding each step's ``dt`` where the cell is wet after it, without reading and writing that
    time at every step; the first arrival is the end of the first such step. Then the strip's
    tiles are surveyed for the next step (``_survey_tile``) while their cells are in the cache.
    Written with selects rather than branches so that the cell loop vectorises; the domain's edge
    faces carry zero, so the pad of ``factor`` is only ever multiplied by zero."""
    ny, nx = h.shape
    ntx = (nx + tile_n - 1) // tile_n
    r = dt / dx
    time_after = time_before + dt
    one, two = np.uint64(1), np.uint64(2)
    for k in prange(n_strips):
        j0, i0, i1 = strips[k, 0] * tile_n, strips[k, 1] * tile_n, min(nx, strips[k, 2] * tile_n)
        for j in range(j0, min(ny, j0 + tile_n)):
            fs, fh, fn = factor[j], factor[j + 1], factor[j + 2]
            qxnj, qys, qyno = qxn[j], qyn[j], qyn[j + 1]
            qxj, qyj, hj, mj = qx[j], qy[j], h[j], max_depth[j]
            changed = 0
            for ii in range(i0, i1):
                i = np.uint64(ii)
                here = fh[i + one]
                q = qxnj[i]
                west = q * (fh[i] if q > 0.0 else here)
                q = qxnj[i + one]
                east = q * (here if q > 0.0 else fh[i + two])
                q = qys[i]
                south = q * (fs[i + one] if q > 0.0 else here)
                q = qyno[i]
                north = q * (here if q > 0.0 else fn[i + one])
                qxj[i] = west
                qyj[i] = south
                before = hj[i]
                # rounding only (≤ 1e-15 m) can go below zero: the limiter keeps depths non-negative
                value = max(before + r * (west - east + south - north), 0.0)
                hj[i] = value
                mj[i] = max(mj[i], value)
                changed += (before > wet_depth) != (value > wet_depth)
            if changed:
                sj, tj, aj = wet_since[j], wet_total[j], arrival_s[j]
                for i in range(i0, i1):
                    wet = hj[i] > wet_depth
                    if wet and sj[i] < 0.0:
                        sj[i] = time_before
                        if aj[i] < 0.0:
                            aj[i] = time_after
                    elif not wet and sj[i] >= 0.0:
                        tj[i] += time_before - sj[i]
                        sj[i] = -1.0
        # the strip's tiles surveyed for the next step while their cells are in the cache
        for b in range(strips[k, 1], strips[k, 2]):
            _survey_tile(tile_n, strips[k, 0] * ntx + b, ntx, h, fixed, h_min, tile_edges, tile_peak)


@njit(cache=True, inline="always", error_model="numpy")
def _survey_tile(tile_n, t, ntx, h, fixed, h_min, tile_edges, tile_peak):
    """Tile ``t``: its deepest free water, and whether it is a source (bit 16) with the edges its
    free water deeper than ``h_min`` touches (bits WEST…NORTH)."""
    ny, nx = h.shape
    j0, i0 = (t // ntx) * tile_n, (t % ntx) * tile_n
    j1, i1 = min(ny, j0 + tile_n), min(nx, i0 + tile_n)
    peak = 0.0
    for j in range(j0, j1):
        hj, fj = h[j], fixed[j]
        for ii in range(i0, i1):
            i = np.uint64(ii)
            peak = max(peak, hj[i] if fj[i] == FREE else 0.0)
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


@njit(parallel=True, cache=True, error_model="numpy")
def survey(tile_n, tiles, n_tiles, h, fixed, h_min, tile_edges, tile_peak):
    """``_survey_tile`` for each of the listed tiles."""
    ntx = (h.shape[1] + tile_n - 1) // tile_n
    for k in prange(n_tiles):
        _survey_tile(tile_n, tiles[k], ntx, h, fixed, h_min, tile_edges, tile_peak)


def bank_faces(tile_n, z, fixed, bank_cells):
    """The faces between held cells and free ones, listed once (NumPy, at construction): grouped
    by the tile of their held cell (``tiles``; group ``g`` is ``starts[g]:starts[g + 1]``) and
    sorted within a group by the face's bottom (``bottom``: the higher ground of its two cells),
    with the held cell's ground (``ground``) and the edge bits the face gives its tile (``bits``:
    16, and the edge towards the free cell when that cell lies in the next tile)."""
    ny, nx = z.shape
    ntx = (nx + tile_n - 1) // tile_n
    j, i = np.divmod(np.asarray(bank_cells, dtype=np.int64), nx)
    parts = []
    for dj, di, edge in ((0, 1, EAST), (0, -1, WEST), (1, 0, NORTH), (-1, 0, SOUTH)):
        jj, ii = j + dj, i + di
        inside = (jj >= 0) & (jj < ny) & (ii >= 0) & (ii < nx)
        a, b, aa, bb = j[inside], i[inside], jj[inside], ii[inside]
        free = fixed[aa, bb] == FREE
        a, b, aa, bb = a[free], b[free], aa[free], bb[free]
        across = (aa // tile_n != a // tile_n) | (bb // tile_n != b // tile_n)
        parts.append(((a // tile_n) * ntx + b // tile_n, np.maximum(z[a, b], z[aa, bb]), z[a, b],
                      16 | np.where(across, edge, 0)))
    tile, bottom, ground, bits = (np.concatenate([p[k] for p in parts]) for k in range(4))
    order = np.lexsort((bottom, tile))
    tile, bottom, ground, bits = tile[order], bottom[order], ground[order], bits[order].astype(np.int64)
    first = np.flatnonzero(np.r_[True, tile[1:] != tile[:-1]]) if tile.size else np.zeros(0, dtype=np.int64)
    return (np.ascontiguousarray(tile[first], dtype=np.int64), np.r_[first, tile.size].astype(np.int64),
            np.ascontiguousarray(bottom), np.ascontiguousarray(ground), bits)


@njit(cache=True, error_model="numpy")
def hold(h, cells, ground, level):
    """Impose ``level`` on the listed held cells (``ground``: their ground, listed beside them);
    returns the depth this added, summed over the cells. Each step holds the cells next to free
    ones (the others exchange nothing); every held cell gets the level at the end of an interval."""
    nx = h.shape[1]
    added = 0.0
    for k in range(cells.size):
        j, i = cells[k] // nx, cells[k] % nx
        new = max(level - ground[k], 0.0)
        added += new - h[j, i]
        h[j, i] = new
    return added


@njit(cache=True, error_model="numpy")
def bank_sources(tiles, starts, bottom, ground, bits, level, h_min, tile_edges, sources, counts):
    """The tiles whose held cells stand above a free neighbour's ground at ``level`` become
    sources, with the edges towards those neighbours that lie in the next tile; returns the
    deepest such face. Each group is sorted by the face's bottom, so a group is read only as far
    as the faces the level covers."""
    deepest = 0.0
    reach = level - h_min + 1e-9   # the faces beyond cannot carry water (the margin covers rounding)
    for g in range(tiles.size):
        edges = 0
        for k in range(starts[g], starts[g + 1]):
            if bottom[k] > reach:
                break
            face = (ground[k] + max(level - ground[k], 0.0)) - bottom[k]
            if face > h_min:
                deepest = max(deepest, face)
                edges |= bits[k]
        if edges:
            t = tiles[g]
            if tile_edges[t] == 0:
                sources[counts[0]] = t
                counts[0] += 1
            tile_edges[t] |= edges
    return deepest


@njit(cache=True)
def _activate(tile_n, ny, nx, sources, tile_edges, active, previous, strips, mark, row_span, last, counts, qx, qy,
              qxn, qyn, factor):
    """The source tiles, and the tile across each edge a source's moving water touches, become
    active; they are listed row by row in ``active`` and merged into ``strips`` (tile row, first
    and past-the-last tile column). Tiles leaving the set get zero discharges on their faces
    (their cells are dry, as the whole-grid step would leave them). ``row_span`` keeps, for each
    row of tiles, the epoch and the first and last active column, so that only those spans are
    read. The sources and their edges are kept in ``last`` (tile, edges): when a step has the same
    as the last one — most steps, as a front crosses a tile in tens of steps — the active set is
    the same and is not built again. ``counts`` = [sources, active, strips, epoch, last sources,
    last cells]. Returns the cells of the active tiles."""
    n_sources = counts[0]
    if n_sources == counts[4] and counts[3] > 0:
        same = True
        for k in range(n_sources):
            if last[k, 0] != sources[k] or last[k, 1] != tile_edges[sources[k]]:
                same = False
                break
        if same:
            return counts[5]
    for k in range(n_sources):
        last[k, 0], last[k, 1] = sources[k], tile_edges[sources[k]]
    counts[4] = n_sources
    nty, ntx = (ny + tile_n - 1) // tile_n, (nx + tile_n - 1) // tile_n
    strip_tiles = max(1, STRIP_CELLS // tile_n)
    counts[3] += 1
    epoch = counts[3]
    lo_j, hi_j = nty, -1
    for k in range(counts[0]):
        t = sources[k]
        tj, ti = t // ntx, t % ntx
        bits = tile_edges[t]
        for dj, di, edge in ((0, 0, 0), (0, -1, WEST), (0, 1, EAST), (-1, 0, SOUTH), (1, 0, NORTH)):
            a, b = tj + dj, ti + di
            if (edge == 0 or bits & edge) and 0 <= a < nty and 0 <= b < ntx:
                mark[a * ntx + b] = epoch
                if row_span[a, 0] != epoch:
                    row_span[a, 0], row_span[a, 1], row_span[a, 2] = epoch, b, b
                    lo_j, hi_j = min(lo_j, a), max(hi_j, a)
                else:
                    row_span[a, 1], row_span[a, 2] = min(row_span[a, 1], b), max(row_span[a, 2], b)
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
        if row_span[a, 0] != epoch:
            continue
        rows = min(ny, (a + 1) * tile_n) - a * tile_n
        b, hi_i = row_span[a, 1], row_span[a, 2]
        while b <= hi_i:
            if mark[a * ntx + b] != epoch:
                b += 1
                continue
            start = b
            while b <= hi_i and mark[a * ntx + b] == epoch and b - start < strip_tiles:
                active[n_active] = a * ntx + b
                n_active += 1
                b += 1
            strips[n_strips, 0], strips[n_strips, 1], strips[n_strips, 2] = a, start, b
            n_strips += 1
            cells += rows * (min(nx, b * tile_n) - start * tile_n)
    previous[:n_active] = active[:n_active]
    counts[1] = n_active
    counts[2] = n_strips
    counts[5] = cells
    return cells


@njit(cache=True, error_model="numpy")
def advance(water, held, tiles, physics, time_s, end_s, max_steps):
    """Steps from ``time_s`` to ``end_s`` (or ``max_steps``) on the state ``water``, ``held`` and
    ``tiles`` with the constants ``physics`` (the named tuples of ``recoque.twin.flood_state``). Returns the time reached, the steps taken, the cells
    computed, the volume the held cells added (m³) and the last stable step."""
    h, z, fixed, qx, qy, qxn, qyn, factor, max_depth, arrival_s, wet_since, wet_total = water
    (fixed_cells, fixed_z, bank_cells, bank_z, bank_tiles, bank_starts, bank_bottom, bank_ground, bank_bits,
     stage_t, stage_level) = held
    tile_n, tile_edges, tile_peak, sources, active, previous, strips, mark, row_span, last, counts = tiles
    dx, n, theta, alpha, h_min, wet_depth, dt_max, froude = physics
    ny, nx = h.shape
    steps, cells, added, dt = 0, 0, 0.0, dt_max
    has_stage = stage_t.size > 0
    while time_s < end_s - 1e-9 and steps < max_steps:
        deepest = 0.0
        if has_stage:
            level = np.interp(time_s, stage_t, stage_level)
            added += hold(h, bank_cells, bank_z, level)
            deepest = bank_sources(bank_tiles, bank_starts, bank_bottom, bank_ground, bank_bits, level, h_min,
                                   tile_edges, sources, counts)
        for k in range(counts[0]):
            deepest = max(deepest, tile_peak[sources[k]])
        dt = dt_max if deepest <= 0.0 else min(dt_max, alpha * dx / np.sqrt(G * deepest))
        dt = min(dt, end_s - time_s)
        cells += _activate(tile_n, ny, nx, sources, tile_edges, active, previous, strips, mark, row_span, last,
                           counts, qx, qy, qxn, qyn, factor)
        for k in range(counts[0]):
            tile_edges[sources[k]] = 0
        counts[0] = 0
        n_active, n_strips = counts[1], counts[2]
        if n_strips > 0:
            momentum(tile_n, strips, n_strips, h, z, fixed, qx, qy, qxn, qyn, dt, dx, n, theta, h_min, froude)
            limiter(tile_n, strips, n_strips, h, qxn, qyn, factor, dt, dx)
            update(tile_n, strips, n_strips, h, fixed, qx, qy, qxn, qyn, factor, dt, dx, h_min, wet_depth, time_s,
                   max_depth, arrival_s, wet_since, wet_total, tile_edges, tile_peak)
            for k in range(n_active):
                if tile_edges[active[k]]:
                    sources[counts[0]] = active[k]
                    counts[0] += 1
        time_s += dt
        steps += 1
    if has_stage:
        added += hold(h, fixed_cells, fixed_z, np.interp(time_s, stage_t, stage_level))
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
