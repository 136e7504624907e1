"""Administrative records: who receives what (unit_id, benefit, amount_month).

In production the table comes from the CAF, CPAM, pension funds and CASVP files, loaded with
``recoque rights records load``. For the synthetic city, the records build makes it as a
consistent history (``engine.consistent_records``): each unit takes up each benefit with
probability 1 − the DREES non-take-up rate of its benefit (non_take_up.yaml), drawn from a hash
of (seed, unit, benefit) so that the same seed gives the same records however the work is split,
and receives it when it is entitled to it given what it received in the months before (computed
until the records no longer change). Screening reads only this table, never the generator.

Files: ``<folder>/arrondissement=75101.parquet`` … one per arrondissement.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from recoque.core.errors import RecoqueError
from recoque.rights.catalogue import benefits, non_take_up

COLUMNS = ["household_id", "unit_id", "benefit", "amount_month"]


class RecordsError(RecoqueError):
    """Records offered to ``load`` are malformed; nothing was loaded."""


def uniform(seed: int, keys: pd.Series) -> np.ndarray:
    """A uniform draw in [0, 1) per key, from the seed and the key alone."""
    key = hashlib.sha256(f"recoque-records-{seed}".encode()).hexdigest()[:16]
    hashed = pd.util.hash_pandas_object(keys.reset_index(drop=True), index=False, hash_key=key).to_numpy()
    return (hashed >> np.uint64(11)).astype(np.float64) / float(2**53)


def draw(entitlements: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Keep each entitlement with probability 1 − its benefit's non-take-up rate."""
    if entitlements.empty:
        return pd.DataFrame(columns=COLUMNS)
    rates = {k: v.rate for k, v in non_take_up().items()}
    rate = entitlements["benefit"].map(rates).fillna(0.0).to_numpy()
    u = uniform(seed, entitlements["unit_id"].astype(str) + "|" + entitlements["benefit"].astype(str))
    kept = entitlements.loc[u >= rate, COLUMNS].reset_index(drop=True)
    # in-kind rights are recorded as received with amount 0; cash with the amount paid
    return kept


def write(frame: pd.DataFrame, folder: Path, arrondissement: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame[COLUMNS].astype({"household_id": str, "unit_id": str, "benefit": str,
                                                        "amount_month": float}), preserve_index=False)
    pq.write_table(table, folder / f"arrondissement={arrondissement}.parquet", compression="zstd")


def read(folder: Path, arrondissement: str | None = None) -> pd.DataFrame:
    folder = Path(folder)
    files = [folder / f"arrondissement={arrondissement}.parquet"] if arrondissement else sorted(folder.glob("*.parquet"))
    frames = [pq.read_table(f).to_pandas() for f in files if f.exists()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


MAX_AMOUNT_MONTH = 10_000.0  # no benefit of the catalogue pays a household more than this a month
MAX_REPORTED = 10


def schema():
    """The records table from outside, as pandera checks it."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {"household_id": pa.Column(str, pa.Check.str_length(1, 64)),
         "unit_id": pa.Column(str, pa.Check.str_length(1, 64)),
         "benefit": pa.Column(str, pa.Check.isin(list(benefits()))),
         "amount_month": pa.Column(float, [pa.Check(np.isfinite, error="a finite number"),
                                           pa.Check.in_range(0, MAX_AMOUNT_MONTH)])},
        strict=False, coerce=True, unique=["unit_id", "benefit"], report_duplicates="exclude_first",
        name="records")


def check(frame: pd.DataFrame, household_arrondissement: pd.Series) -> pd.DataFrame:
    """Records from outside, checked with pandera: columns, benefit names, finite amounts between
    0 and ``MAX_AMOUNT_MONTH``, one row per unit and benefit, known households. Raises RecordsError
    naming the file's lines and columns at fault; returns the frame with an arrondissement column."""
    import pandera.errors

    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise RecordsError(f"missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    frame = frame[COLUMNS].reset_index(drop=True)
    try:
        out = schema().validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        raise RecordsError(_describe(exc.failure_cases, len(frame))) from None
    unknown = ~out["household_id"].isin(household_arrondissement.index)
    if unknown.any():
        lines = (np.flatnonzero(unknown.to_numpy())[:MAX_REPORTED] + 2).tolist()
        raise RecordsError(f"line(s) {lines}, column household_id: not a household of the population "
                           f"({int(unknown.sum())} rows) — nothing was loaded")
    out = out.copy()
    out["arrondissement"] = household_arrondissement.reindex(out["household_id"]).to_numpy()
    return out


_UNIQUE = ("field_uniqueness", "multiple_fields_uniqueness")


def _describe(cases: pd.DataFrame, rows: int) -> str:
    """pandera's failure cases as file lines (header = line 1) and columns, the first few of each."""
    cases = cases.assign(column=np.where(cases["check"].isin(_UNIQUE), "unit_id+benefit", cases["column"]))
    parts = []
    for (column, check_name), group in cases.groupby(["column", "check"], sort=False, dropna=False):
        lines = sorted({int(i) + 2 for i in group["index"].dropna()})
        check_name = str(check_name)
        what = ("a duplicate of an earlier line" if check_name in _UNIQUE
                else "not a benefit of the catalogue" if check_name.startswith("isin")
                else f"fails {check_name}")
        sample = "" if check_name in _UNIQUE else f" (e.g. {group['failure_case'].iloc[0]!r})"
        parts.append(f"column {column}: {what} on {len(lines):,} line(s), first {lines[:MAX_REPORTED]}{sample}")
    return f"records refused ({rows:,} rows read): " + "; ".join(parts) + " — nothing was loaded"
