"""Run by tests/twin/test_flood_cuda.py in a process of its own (numba-cuda's simulator is chosen
when numba.cuda is first imported): the GPU kernels against the CPU path, step by step, on a small
domain with a river held at a rising level, closed cells and water here and there. Prints the
largest differences; exits 1 when they exceed the stated tolerance."""

from __future__ import annotations

import sys

import numpy as np

from recoque.twin.contract import make_grid
from recoque.twin.flood import Flood, FloodParameters


def domain(shape, seed=5):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:shape[0], 0:shape[1]]
    z = 30 + 1.5 * np.sin(x / 3) + np.cos(y / 2) + rng.normal(0, 0.2, shape)
    held = np.zeros(shape, dtype=bool)
    held[:2] = True
    z[held] = 27.0
    closed = np.zeros(shape, dtype=bool)
    closed[-3:, -4:] = True
    h = np.where(rng.random(shape) < 0.3, rng.uniform(0, 1.2, shape), 0.0)
    h[held] = 0.0
    return z, h, held, closed


def main(shape=(12, 14), steps=25, tolerance=1e-9) -> int:
    z, h, held, closed = domain(shape)
    stage = (np.array([0.0, 300.0]), np.array([30.0, 32.5]))
    models = {}
    for backend in ("cpu", "cuda"):
        grid = make_grid(z.shape, 10.0, topographic__elevation=(z, "m"), surface_water__depth=(h.copy(), "m"))
        models[backend] = Flood(grid, FloodParameters(), boundary=held, stage=stage, closed=closed, backend=backend)
    worst = 0.0
    for _ in range(steps):
        for model in models.values():
            model.advance(1e9, max_steps=1)
        cpu, gpu = models["cpu"], models["cuda"]
        worst = max(worst, abs(cpu.last_dt - gpu.last_dt), float(np.abs(cpu.h - gpu.h).max()),
                    float(np.abs(cpu.qx - gpu.qx).max()), float(np.abs(cpu.qy - gpu.qy).max()),
                    float(np.abs(cpu.max_depth - gpu.max_depth).max()))
    gpu = models["cuda"]
    print(f"steps {gpu.steps}, largest difference {worst:.2e}, mass error cpu {models['cpu'].mass_error():.1e} "
          f"gpu {gpu.mass_error():.1e}, wet cells {(gpu.h > 0.01).sum()}")
    return 0 if worst <= tolerance and gpu.mass_error() < 1e-9 and gpu.steps == steps else 1


if __name__ == "__main__":
    sys.exit(main(*(() if len(sys.argv) < 2 else ((int(sys.argv[1]), int(sys.argv[2])), int(sys.argv[3])))))
