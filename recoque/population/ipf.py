"""Iterative proportional fitting and integerisation, vectorised over many small tables.

Pure functions on numpy arrays: a stack of ``n`` tables (``n × rows × cols``), each fitted to
its own row and column totals (Deming & Stephan 1940), then rounded to integers that keep each
row's total exactly (largest remainders, ties broken at random).
"""

from __future__ import annotations

import numpy as np


def fit(
    seed: np.ndarray, *, row_totals: np.ndarray, col_totals: np.ndarray,
    max_iterations: int = 200, tolerance: float = 1e-6,
) -> tuple[np.ndarray, int]:
    """Fit ``seed`` (``n × r × c``, non-negative) to ``row_totals`` (``n × r``) and
    ``col_totals`` (``n × c``). Column totals are first rescaled to the row grand total.

    Returns the fitted tables and the number of iterations run. Structural zeros in the seed
    stay zero; rows or columns with a zero total are zero.
    """
    seed = np.asarray(seed, dtype=np.float64)
    rows = np.asarray(row_totals, dtype=np.float64)
    cols = np.asarray(col_totals, dtype=np.float64)
    if seed.ndim == 2:
        seed = np.broadcast_to(seed, (rows.shape[0], *seed.shape))
    grand = rows.sum(axis=1, keepdims=True)
    col_sum = cols.sum(axis=1, keepdims=True)
    cols = np.divide(cols * grand, col_sum, out=np.zeros_like(cols), where=col_sum > 0)
    table = seed.copy()
    iteration = 0
    for iteration in range(1, max_iterations + 1):
        current = table.sum(axis=2)
        table *= np.divide(rows, current, out=np.zeros_like(rows), where=current > 0)[:, :, None]
        current = table.sum(axis=1)
        table *= np.divide(cols, current, out=np.zeros_like(cols), where=current > 0)[:, None, :]
        gap = np.abs(table.sum(axis=2) - rows).max(initial=0.0)
        if gap <= tolerance * max(1.0, float(grand.max(initial=1.0))):
            break
    return table, iteration


def round_rows(table: np.ndarray, *, rng: np.random.Generator, row_totals: np.ndarray | None = None) -> np.ndarray:
    """Integers whose rows add up to ``row_totals`` (default: each row's rounded sum).

    Each cell keeps its floor; the remaining units go to the largest fractional parts, ties
    broken by a random key drawn from ``rng``. ``table`` is ``(..., cols)``.
    """
    table = np.asarray(table, dtype=np.float64)
    floor = np.floor(table)
    if row_totals is None:
        row_totals = np.rint(table.sum(axis=-1))
    missing = (np.asarray(row_totals) - floor.sum(axis=-1)).astype(np.int64)
    remainder = table - floor + rng.random(table.shape) * 1e-9
    ranks = np.argsort(np.argsort(-remainder, axis=-1, kind="stable"), axis=-1, kind="stable")
    bonus = (ranks < missing[..., None]).astype(np.int64)
    return floor.astype(np.int64) + bonus


def integerise(values: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """Round a 1-D array of non-negative counts to integers keeping the (rounded) total."""
    return round_rows(np.asarray(values, dtype=np.float64)[None, :], rng=rng)[0]
