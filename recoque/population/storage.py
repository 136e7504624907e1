"""Parquet partitioned by arrondissement (hive layout), written deterministically, read with DuckDB.

Layout: ``<folder>/{households,persons}/arrondissement=75101/part-0.parquet``. The same frames
always give the same bytes (fixed file names, row order and writer options), so a build's
SHA-256 checksums prove it can be reproduced bit for bit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

TABLES = ("households", "persons")


def write_table(frame: pd.DataFrame, folder: Path) -> dict[str, str]:
    """Write ``frame`` partitioned by its ``arrondissement`` column; return {relative path: sha256}."""
    folder.mkdir(parents=True, exist_ok=True)
    sums: dict[str, str] = {}
    codes = frame["arrondissement"].astype(str)
    for code in sorted(codes.unique()):
        part = frame.loc[(codes == code).to_numpy()].drop(columns=["arrondissement"])
        table = pa.Table.from_pandas(part, preserve_index=False)
        target = folder / f"arrondissement={code}" / "part-0.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target, compression="zstd", row_group_size=256_000, use_dictionary=True,
                       write_statistics=True)
        sums[target.relative_to(folder.parent).as_posix()] = hashlib.sha256(target.read_bytes()).hexdigest()
    return sums


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with views ``households`` and ``persons`` over ``folder``."""
    con = duckdb.connect()
    for table in TABLES:
        glob = (Path(folder) / table / "*" / "*.parquet").as_posix()
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true, "
                    "hive_types = {'arrondissement': VARCHAR})")
    return con


def dataset_digest(checksums: dict[str, str]) -> str:
    h = hashlib.sha256()
    for path in sorted(checksums):
        h.update(f"{path}:{checksums[path]}\n".encode())
    return h.hexdigest()
