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


def check(frame: pd.DataFrame, household_arrondissement: pd.Series) -> pd.DataFrame:
    """Records from outside, checked: columns, benefit names, known households, amounts ≥ 0.
    Raises RecordsError naming the first bad rows; returns the frame with an arrondissement column."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise RecordsError(f"missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    problems = []
    unknown_benefit = ~frame["benefit"].isin(list(benefits()))
    if unknown_benefit.any():
        rows = (np.flatnonzero(unknown_benefit.to_numpy())[:5] + 2).tolist()
        problems.append(f"unknown benefit on line(s) {rows} ({frame.loc[unknown_benefit, 'benefit'].iloc[0]!r})")
    amount = pd.to_numeric(frame["amount_month"], errors="coerce")
    bad_amount = amount.isna() | (amount < 0)
    if bad_amount.any():
        problems.append(f"amount_month missing, not a number or negative on line(s) "
                        f"{(np.flatnonzero(bad_amount.to_numpy())[:5] + 2).tolist()}")
    unknown_household = ~frame["household_id"].astype(str).isin(household_arrondissement.index)
    if unknown_household.any():
        problems.append(f"household_id not in the population on line(s) "
                        f"{(np.flatnonzero(unknown_household.to_numpy())[:5] + 2).tolist()}")
    if problems:
        raise RecordsError("; ".join(problems) + " — nothing was loaded")
    out = frame[COLUMNS].copy()
    out["amount_month"] = amount.astype(float)
    out["arrondissement"] = household_arrondissement.reindex(out["household_id"].astype(str)).to_numpy()
    return out
