"""Fast fixed-width text columns (ids, phone numbers) built as bytes, handed to Arrow."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def from_byte_matrix(matrix: np.ndarray, valid: np.ndarray | None = None) -> pd.Series:
    """Rows of ASCII bytes (``n × width``) as a pandas string Series (nulls where not ``valid``)."""
    width = matrix.shape[1]
    raw = np.ascontiguousarray(matrix, dtype=np.uint8).view(f"S{width}").ravel()
    array = pa.array(raw, type=pa.binary(width), mask=None if valid is None else ~valid).cast(pa.string())
    return pd.Series(pd.arrays.ArrowStringArray(array))


def hex_ids(prefix: str, values: np.ndarray) -> pd.Series:
    """``prefix`` + 15 lowercase hex digits of each value (< 2**60)."""
    shifts = np.arange(56, -1, -4, dtype=np.uint64)
    nibbles = (values.astype(np.uint64)[:, None] >> shifts) & np.uint64(15)
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    matrix = np.hstack([np.broadcast_to(head, (values.size, head.size)), _HEX[nibbles.astype(np.int64)]])
    return from_byte_matrix(matrix)


def numbers(prefix: str, digits: np.ndarray, valid: np.ndarray) -> pd.Series:
    """French numbers ``prefix XX XX`` from 4-digit ``digits``; null where not ``valid``."""
    d = np.asarray(digits, dtype=np.int64)
    four = np.column_stack([d // 1000, d // 100 % 10, d // 10 % 10, d % 10]).astype(np.uint8) + ord("0")
    space = np.full((d.size, 1), ord(" "), dtype=np.uint8)
    head = np.broadcast_to(np.frombuffer(prefix.encode() + b" ", dtype=np.uint8), (d.size, len(prefix) + 1))
    matrix = np.hstack([head, four[:, :2], space, four[:, 2:]])
    return from_byte_matrix(matrix, valid)
