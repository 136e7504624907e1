"""Proactive rights, wired to the store and to governance: records, screening runs, findings.

A screening run reads the current population and records, runs the engine (processes or Dask),
writes its results under ``var/rights/screenings/<run id>/`` (Parquet), journals one decision per
household with unclaimed rights (with its explanation), publishes map layers per arrondissement,
and keeps its report (counts, exclusions with reasons, timings, footprint) in the store.
"""

from __future__ import annotations

import shutil
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

import recoque
from recoque.core.errors import NotBuiltError, RecoqueError
from recoque.core.layers import replace_layer_values, value_rows
from recoque.core.models import Build, Job
from recoque.core.progress import Progress, no_progress
from recoque.core.settings import Settings
from recoque.core.store import detached_get, detached_row, detached_rows, session_scope
from recoque.core.typography import euros
from recoque.governance.algorithms import algorithm
from recoque.governance.footprint import measure
from recoque.governance.journal import Decision, append
from recoque.governance.runs import record_run
from recoque.population import service as population
from recoque.rights import bridge, engine, records
from recoque.rights.catalogue import benefits, non_take_up
from recoque.rights.explain import COMPOSITION_FR, TENURE_FR
from recoque.rights.models import ScreeningRun

RECORDS = "rights-records"
ALGORITHM = "proactive-rights"
VERSION = "1.1"
RECORDS_ALGORITHM = "synthetic-benefit-records"
MIN_PUBLISHED_COUNT = population.MIN_PUBLISHED_COUNT


class ScreeningError(RecoqueError):
    """A screening cannot run as asked."""



def _population_folder(engine_: Engine) -> Path:
    return Path(population.current(engine_).location)


def _arrondissements(folder: Path, only: list[str] | None) -> list[str]:
    found = sorted(p.name.split("=")[1] for p in (folder / "households").glob("arrondissement=*"))
    if only:
        unknown = sorted(set(only) - set(found))
        if unknown:
            raise ScreeningError(f"unknown arrondissement(s) {', '.join(unknown)}; expected INSEE codes 75101–75120")
        found = [a for a in found if a in set(only)]
    # largest first, so that two workers finish together
    return sorted(found, key=lambda a: -(folder / "households" / f"arrondissement={a}" / "part-0.parquet").stat().st_size)


def current_records(engine_: Engine) -> Build | None:
    return population.latest(engine_, RECORDS)


def _records_folder(settings: Settings) -> Path:
    return settings.var_dir / "rights" / "records" / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


@algorithm(RECORDS_ALGORITHM, "1.1")
def build_records(settings: Settings, engine_: Engine, *, month: str, seed: int | None = None,
                  workers: int | None = None, progress: Progress = no_progress) -> Build:
    """The synthetic city's records: entitlements drawn with the DREES non-take-up rates."""
    seed = settings.seed if seed is None else seed
    folder_in = _population_folder(engine_)
    tasks = [engine.Task(str(folder_in), None, a, month, explain=False, take_up_seed=seed)
             for a in _arrondissements(folder_in, None)]
    out = _records_folder(settings)
    rows = 0

    def done(result: engine.TaskResult, k: int, n: int) -> None:
        nonlocal rows
        taken = result.entitlements[result.entitlements["received_month"].notna()]
        drawn = taken.assign(amount_month=taken["received_month"])[records.COLUMNS]
        records.write(drawn, out, result.arrondissement)
        rows += len(drawn)
        progress(f"Registres : {result.arrondissement}", k / n)

    try:
        with measure(use_codecarbon=settings.footprint_meter == "codecarbon", with_workers=True) as meter:
            engine.run_tasks(tasks, workers=workers, on_done=done)
        with session_scope(engine_) as session:
            build = Build(artifact=RECORDS, input_digest=population.current(engine_).input_digest,
                          code_version=recoque.__version__, location=str(out), created_at=datetime.now(UTC),
                          details={"synthetic": True, "seed": seed, "month": month, "rows": rows,
                                   "population_build": population.current(engine_).id,
                                   "openfisca": bridge.openfisca_versions(), "footprint": meter.result.as_dict()})
            session.add(build)
            record_run(session, RECORDS_ALGORITHM, meter.result, rows)
            session.flush()
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return build


def load_records(settings: Settings, engine_: Engine, path: Path) -> Build:
    """Real records (CSV or Parquet: household_id, unit_id, benefit, amount_month), checked first;
    on any problem nothing is loaded and the current records stay."""
    frame = population.read_records(Path(path))
    folder_in = _population_folder(engine_)
    con = population.storage.connect(folder_in)
    arr = con.sql("SELECT household_id, arrondissement FROM households").df().set_index("household_id")["arrondissement"]
    checked = records.check(frame, arr.astype(str))
    out = _records_folder(settings)
    try:
        for code, part in checked.groupby("arrondissement"):
            records.write(part, out, str(code))
        with session_scope(engine_) as session:
            build = Build(artifact=RECORDS, input_digest=population.current(engine_).input_digest,
                          code_version=recoque.__version__, location=str(out), created_at=datetime.now(UTC),
                          details={"synthetic": False, "source": str(path), "rows": len(checked)})
            session.add(build)
            session.flush()
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return build


# ----------------------------------------------------------------------------------------------
# screening


def _set_run(engine_: Engine, run_id: int, **values) -> None:
    with session_scope(engine_) as session:
        run = session.get(ScreeningRun, run_id)
        for key, value in values.items():
            setattr(run, key, value)


def latest_run(engine_: Engine, *, done: bool = True) -> ScreeningRun | None:
    q = select(ScreeningRun).order_by(ScreeningRun.id.desc()).limit(1)
    if done:
        q = q.where(ScreeningRun.status == "done")
    return detached_row(engine_, q)


def get_run(engine_: Engine, run_id: int) -> ScreeningRun:
    run = detached_get(engine_, ScreeningRun, run_id)
    if run is None:
        raise NotBuiltError(f"no screening run {run_id}")
    return run


def runs(engine_: Engine, limit: int = 20) -> list[ScreeningRun]:
    return detached_rows(engine_, select(ScreeningRun).order_by(ScreeningRun.id.desc()).limit(limit))


SCREEN_JOB = "rights-screen"   # the kind of background job a page starts for a screening


def start_in_background(settings: Settings, engine_: Engine, *, month: str, incremental: bool,
                        started_by: str) -> int:
    """Record a screening and run it as a background job (``recoque rights screen --run-id``);
    returns the run's number."""
    from recoque.core import jobs

    run_id = start_run(engine_, month=month, kind="incremental" if incremental else "full")
    command = ["rights", "screen", "--month", month, "--run-id", str(run_id)] + (["--incremental"] if incremental else [])
    jobs.start(settings, engine_, kind=SCREEN_JOB, command=command, started_by=started_by)
    return run_id


def screening_state(engine_: Engine) -> tuple[ScreeningRun | None, Job | None]:
    """The screening running now (None if none) and the latest screening job when it failed. A run
    whose job died before it could say so (killed, out of memory) is marked failed here, with the
    job's last words."""
    from recoque.core import jobs

    run, job = latest_run(engine_, done=False), jobs.latest(engine_, SCREEN_JOB)
    failed = job if job is not None and job.status == "failed" else None
    if run is not None and run.status == "running" and failed is not None \
            and failed.command[failed.command.index("--run-id") + 1] == str(run.id):
        last = (failed.error or "").strip().splitlines()[-1:] or ["arrêt inattendu"]
        _set_run(engine_, run.id, status="failed", step=f"échec : {last[0]}"[:250], finished_at=datetime.now(UTC))
        run = get_run(engine_, run.id)
    return (run if run is not None and run.status == "running" else None), failed


def start_run(engine_: Engine, *, month: str, kind: str) -> int:
    with session_scope(engine_) as session:
        run = ScreeningRun(kind=kind, month=month, status="running", progress=0.0, step="préparation",
                           started_at=datetime.now(UTC), location="", report={})
        session.add(run)
        session.flush()
        return run.id


@algorithm(ALGORITHM, VERSION)
def screen(settings: Settings, engine_: Engine, *, month: str, incremental: bool = False,
           arrondissements: list[str] | None = None, workers: int | None = None, use_dask: bool = False,
           dask_address: str | None = None, run_id: int | None = None, progress: Progress = no_progress) -> ScreeningRun:
    """Screen the population for unclaimed rights (all of it, or only households whose inputs
    changed since the last run with ``incremental``)."""
    try:
        pd.Period(month, freq="M")
    except ValueError:
        raise ScreeningError(f"month {month!r} is not YYYY-MM") from None
    records_build = current_records(engine_)
    synthetic = population.current(engine_).details.get("origin") == "synthetic"
    if records_build is None and not synthetic:
        raise NotBuiltError("no administrative records: load them with `recoque rights records load FILE`")
    folder_in = _population_folder(engine_)
    codes = _arrondissements(folder_in, arrondissements)
    previous = latest_run(engine_) if incremental else None
    if incremental and previous is None:
        raise ScreeningError("no earlier screening to compare with: run a full screening first")
    run_id = run_id or start_run(engine_, month=month, kind="incremental" if incremental else "full")
    made_records = records_build is None
    if made_records:   # the synthetic city's first screening makes its records first
        def records_progress(step: str, fraction: float) -> None:
            progress(f"registres synthétiques — {step}", 0.3 * fraction)
            _set_run(engine_, run_id, progress=0.3 * fraction, step=f"registres synthétiques : {step}")

        try:
            records_build = build_records(settings, engine_, month=month, workers=workers, progress=records_progress)
        except BaseException as exc:
            _set_run(engine_, run_id, status="failed", step=f"échec : {exc}"[:250], finished_at=datetime.now(UTC))
            raise
    out = settings.var_dir / "rights" / "screenings" / str(run_id)
    started = time.perf_counter()
    try:
        with measure(use_codecarbon=settings.footprint_meter == "codecarbon", with_workers=True) as meter:
            changed = None
            if incremental:
                progress("Empreintes des ménages", 0.02)
                changed = _changed_households(folder_in, Path(records_build.location), Path(previous.location), codes)
            if changed is None:
                tasks = [engine.Task(str(folder_in), records_build.location, a, month) for a in codes]
            else:   # scattered households: a few large batches rather than 20 small ones
                tasks = engine.household_batches(str(folder_in), records_build.location, month, changed,
                                                 batches=max(workers or 1, sum(map(len, changed.values())) // 20_000))

            base = 0.3 if made_records else 0.05

            def done(result: engine.TaskResult, k: int, n: int) -> None:
                fraction = base + (0.85 - base) * k / n
                progress(f"Arrondissement {result.arrondissement} ({k}/{n})", fraction)
                _set_run(engine_, run_id, progress=fraction, step=f"arrondissement {result.arrondissement} ({k}/{n})")

            results = engine.run_tasks(tasks, workers=workers, use_dask=use_dask, dask_address=dask_address,
                                       on_done=done) if tasks else []
            progress("Enregistrement et journal", 0.88)
            report = _store(out, results, previous, changed, month, engine_)
            report["openfisca"] = bridge.openfisca_versions()
            report["executor"] = "dask" if (use_dask or dask_address) else "processes"
            report["records"] = {"build": records_build.id, "synthetic": records_build.details.get("synthetic", False),
                                 "made_for_this_run": made_records}
        report["seconds"] = round(time.perf_counter() - started, 2)
        report["footprint"] = meter.result.as_dict()
        with session_scope(engine_) as session:
            record_run(session, ALGORITHM, meter.result, report["households_screened"])
        _publish_layers(engine_, out)
        _set_run(engine_, run_id, status="done", progress=1.0, step="terminé", finished_at=datetime.now(UTC),
                 location=str(out), report=report)
        progress("Terminé", 1.0)
    except BaseException as exc:
        _set_run(engine_, run_id, status="failed", step=f"échec : {exc}"[:250], finished_at=datetime.now(UTC))
        shutil.rmtree(out, ignore_errors=True)
        raise
    return get_run(engine_, run_id)


def _changed_households(folder_in: Path, records_folder: Path, previous: Path, codes: list[str]) -> dict[str, set]:
    before = pd.read_parquet(previous / "digests.parquet").set_index("household_id")["digest"]
    changed: dict[str, set] = {}
    for code in codes:
        h, p = engine.read_partition(str(folder_in), code)
        r = records.read(records_folder, code)
        now = engine.household_digests(h, p, r).set_index("household_id")["digest"]
        diff = now.index[before.reindex(now.index).to_numpy() != now.to_numpy()]
        if len(diff):
            changed[code] = set(diff)
    return changed


def _store(out: Path, results: list[engine.TaskResult], previous: ScreeningRun | None, changed: dict | None,
           month: str, engine_: Engine) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    new_ent = pd.concat([r.entitlements for r in results], ignore_index=True) if results else \
        pd.DataFrame(columns=engine.ENTITLEMENT_COLUMNS)
    new_exc = pd.concat([r.exclusions for r in results], ignore_index=True) if results else \
        pd.DataFrame(columns=["household_id", "reason"])
    new_dig = pd.concat([r.digests for r in results], ignore_index=True) if results else \
        pd.DataFrame(columns=["household_id", "digest"])
    explanations: dict = {}
    for r in results:
        explanations.update(r.explanations)
    touched: set[str] = set().union(*changed.values()) if changed else set()
    if previous is not None:
        old = Path(previous.location)
        keep = lambda f: f[~f["household_id"].isin(touched)]
        def merged(name: str, new: pd.DataFrame) -> pd.DataFrame:
            before = keep(pd.read_parquet(old / name))
            return pd.concat([before, new], ignore_index=True) if len(new) else before

        ent = merged("entitlements.parquet", new_ent)
        exc = merged("exclusions.parquet", new_exc)
        dig = merged("digests.parquet", new_dig)
    else:
        ent, exc, dig = new_ent, new_exc, new_dig
    ent = engine.canonical(ent)
    exc = exc.sort_values("household_id").reset_index(drop=True)
    dig = dig.sort_values("household_id").reset_index(drop=True)
    ent.to_parquet(out / "entitlements.parquet", index=False)
    exc.to_parquet(out / "exclusions.parquet", index=False)
    dig.to_parquet(out / "digests.parquet", index=False)
    households = _household_facts(engine_, set(ent["household_id"]) | set(exc["household_id"]))
    households.to_parquet(out / "households.parquet", index=False)
    journaled = _journal(engine_, new_ent, explanations, households.set_index("household_id"), month)
    unclaimed = ent[ent["received_month"].isna()]
    audit = _bias_audit(engine_, households, unclaimed) if changed is None else None
    per_benefit = unclaimed.groupby("benefit").agg(units=("unit_id", "size"), amount_month=("amount_month", "sum"))
    return {
        "month": month,
        "households_screened": int(sum(r.households for r in results)),
        "households_total": len(dig),
        "households_changed": None if changed is None else len(touched),
        "entitlements": len(ent),
        "unclaimed": len(unclaimed),
        "households_with_unclaimed": int(unclaimed["household_id"].nunique()),
        "amount_month_unclaimed": round(float(unclaimed["amount_month"].sum()), 2),
        "per_benefit": {b: {"units": int(v.units), "amount_month": round(float(v.amount_month), 2),
                            "label": benefits()[b].label_fr} for b, v in per_benefit.iterrows()},
        "records_without_entitlement": int(sum(r.records_without_entitlement for r in results)),
        "exclusions": len(exc),
        "exclusion_reasons": {str(k): int(v) for k, v in exc["reason"].value_counts().items()},
        "journal_entries": journaled,
        "bias_audit": None if audit is None else {"flagged": audit["flagged"], "flags": audit["flags"]},
    }


def _bias_audit(engine_: Engine, households: pd.DataFrame, unclaimed: pd.DataFrame) -> dict:
    """Share of households found with unclaimed rights by sex and age band of the reference
    person, arrondissement and disability (fairlearn), recorded for the register. Differences by
    age are expected (many aids target ages); the audit makes them visible."""
    from recoque.governance.bias import audit_scores, record_audit

    amount = unclaimed.groupby("household_id")["amount_month"].sum()
    frame = pd.DataFrame({"sex": households["sex_reference"].astype(str), "age": households["age_reference"],
                          "arrondissement": households["arrondissement"], "disability": households["disability"],
                          "selected": households["household_id"].isin(amount.index).astype(int)})
    frame["score"] = (amount.reindex(households["household_id"]).fillna(0).to_numpy() / 1000.0).clip(0, 1)
    result = audit_scores(frame, groups=["sex", "age_band", "arrondissement", "disability"])
    record_audit(engine_, ALGORITHM, result)
    return result


def _household_facts(engine_: Engine, ids: set[str]) -> pd.DataFrame:
    """What lists and offers show about a household: area, composition, fragility, contact."""
    con = population.storage.connect(_population_folder(engine_))
    # contact details a population built before they were in the schema lacks: none known
    has = {c for table in ("households", "persons") for c in con.sql(f"SELECT * FROM {table} LIMIT 0").columns}
    address = "max(h.postal_address)" if "postal_address" in has else "NULL::VARCHAR"
    email = "max(p.email) FILTER (p.member = 0)" if "email" in has else "NULL::VARCHAR"
    frame = con.sql(f"""
        SELECT h.household_id, h.arrondissement::VARCHAR AS arrondissement, h.iris::VARCHAR AS iris,
               h.household_type::VARCHAR AS household_type, h.size, h.tenure::VARCHAR AS tenure,
               h.rent_eur_month, h.landline,
               max(p.age) FILTER (p.member = 0) AS age_reference,
               max(p.sex::VARCHAR) FILTER (p.member = 0) AS sex_reference,
               bool_or(p.disability) AS disability, max(p.age) AS oldest,
               bool_or(p.living_alone AND p.age >= 75) AS alone_75,
               max(p.phone_mobile) FILTER (p.member = 0) AS mobile,
               {email} AS email, {address} AS postal_address,
               sum(p.salary_month + p.pension_month + p.unemployment_month + p.other_income_month) AS resources_month
        FROM households h JOIN persons p USING (household_id) GROUP BY ALL""").df()
    frame = frame[frame["household_id"].isin(ids)].copy()
    frame["fragility"] = (frame["alone_75"].astype(int) + frame["disability"].astype(int)
                          + (frame["household_type"] == "lone_parent").astype(int)
                          + (frame["resources_month"] < 1000).astype(int))
    return frame.reset_index(drop=True)


def _journal(engine_: Engine, ent: pd.DataFrame, explanations: dict, facts: pd.DataFrame, month: str) -> int:
    """One journal entry per household with unclaimed rights, in batches of 20,000."""
    unclaimed = ent[ent["received_month"].isna()]
    if unclaimed.empty:
        return 0
    decisions: list[Decision] = []
    written = 0
    refs = {b: bridge.references(b) for b in unclaimed["benefit"].unique()}
    labels = {b: spec.label_fr for b, spec in benefits().items()}
    variables = bridge.tax_benefit_system().variables
    wanted = facts.index.intersection(pd.Index(unclaimed["household_id"].unique()))
    lookup = facts.loc[wanted, ["arrondissement", "household_type", "size", "tenure", "rent_eur_month",
                                "resources_month"]].to_dict("index")
    rows_all = unclaimed.sort_values(["household_id", "unit_id", "benefit"])
    hids = rows_all["household_id"].to_numpy()
    cuts = np.flatnonzero(hids[1:] != hids[:-1]) + 1
    units, names, amounts = (rows_all[c].to_numpy() for c in ("unit_id", "benefit", "amount_month"))
    for start, stop in zip(np.r_[0, cuts], np.r_[cuts, len(hids)]):
        hid = hids[start]
        f = lookup[hid]
        rows = {"unit_id": units[start:stop], "benefit": names[start:stop], "amount_month": amounts[start:stop]}
        params = []
        for unit, b in zip(rows["unit_id"], rows["benefit"]):
            for name, value in explanations.get(str(unit), {}).get(b, {}).items():
                label = variables[name].label if name in variables else name
                params.append({"name": f"{labels[b]} — {label}", "value": euros(value),
                               "weight": "calculé pour votre foyer"})
        decisions.append(Decision(
            algorithm_id=ALGORITHM, algorithm_version=VERSION, subject=str(hid),
            inputs={"mois": month, "arrondissement": f["arrondissement"],
                    "composition": COMPOSITION_FR.get(f["household_type"], f["household_type"]),
                    "personnes": int(f["size"]), "logement": TENURE_FR.get(f["tenure"], f["tenure"]),
                    "loyer_mensuel": round(float(f["rent_eur_month"]), 2),
                    "ressources_mensuelles_nettes": round(float(f["resources_month"]), 2),
                    "prestations_versees_selon_les_registres": "aucune pour les droits listés"},
            output={"droits_non_demandes": [{"aide": b, "libelle": labels[b],
                                             "montant_mensuel": round(float(a), 2)}
                                            for b, a in zip(rows["benefit"], rows["amount_month"])],
                    "total_mensuel": round(float(rows["amount_month"].sum()), 2)},
            explanation={"parameters": params, "references": {b: refs[b] for b in rows["benefit"]},
                         "operations": [
                             "Calcul des droits avec OpenFisca-France et OpenFisca-Paris à partir des données du ménage",
                             "Comparaison avec les prestations versées selon les registres administratifs",
                             "Un droit calculé mais non versé est signalé ; aucune aide n'est attribuée ni retirée "
                             "automatiquement : un agent valide toute proposition avant envoi"]},
        ))
        if len(decisions) == 20_000:   # bounded memory: journal in batches as they are made
            written += len(append(engine_, decisions))
            decisions = []
    written += len(append(engine_, decisions)) if decisions else 0
    return written


LAYERS = {"droits_menages_non_recours": "households", "droits_montant_non_recouru": "amount"}


def _publish_layers(engine_: Engine, out: Path) -> None:
    """Households with unclaimed rights and € per month forgone, per arrondissement and IRIS;
    fewer than 11 households publish nothing."""
    ent = pd.read_parquet(out / "entitlements.parquet")
    facts = pd.read_parquet(out / "households.parquet").set_index("household_id")
    unclaimed = ent[ent["received_month"].isna()]
    per_household = unclaimed.groupby("household_id")["amount_month"].sum()
    frame = facts.loc[per_household.index, ["arrondissement", "iris"]].assign(amount=per_household.to_numpy())
    rows = []
    for level in ("arrondissement", "iris"):
        g = frame.groupby(level).agg(households=("amount", "size"), amount=("amount", "sum"))
        few = g["households"] < MIN_PUBLISHED_COUNT
        rows += value_rows("droits_menages_non_recours", level, g["households"].astype(float).mask(few))
        rows += value_rows("droits_montant_non_recouru", level, g["amount"].round(0).mask(few))
    with session_scope(engine_) as session:
        replace_layer_values(session, list(LAYERS), rows)


def findings(engine_: Engine, run: ScreeningRun, *, benefit: str | None = None, arrondissement: str | None = None,
             min_amount: float = 0.0, limit: int | None = 200) -> pd.DataFrame:
    """Unclaimed rights of a run, one row per household and benefit (the rights of several members
    of a household — two spouses' Pass Paris Seniors, flatmates' aids — are one row, with their
    number in ``units`` and their amounts summed), most fragile and largest first."""
    out = Path(run.location)
    ent = pd.read_parquet(out / "entitlements.parquet")
    ent = ent[ent["received_month"].isna()]
    if benefit:
        ent = ent[ent["benefit"] == benefit]
    ent = (ent.groupby(["household_id", "benefit"], sort=False)
           .agg(unit_id=("unit_id", "first"), units=("unit_id", "size"), amount_month=("amount_month", "sum"),
                in_kind=("in_kind", "first"))
           .reset_index())
    ent = ent[ent["amount_month"] >= min_amount] if min_amount else ent
    facts = pd.read_parquet(out / "households.parquet")
    frame = ent.merge(facts, on="household_id", how="left")
    if arrondissement:
        frame = frame[frame["arrondissement"] == arrondissement]
    frame = frame.sort_values(["fragility", "amount_month", "household_id", "benefit"],
                              ascending=[False, False, True, True])
    return frame.head(limit) if limit else frame


def summary_by_arrondissement(run: ScreeningRun) -> pd.DataFrame:
    out = Path(run.location)
    ent = pd.read_parquet(out / "entitlements.parquet")
    facts = pd.read_parquet(out / "households.parquet")[["household_id", "arrondissement"]]
    unclaimed = ent[ent["received_month"].isna()].merge(facts, on="household_id")
    g = unclaimed.groupby("arrondissement").agg(households=("household_id", "nunique"), rights=("benefit", "size"),
                                                amount_month=("amount_month", "sum")).reset_index()
    return g.sort_values("arrondissement").reset_index(drop=True)


def non_take_up_table() -> list[dict]:
    return [{"benefit": b, "label": benefits()[b].label_fr, "rate": v.rate, "source": v.source, "estimate": v.estimate}
            for b, v in non_take_up().items()]
