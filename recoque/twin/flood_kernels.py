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

The stable step is ``dt = α dx / sqrt(g h_max)`` (eq. 12, α ≤ 0.7).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

G = 9.81


@njit(parallel=True, cache=True)
def momentum_x(h, z, qx, out, dt, dx, n, theta, h_min):
    ny, nx = h.shape
    for j in prange(ny):
        out[j, 0] = 0.0
        out[j, nx] = 0.0
        for i in range(1, nx):
            eta_l = z[j, i - 1] + h[j, i - 1]
            eta_r = z[j, i] + h[j, i]
            hf = max(eta_l, eta_r) - max(z[j, i - 1], z[j, i])
            if hf <= h_min:
                out[j, i] = 0.0
                continue
            q0 = qx[j, i]
            left = qx[j, i - 1] if i > 1 else q0      # next to the domain's edge: no ghost face
            right = qx[j, i + 1] if i < nx - 1 else q0
            q = theta * q0 + (1.0 - theta) * 0.5 * (left + right)
            out[j, i] = (q - G * hf * dt * (eta_r - eta_l) / dx) / (1.0 + G * dt * n * n * abs(q0) / hf ** (7.0 / 3.0))


@njit(parallel=True, cache=True)
def momentum_y(h, z, qy, out, dt, dx, n, theta, h_min):
    ny, nx = h.shape
    for i in prange(nx):
        out[0, i] = 0.0
        out[ny, i] = 0.0
    for j in prange(1, ny):
        for i in range(nx):
            eta_l = z[j - 1, i] + h[j - 1, i]
            eta_r = z[j, i] + h[j, i]
            hf = max(eta_l, eta_r) - max(z[j - 1, i], z[j, i])
            if hf <= h_min:
                out[j, i] = 0.0
                continue
            q0 = qy[j, i]
            below = qy[j - 1, i] if j > 1 else q0
            above = qy[j + 1, i] if j < ny - 1 else q0
            q = theta * q0 + (1.0 - theta) * 0.5 * (below + above)
            out[j, i] = (q - G * hf * dt * (eta_r - eta_l) / dx) / (1.0 + G * dt * n * n * abs(q0) / hf ** (7.0 / 3.0))


@njit(parallel=True, cache=True)
def limit_and_update(h, qx, qy, dt, dx):
    """Scale each cell's outgoing faces so it loses at most its water, then update depths.
    Returns the largest depth after the step."""
    ny, nx = h.shape
    factor = np.ones((ny, nx))
    for j in prange(ny):
        for i in range(nx):
            out = max(0.0, -qx[j, i]) + max(0.0, qx[j, i + 1]) + max(0.0, -qy[j, i]) + max(0.0, qy[j + 1, i])
            volume_out = out * dt / dx   # as a depth over the cell
            if volume_out > h[j, i]:
                factor[j, i] = h[j, i] / volume_out if volume_out > 0.0 else 0.0
    for j in prange(ny):
        for i in range(1, nx):
            q = qx[j, i]
            qx[j, i] = q * (factor[j, i - 1] if q > 0.0 else factor[j, i])
    for j in prange(1, ny):
        for i in range(nx):
            q = qy[j, i]
            qy[j, i] = q * (factor[j - 1, i] if q > 0.0 else factor[j, i])
    peak = np.zeros(ny)
    for j in prange(ny):
        row_peak = 0.0
        for i in range(nx):
            value = h[j, i] + dt / dx * (qx[j, i] - qx[j, i + 1] + qy[j, i] - qy[j + 1, i])
            if value < 0.0:   # rounding only (≤ 1e-15 m): the limiter keeps depths non-negative
                value = 0.0
            h[j, i] = value
            row_peak = max(row_peak, value)
        peak[j] = row_peak
    return peak.max()


@njit(parallel=True, cache=True)
def track(h, max_depth, arrival_s, wet_s, time_s, dt, wet_depth):
    """Running maximum depth, time of first arrival, and time spent wet (above ``wet_depth``)."""
    ny, nx = h.shape
    for j in prange(ny):
        for i in range(nx):
            d = h[j, i]
            if d > max_depth[j, i]:
                max_depth[j, i] = d
            if d > wet_depth:
                wet_s[j, i] += dt
                if arrival_s[j, i] < 0.0:
                    arrival_s[j, i] = time_s


def stable_dt(h_max: float, dx: float, alpha: float, dt_max: float) -> float:
    """de Almeida et al. (2012), eq. 12: dt = α dx / sqrt(g h_max)."""
    if h_max <= 0.0:
        return dt_max
    return float(min(dt_max, alpha * dx / np.sqrt(G * h_max)))
