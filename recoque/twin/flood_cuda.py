"""GPU path of the flood component: the step of ``flood_kernels`` on every cell of the grid, as
CUDA kernels compiled by numba-cuda (``pip install .[gpu]``). Optional: the CPU kernels are the
default, and this path is used only when asked for (``backend="cuda"``) on a machine with a GPU.

The clock lives on the device — the time, the stable step, the steps taken — so a batch of steps
runs without the host waiting on the GPU; the host reads the clock once per batch. Each step: the
held cells next to free ones take the river's level (and report their deepest face), the step is
chosen from the deepest moving water (α dx / √(g h)), new face discharges, the mass limiter, the
continuity update with the running outputs (and the deepest free water for the next step), then
the clock moves on. A step with ``dt = 0`` (the interval is over) leaves everything as it is.

The same rules as the CPU kernels, written again for the GPU: held cells exchange with free ones
only, closed cells are shut, a face next to the domain's edge averages with itself, supercritical
discharges are capped. The tests run these kernels in numba-cuda's simulator against the CPU
path; on a machine with a GPU they run on it (``tests/twin/test_flood_cuda.py``).
"""

from __future__ import annotations

import math

import numpy as np

from recoque.twin.flood_kernels import FREE, G, cube_root

try:   # numba-cuda: pip install .[gpu]; the kernels below are compiled at their first launch
    from numba import cuda
except ImportError:   # pragma: no cover - without numba-cuda the CPU path is the only one
    cuda = None

BLOCK = (16, 16)
BATCH = 256   # steps launched between two reads of the clock
# clock: time (s), step (s), end (s), steps taken, most steps, volume added by the held cells (as depth)
T, DT, END, STEPS, MAX_STEPS, ADDED = range(6)


def available() -> bool:
    """A CUDA GPU and numba-cuda are here (or numba-cuda's simulator is switched on)."""
    if cuda is None:
        return False
    try:
        return bool(cuda.is_available())
    except Exception:   # a driver that cannot start counts as no GPU
        return False


if cuda is not None:
    cbrt = cuda.jit(device=True, inline=True)(cube_root)

    @cuda.jit(device=True, inline=True)
    def face(eta_l, eta_r, z_l, z_r, q0, q_before, q_after, shut, g_dt, g_dt_n2, inv_dx, theta, h_min, cap_froude):
        hf = max(eta_l, eta_r) - max(z_l, z_r)
        if hf <= h_min or shut:
            return 0.0
        q = theta * q0 + (1.0 - theta) * 0.5 * (q_before + q_after)
        q = (q - g_dt * hf * (eta_r - eta_l) * inv_dx) / (1.0 + g_dt_n2 * abs(q0) / (hf * hf * cbrt(hf)))
        cap = cap_froude * hf * math.sqrt(G * hf)
        return min(max(q, -cap), cap)

    @cuda.jit(device=True, inline=True)
    def level_at(t, stage_t, stage_level):
        n = stage_t.shape[0]
        if t <= stage_t[0]:
            return stage_level[0]
        for k in range(1, n):
            if t <= stage_t[k]:
                w = (t - stage_t[k - 1]) / (stage_t[k] - stage_t[k - 1])
                return stage_level[k - 1] + w * (stage_level[k] - stage_level[k - 1])
        return stage_level[n - 1]

    @cuda.jit
    def hold(h, z, fixed, cells, stage_t, stage_level, clock, deep, h_min, banks_only):
        k = cuda.grid(1)
        if k >= cells.shape[0]:
            return
        ny, nx = h.shape
        j, i = cells[k] // nx, cells[k] % nx
        new = max(level_at(clock[T], stage_t, stage_level) - z[j, i], 0.0)
        cuda.atomic.add(clock, ADDED, new - h[j, i])
        h[j, i] = new
        if not banks_only:
            return
        eta = z[j, i] + new
        deepest = 0.0
        for dj, di in ((0, 1), (0, -1), (1, 0), (-1, 0)):
            jj, ii = j + dj, i + di
            if 0 <= jj < ny and 0 <= ii < nx and fixed[jj, ii] == FREE:
                f = eta - max(z[j, i], z[jj, ii])
                if f > h_min:
                    deepest = max(deepest, f)
        if deepest > 0.0:
            cuda.atomic.max(deep, 0, deepest)

    @cuda.jit
    def choose_step(clock, deep, dx, alpha, dt_max):
        if cuda.grid(1) != 0:
            return
        t, end = clock[T], clock[END]
        if t >= end - 1e-9 or clock[STEPS] >= clock[MAX_STEPS]:
            clock[DT] = 0.0
        else:
            d = deep[0]
            dt = dt_max if d <= 0.0 else min(dt_max, alpha * dx / math.sqrt(G * d))
            clock[DT] = min(dt, end - t)
            clock[STEPS] += 1.0
        deep[0] = 0.0

    @cuda.jit
    def momentum_x(h, z, fixed, qx, qxn, clock, dx, n, theta, h_min, cap_froude):
        i, j = cuda.grid(2)   # x runs along a row: neighbouring threads read neighbouring memory
        ny, nx = h.shape
        dt = clock[DT]
        if j >= ny or i > nx or dt <= 0.0:
            return
        if i == 0 or i == nx:
            qxn[j, i] = 0.0
            return
        q0 = qx[j, i]
        left = q0 if i == 1 else qx[j, i - 1]
        right = q0 if i == nx - 1 else qx[j, i + 1]
        qxn[j, i] = face(z[j, i - 1] + h[j, i - 1], z[j, i] + h[j, i], z[j, i - 1], z[j, i], q0, left, right,
                         fixed[j, i - 1] + fixed[j, i] >= 2, G * dt, G * dt * n * n, 1.0 / dx, theta, h_min,
                         cap_froude)

    @cuda.jit
    def momentum_y(h, z, fixed, qy, qyn, clock, dx, n, theta, h_min, cap_froude):
        i, j = cuda.grid(2)   # x runs along a row: neighbouring threads read neighbouring memory
        ny, nx = h.shape
        dt = clock[DT]
        if j > ny or i >= nx or dt <= 0.0:
            return
        if j == 0 or j == ny:
            qyn[j, i] = 0.0
            return
        q0 = qy[j, i]
        below = q0 if j == 1 else qy[j - 1, i]
        above = q0 if j == ny - 1 else qy[j + 1, i]
        qyn[j, i] = face(z[j - 1, i] + h[j - 1, i], z[j, i] + h[j, i], z[j - 1, i], z[j, i], q0, below, above,
                         fixed[j - 1, i] + fixed[j, i] >= 2, G * dt, G * dt * n * n, 1.0 / dx, theta, h_min,
                         cap_froude)

    @cuda.jit
    def limiter(h, qxn, qyn, factor, clock, dx):
        i, j = cuda.grid(2)   # x runs along a row: neighbouring threads read neighbouring memory
        ny, nx = h.shape
        dt = clock[DT]
        if j >= ny or i >= nx or dt <= 0.0:
            return
        out = max(0.0, -qxn[j, i]) + max(0.0, qxn[j, i + 1]) + max(0.0, -qyn[j, i]) + max(0.0, qyn[j + 1, i])
        volume_out = out * dt / dx
        factor[j, i] = h[j, i] / volume_out if volume_out > h[j, i] else 1.0

    @cuda.jit
    def update(h, fixed, qx, qy, qxn, qyn, factor, clock, deep, dx, h_min, wet_depth, max_depth, arrival_s, wet_s):
        i, j = cuda.grid(2)   # x runs along a row: neighbouring threads read neighbouring memory
        ny, nx = h.shape
        dt = clock[DT]
        if j >= ny or i >= nx or dt <= 0.0:
            return
        here = factor[j, i]
        q = qxn[j, i]
        west = 0.0 if i == 0 else q * (factor[j, i - 1] if q > 0.0 else here)
        q = qxn[j, i + 1]
        east = 0.0 if i == nx - 1 else q * (here if q > 0.0 else factor[j, i + 1])
        q = qyn[j, i]
        south = 0.0 if j == 0 else q * (factor[j - 1, i] if q > 0.0 else here)
        q = qyn[j + 1, i]
        north = 0.0 if j == ny - 1 else q * (here if q > 0.0 else factor[j + 1, i])
        qx[j, i] = west   # the limited discharges of the faces this cell owns: the next step's state
        qy[j, i] = south
        value = max(h[j, i] + dt / dx * (west - east + south - north), 0.0)
        h[j, i] = value
        if value > max_depth[j, i]:
            max_depth[j, i] = value
        if value > wet_depth:
            wet_s[j, i] += dt
            if arrival_s[j, i] < 0.0:
                arrival_s[j, i] = clock[T] + dt
        if fixed[j, i] == FREE and value > h_min:
            cuda.atomic.max(deep, 0, value)

    @cuda.jit
    def tick(clock):
        if cuda.grid(1) == 0:
            clock[T] += clock[DT]

    KERNELS = {"hold": hold, "choose_step": choose_step, "momentum_x": momentum_x, "momentum_y": momentum_y,
               "limiter": limiter, "update": update, "tick": tick}


class CudaEngine:
    """The flood component's arrays on the GPU; ``advance`` has the CPU kernels' contract."""

    def __init__(self, flood) -> None:
        self.cuda, self.flood, self.k = cuda, flood, KERNELS
        f = flood
        ny, nx = f.h.shape
        self.shape = (ny, nx)
        to = cuda.to_device
        self.z, self.fixed = to(f.z), to(f._fixed)
        self.h, self.qx, self.qy = to(f.h), to(f.qx), to(f.qy)
        self.qxn, self.qyn = to(np.zeros_like(f.qx)), to(np.zeros_like(f.qy))
        self.factor = to(np.ones((ny, nx)))
        self.max_depth, self.arrival, self.wet = to(f.max_depth), to(f.arrival), to(f.wet)
        self.banks, self.held = to(f._bank_cells), to(f._fixed_cells)
        has_stage = f.stage_t.size > 0
        self.stage_t = to(f.stage_t if has_stage else np.zeros(1))
        self.stage_level = to(f.stage_level if has_stage else np.zeros(1))
        self.has_stage = has_stage
        free = f._fixed == FREE
        deepest = float(f.h[free & (f.h > f.p.h_min)].max(initial=0.0))
        self.deep = to(np.array([deepest]))

    def _grid(self, rows: int, cols: int):
        """Blocks over (columns, rows): the x index of a thread is its column."""
        return (-(-cols // BLOCK[0]), -(-rows // BLOCK[1])), BLOCK

    def advance(self, time_s: float, end_s: float, max_steps: int) -> tuple[float, int, int, float, float]:
        f, k, p = self.flood, self.k, self.flood.p
        ny, nx = self.shape
        clock = self.cuda.to_device(np.array([time_s, 0.0, end_s, 0.0, float(min(max_steps, 2**52)), 0.0]))
        cap = p.froude_limit if p.froude_limit else 1e300
        faces_x, faces_y, cells = self._grid(ny, nx + 1), self._grid(ny + 1, nx), self._grid(ny, nx)
        banks = (max(1, -(-self.banks.shape[0] // 256)), 256)
        held = (max(1, -(-self.held.shape[0] // 256)), 256)
        last_dt, taken = 0.0, 0
        while True:
            for _ in range(min(BATCH, max_steps - taken)):
                if self.has_stage and self.banks.shape[0]:
                    k["hold"][banks](self.h, self.z, self.fixed, self.banks, self.stage_t, self.stage_level, clock,
                                     self.deep, p.h_min, True)
                k["choose_step"][1, 1](clock, self.deep, f.dx, p.alpha, p.dt_max)
                k["momentum_x"][faces_x](self.h, self.z, self.fixed, self.qx, self.qxn, clock, f.dx, p.mannings_n,
                                         p.theta, p.h_min, cap)
                k["momentum_y"][faces_y](self.h, self.z, self.fixed, self.qy, self.qyn, clock, f.dx, p.mannings_n,
                                         p.theta, p.h_min, cap)
                k["limiter"][cells](self.h, self.qxn, self.qyn, self.factor, clock, f.dx)
                k["update"][cells](self.h, self.fixed, self.qx, self.qy, self.qxn, self.qyn, self.factor, clock,
                                   self.deep, f.dx, p.h_min, p.wet_depth, self.max_depth, self.arrival, self.wet)
                k["tick"][1, 1](clock)
            state = clock.copy_to_host()
            taken = int(state[STEPS])
            if state[DT] > 0:
                last_dt = float(state[DT])
            if state[T] >= end_s - 1e-9 or taken >= max_steps:
                break
        if self.has_stage and self.held.shape[0]:
            k["hold"][held](self.h, self.z, self.fixed, self.held, self.stage_t, self.stage_level, clock, self.deep,
                            p.h_min, False)
        state = clock.copy_to_host()
        for name in ("h", "qx", "qy", "max_depth", "arrival", "wet"):
            getattr(self, name).copy_to_host(getattr(f, name))
        steps = int(state[STEPS])
        return float(state[T]), steps, steps * ny * nx, float(state[ADDED]) * f.dx * f.dx, last_dt
