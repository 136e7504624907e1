"""The screening engine: one task per arrondissement, run in worker processes (one machine) or on
a Dask cluster (a scheduler address), with the same results bit for bit.

A task reads its arrondissement's households and persons (Parquet) and records, drops the
households OpenFisca cannot compute (with the reason), computes the entitlements in simulations
of at most ``chunk`` households, and joins the records: an entitlement without a payment in the
records is *unclaimed*. Households whose resources per consumption unit exceed the affluence
bound are computed only for the benefits that are not means-tested on the household
(benefits.yaml ``prefilter``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from recoque.rights import bridge, records
from recoque.rights.catalogue import BRIDGE_PARAMETERS, benefits

ENTITLEMENT_COLUMNS = ["household_id", "unit_id", "benefit", "amount_month", "in_kind", "received_month"]


@dataclass(frozen=True)
class Task:
    population: str          # population folder (households/, persons/ partitioned by arrondissement)
    records: str | None      # records folder, or None (nothing received: used to make the records)
    arrondissement: str | tuple[str, ...]        # one arrondissement, or several (a batch of households)
    month: str
    households: tuple[str, ...] | None = None   # only these (incremental re-screening)
    chunk: int = 8000
    explain: bool = True
    #: make the synthetic records (records is None): each right is kept with the probability of its
    #: take-up, drawn from this seed, and the months before hold what was received (a fixed point)
    take_up_seed: int | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.arrondissement,) if isinstance(self.arrondissement, str) else tuple(self.arrondissement)

    @property
    def label(self) -> str:
        codes = self.codes
        return codes[0] if len(codes) == 1 else f"{len(codes)} arrondissements"


def household_batches(population: str, records_folder: str | None, month: str, households: dict[str, set],
                      batches: int) -> list[Task]:
    """Tasks for scattered households (incremental runs, samples): ``batches`` tasks of about
    equal size across arrondissements, so that simulations stay large."""
    pairs = sorted((code, hid) for code, ids in households.items() for hid in ids)
    if not pairs:
        return []
    size = -(-len(pairs) // max(1, batches))
    tasks = []
    for start in range(0, len(pairs), size):
        part = pairs[start:start + size]
        tasks.append(Task(population, records_folder, tuple(sorted({c for c, _ in part})), month,
                          households=tuple(h for _, h in part)))
    return tasks


@dataclass
class TaskResult:
    arrondissement: str
    entitlements: pd.DataFrame
    exclusions: pd.DataFrame
    digests: pd.DataFrame
    explanations: dict
    households: int
    #: records (received) with no entitlement behind them in this computation: a sign of
    #: inconsistent records (0 for the synthetic city's, by construction)
    records_without_entitlement: int = 0


def read_partition(population: str, arrondissement: str, only: Iterable[str] | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    base = Path(population)
    frames = []
    wanted = None if only is None else pa.array(sorted(set(only)), type=pa.string())
    for table in ("households", "persons"):
        data = pq.read_table(base / table / f"arrondissement={arrondissement}" / "part-0.parquet")
        if wanted is not None:   # filter in Arrow: only the rows asked for become pandas
            data = data.filter(pc.is_in(data["household_id"], value_set=wanted))
        frame = data.to_pandas()
        frame["arrondissement"] = arrondissement
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype):
                frame[column] = frame[column].astype(str).where(frame[column].notna(), None)
        frames.append(frame.reset_index(drop=True))
    return frames[0], frames[1]


def household_digests(households: pd.DataFrame, persons: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
    """One 64-bit digest per household over everything the screening reads about it."""
    h = households.sort_values("household_id")
    hh = pd.Series(pd.util.hash_pandas_object(h, index=False).to_numpy(), index=h["household_id"].to_numpy())
    p = persons.sort_values(["household_id", "member"])
    ph = pd.util.hash_pandas_object(p, index=False).to_numpy() * (p["member"].to_numpy().astype(np.uint64) + np.uint64(1))
    total = hh.copy()
    add = pd.Series(ph, index=p["household_id"].to_numpy()).groupby(level=0).sum()
    total = total.add(add.reindex(total.index).fillna(0).astype(np.uint64), fill_value=0).astype(np.uint64)
    if len(received):
        r = received.sort_values(["unit_id", "benefit"])
        rh = pd.Series(pd.util.hash_pandas_object(r[["unit_id", "benefit", "amount_month"]], index=False).to_numpy(),
                       index=r["household_id"].to_numpy()).groupby(level=0).sum()
        total = total.add(rh.reindex(total.index).fillna(0).astype(np.uint64), fill_value=0).astype(np.uint64)
    return pd.DataFrame({"household_id": total.index.astype(str), "digest": total.to_numpy().astype(np.uint64)})


#: incomes every means-tested benefit counts in full (other income is counted by some rules only)
COUNTED = ("salary_month", "pension_month", "unemployment_month")


def resources_per_cu(households: pd.DataFrame, persons: pd.DataFrame) -> pd.Series:
    """Yearly earnings, pensions and unemployment benefits of the household's adults (not its
    children: a child's earnings do not count in its parents' means tests the same way, and a
    working child must not make a poor parent look affluent) per consumption unit."""
    adults = ~persons["role"].astype(str).isin(bridge.CHILD_ROLES).to_numpy()
    money = persons[list(COUNTED)].sum(axis=1).where(adults, 0.0) * 12.0
    total = money.groupby(persons["household_id"].to_numpy()).sum()
    cu = households.set_index("household_id")["consumption_units"]
    return (total.reindex(cu.index).fillna(0.0) / cu).astype(float)


def affluent(households: pd.DataFrame, persons: pd.DataFrame) -> pd.Series:
    """Households above the affluence bound that form a single famille (a household of several
    familles — flatmates, adult children — is always computed in full)."""
    bound = BRIDGE_PARAMETERS["affluence_bound"]["value"]
    ent = bridge.entities(persons)
    single = ent.groupby("household_id")["famille"].nunique() == 1
    return (resources_per_cu(households, persons) > bound) & single.reindex(households["household_id"]).fillna(False).to_numpy()


def meets(requirement: str, households: pd.DataFrame, persons: pd.DataFrame) -> pd.Series:
    """Households meeting a benefit's ``requires`` condition (benefits.yaml), from the records."""
    by = persons.groupby("household_id")
    index = households["household_id"]
    if requirement == "children":
        values = by["age"].min().reindex(index) < 21
    elif requirement == "tenant":
        values = pd.Series(households["tenure"].astype(str).isin(("private_rent", "social_rent")).to_numpy(), index=index)
    elif requirement == "disability":
        values = by["disability"].any().reindex(index)
    else:
        values = (by["age"].max().reindex(index) >= 60) | by["disability"].any().reindex(index)
    return values.fillna(False).astype(bool)


def light_candidates(households: pd.DataFrame, persons: pd.DataFrame) -> pd.Series:
    """Households meeting at least one ``requires`` of the benefits computed above the bound."""
    needs = {spec.requires for spec in benefits().values() if not spec.prefilter}
    if None in needs:
        return pd.Series(True, index=households["household_id"])
    result = pd.Series(False, index=households["household_id"])
    for requirement in needs:
        result |= meets(requirement, households, persons).to_numpy()
    return result


def run_task(task: Task) -> TaskResult:
    parts = [read_partition(task.population, code, task.households) for code in task.codes]
    households = pd.concat([h for h, _ in parts], ignore_index=True)
    persons = pd.concat([p for _, p in parts], ignore_index=True)
    received = (pd.concat([records.read(Path(task.records), code) for code in task.codes], ignore_index=True)
                if task.records else pd.DataFrame(columns=records.COLUMNS))
    if task.households is not None and len(received):
        received = received[received["household_id"].isin(set(task.households))]
    digests = household_digests(households, persons, received)
    excluded = bridge.exclusions(households, persons)
    keep = ~households["household_id"].isin(set(excluded["household_id"]))
    households = households[keep].sort_values("household_id").reset_index(drop=True)
    persons = persons[persons["household_id"].isin(set(households["household_id"]))]
    rich = affluent(households, persons)
    all_benefits = list(benefits())
    light = [b for b, spec in benefits().items() if not spec.prefilter]
    frames, explanations = [], {}
    # above the bound, only households meeting a condition of the remaining benefits are simulated
    candidates = light_candidates(households, persons).reindex(rich.index).to_numpy()
    for tier, ids in ((all_benefits, rich.index[~rich.to_numpy()]), (light, rich.index[rich.to_numpy() & candidates])):
        ids = np.asarray(sorted(ids))
        for start in range(0, len(ids), task.chunk):
            chunk_ids = set(ids[start:start + task.chunk])
            h = households[households["household_id"].isin(chunk_ids)]
            p = persons[persons["household_id"].isin(chunk_ids)]
            r = received[received["household_id"].isin(chunk_ids)]
            if task.take_up_seed is not None:
                frames.append(consistent_records(h, p, task.month, tier, task.take_up_seed))
                continue
            result = bridge.compute(h, p, task.month, benefit_ids=tier, records=r if task.records else None,
                                    explain=task.explain)
            frames.append(result.amounts)
            explanations.update(result.explanations)
    entitlements = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ENTITLEMENT_COLUMNS[:-1])
    if task.take_up_seed is None:
        paid = received.groupby(["unit_id", "benefit"])["amount_month"].sum() if len(received) else pd.Series(dtype=float)
        key = pd.MultiIndex.from_arrays([entitlements["unit_id"], entitlements["benefit"]])
        entitlements["received_month"] = paid.reindex(key).to_numpy() if len(paid) else np.nan
    elif "received_month" not in entitlements:
        entitlements["received_month"] = np.nan
    entitlements["received_month"] = entitlements["received_month"].astype(float)
    entitlements = canonical(entitlements)
    # explanations travel only for the rights found unclaimed (the journal's entries)
    unclaimed = entitlements[entitlements["received_month"].isna()]
    wanted: dict[str, set] = {}
    for unit, benefit_id in zip(unclaimed["unit_id"], unclaimed["benefit"]):
        wanted.setdefault(unit, set()).add(benefit_id)
    explanations = {u: {b: v for b, v in explanations[u].items() if b in wanted[u]}
                    for u in wanted if u in explanations}
    orphans = 0
    if len(received) and task.take_up_seed is None:
        screened = received[received["household_id"].isin(set(households["household_id"]))]
        known = pd.MultiIndex.from_arrays([entitlements["unit_id"], entitlements["benefit"]])
        orphans = int((~pd.MultiIndex.from_arrays([screened["unit_id"].astype(str), screened["benefit"].astype(str)])
                       .isin(known)).sum())
    return TaskResult(task.label, entitlements, excluded, digests, explanations, len(households) + len(excluded),
                      orphans)


#: rounds of the records' fixed point; a household still changing after them is reported
RECORD_ROUNDS = 6


def consistent_records(households: pd.DataFrame, persons: pd.DataFrame, month: str, benefit_ids: list[str],
                       seed: int) -> pd.DataFrame:
    """The synthetic records of a batch as a consistent history: a right is received when the
    household takes it up (drawn once per unit and benefit from ``seed``: records.draw) and is
    entitled to it *given what it received in the months before* (the same situation every
    month). Starting from nothing received, the rights found feed the past months of the next
    computation until the records no longer change (a fixed point: the RSA then counts the AAH
    paid, the prime d'activité the housing aid, the CSS the minimum income...). Returns the
    entitlements of the last round with ``received_month`` (the records) set."""
    amounts = bridge.gross_incomes(households, persons, month)
    key_columns = ["household_id", "unit_id", "benefit", "amount_month"]
    ent = pd.DataFrame(columns=ENTITLEMENT_COLUMNS[:-1])
    drawn = pd.DataFrame(columns=records.COLUMNS)
    todo = set(households["household_id"])
    for _ in range(RECORD_ROUNDS):
        # only the households whose records changed in the last round are computed again
        # (households are independent): the later rounds are small
        h = households[households["household_id"].isin(todo)]
        p = persons[persons["household_id"].isin(todo)]
        result = bridge.compute(h, p, month, benefit_ids=benefit_ids, records=drawn[drawn["household_id"].isin(todo)],
                                explain=False, amounts=amounts.loc[amounts.index.isin(set(p["person_id"]))])
        new = records.draw(result.amounts, seed)
        before = drawn[drawn["household_id"].isin(todo)][key_columns].round({"amount_month": 2})
        after = new[key_columns].round({"amount_month": 2})
        merged = before.merge(after, how="outer", indicator=True)
        todo = set(merged.loc[merged["_merge"] != "both", "household_id"])
        ent = pd.concat([ent[~ent["household_id"].isin(set(h["household_id"]))], result.amounts], ignore_index=True)
        drawn = pd.concat([drawn[~drawn["household_id"].isin(set(h["household_id"]))], new], ignore_index=True)
        if not todo:
            break
    paid = drawn.groupby(["unit_id", "benefit"])["amount_month"].sum()
    index = pd.MultiIndex.from_arrays([ent["unit_id"], ent["benefit"]])
    ent = ent.assign(received_month=paid.reindex(index).to_numpy() if len(paid) else np.nan)
    return ent


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Fixed column order, types and row order: equal inputs give equal frames, bit for bit."""
    frame = frame[ENTITLEMENT_COLUMNS].astype({"household_id": str, "unit_id": str, "benefit": str,
                                               "amount_month": float, "in_kind": bool, "received_month": float})
    return frame.sort_values(["household_id", "unit_id", "benefit"], kind="stable").reset_index(drop=True)


def _init_worker() -> None:
    """Build the tax-benefit system and fill OpenFisca's parameter cache once per worker (about
    10 s), with a one-household computation."""
    from recoque.rights.simulator import Situation, frames

    bridge.tax_benefit_system()
    households, persons = frames(Situation(age=40, rent=500))
    bridge.compute(households, persons, pd.Timestamp.today().strftime("%Y-%m"))


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of warmed workers, for callers that run several batches (the bench)."""
    return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker)


def run_tasks(tasks: list[Task], *, workers: int | None = None, dask_address: str | None = None,
              use_dask: bool = False, on_done: Callable[[TaskResult, int, int], None] | None = None,
              pool: ProcessPoolExecutor | None = None) -> list[TaskResult]:
    """Run ``tasks`` in parallel; results in task order whatever the order they finish in.
    Processes on this machine by default; Dask when ``use_dask`` (a LocalCluster) or with a
    scheduler address."""
    workers = workers or max(1, min(len(tasks), os.cpu_count() or 1))
    results: dict[int, TaskResult] = {}
    if use_dask or dask_address:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed

        cluster = None if dask_address else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                         dashboard_address=None)
        with Client(dask_address or cluster) as client:
            futures = {client.submit(run_task, task, pure=False): k for k, task in enumerate(tasks)}
            for future in dask_completed(futures):
                k = futures[future]
                results[k] = future.result()
                if on_done:
                    on_done(results[k], len(results), len(tasks))
        if cluster is not None:
            cluster.close()
    elif pool is not None:
        futures = {pool.submit(run_task, task): k for k, task in enumerate(tasks)}
        for future in as_completed(futures):
            k = futures[future]
            results[k] = future.result()
            if on_done:
                on_done(results[k], len(results), len(tasks))
    elif workers == 1:
        for k, task in enumerate(tasks):
            results[k] = run_task(task)
            if on_done:
                on_done(results[k], len(results), len(tasks))
    else:
        with worker_pool(workers) as own:
            return run_tasks(tasks, on_done=on_done, pool=own)
    return [results[k] for k in range(len(tasks))]
