"""A whole-grid NumPy step of the local-inertia scheme, written from de Almeida et al. (2012) and
the rules stated in ``recoque.twin.flood_kernels`` (closed edges, a face next to the edge averaging
with itself, held cells exchanging with free ones only, closed cells shut, the mass limiter, the
Froude cap). It computes every cell of the grid, with NumPy's own power function, so that the
tiled numba kernels — and the GPU kernels — can be checked against it."""

from __future__ import annotations

import numpy as np

G = 9.81
FREE, HELD, CLOSED = 0, 1, 2


def stable_dt(h, z, kind, dx, alpha, dt_max):
    """α dx / √(g h) with h the deepest water that moves: free cells, and the faces between a
    held cell and a free one."""
    deepest = float(h[kind == FREE].max(initial=0.0))
    eta = z + h
    for axis in (0, 1):
        for a, b in ((slice(None, -1), slice(1, None)), (slice(1, None), slice(None, -1))):
            sa = (a, slice(None)) if axis == 0 else (slice(None), a)
            sb = (b, slice(None)) if axis == 0 else (slice(None), b)
            bank = (kind[sa] == HELD) & (kind[sb] == FREE)
            face = eta[sa] - np.maximum(z[sa], z[sb])
            deepest = max(deepest, float(face[bank & (face > 1e-4)].max(initial=0.0)))
    return dt_max if deepest <= 0 else min(dt_max, alpha * dx / np.sqrt(G * deepest))


def _faces(eta_a, eta_b, z_a, z_b, q0, before, after, shut, dt, dx, n, theta, h_min, froude):
    hf = np.maximum(eta_a, eta_b) - np.maximum(z_a, z_b)
    wet = (hf > h_min) & ~shut
    hs = np.where(wet, hf, 1.0)
    q = theta * q0 + (1 - theta) * 0.5 * (before + after)
    q = (q - G * hs * dt * (eta_b - eta_a) / dx) / (1 + G * dt * n * n * np.abs(q0) / hs ** (7 / 3))
    if froude:
        cap = froude * hs * np.sqrt(G * hs)
        q = np.clip(q, -cap, cap)
    return np.where(wet, q, 0.0)


def hold(h, z, kind, level):
    """Held cells at ``level``; returns the depth they gained, summed over cells."""
    held = kind == HELD
    new = np.maximum(level - z, 0.0)
    added = float((new - h)[held].sum())
    h[held] = new[held]
    return added


def step(h, z, kind, qx, qy, dt, dx, *, n=0.035, theta=0.8, h_min=1e-4, froude=1.0):
    """One step in place on ``h`` (ny × nx), ``qx`` (ny × nx+1), ``qy`` (ny+1 × nx)."""
    eta = z + h
    shut_x = (kind[:, :-1] + kind[:, 1:]) >= 2
    q0 = qx[:, 1:-1]
    before = np.concatenate([q0[:, :1], qx[:, 1:-2]], axis=1)
    after = np.concatenate([qx[:, 2:-1], q0[:, -1:]], axis=1)
    new_qx = np.zeros_like(qx)
    new_qx[:, 1:-1] = _faces(eta[:, :-1], eta[:, 1:], z[:, :-1], z[:, 1:], q0, before, after, shut_x,
                             dt, dx, n, theta, h_min, froude)
    shut_y = (kind[:-1] + kind[1:]) >= 2
    q0 = qy[1:-1]
    before = np.concatenate([q0[:1], qy[1:-2]], axis=0)
    after = np.concatenate([qy[2:-1], q0[-1:]], axis=0)
    new_qy = np.zeros_like(qy)
    new_qy[1:-1] = _faces(eta[:-1], eta[1:], z[:-1], z[1:], q0, before, after, shut_y, dt, dx, n, theta, h_min, froude)
    out = (np.maximum(-new_qx[:, :-1], 0) + np.maximum(new_qx[:, 1:], 0)
           + np.maximum(-new_qy[:-1], 0) + np.maximum(new_qy[1:], 0)) * dt / dx
    factor = np.where(out > h, h / np.where(out > 0, out, 1.0), 1.0)
    fx = np.where(new_qx[:, 1:-1] > 0, factor[:, :-1], factor[:, 1:])
    new_qx[:, 1:-1] *= fx
    fy = np.where(new_qy[1:-1] > 0, factor[:-1], factor[1:])
    new_qy[1:-1] *= fy
    h += dt / dx * (new_qx[:, :-1] - new_qx[:, 1:] + new_qy[:-1] - new_qy[1:])
    np.maximum(h, 0.0, out=h)
    qx[...] = new_qx
    qy[...] = new_qy
