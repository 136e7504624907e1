"""Heat watch, wired to the store and to governance: forecasts and alerts, the register of people
to call (REFLEX), and the vulnerability scoring run (journal, bias audit, layers, footprint).

Call plans, the operators' console and the protocol's tasks are in ``recoque.heat.calls``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update

import recoque
from recoque.core.errors import NotBuiltError, RecoqueError
from recoque.core.layers import layer_values, replace_layer_values, value_rows
from recoque.core.models import Build
from recoque.core.progress import Progress, no_progress
from recoque.core.settings import Settings
from recoque.core.store import detached_row, detached_rows, session_scope
from recoque.governance.algorithms import algorithm
from recoque.governance.footprint import measure
from recoque.governance.journal import Decision, append
from recoque.governance.runs import record_run
from recoque.heat import forecast as fc
from recoque.heat import vigilance, vulnerability
from recoque.heat.models import HazardAlert, HeatForecast, HeatRegistration
from recoque.population import service as population

ALGORITHM = "heat-vulnerability"
VERSION = "1.0"
SCORES = "heat-scores"
MIN_PUBLISHED_COUNT = population.MIN_PUBLISHED_COUNT
SCORE_COLUMNS = ["person_id", "household_id", "arrondissement", "iris", "age", "sex", "disability", "phone_mobile",
                 "contactability", "landline", "x", "y", "multiplier", "score", "factors", "at_risk"]


class HeatError(RecoqueError):
    """A heat-watch action that cannot be done as asked."""



# ----------------------------------------------------------------------------------------------
# forecasts and alerts


def load_forecast(engine: Engine, forecast: fc.Forecast, *, actor: str) -> HeatForecast:
    """Store a checked forecast with its levels; it becomes the current one. The previous one and
    every plan stay as they are (a refused forecast never reaches this point)."""
    frame = vigilance.levels(forecast.days, forecast.departement)
    days = [{"date": str(pd.Timestamp(r.date).date()), "tmin": round(float(r.tmin), 1), "tmax": round(float(r.tmax), 1),
             "ibm_min": None if np.isnan(r.ibm_min) else round(float(r.ibm_min), 1),
             "ibm_max": None if np.isnan(r.ibm_max) else round(float(r.ibm_max), 1),
             "level": int(r.level), "reason": r.reason, "repaired": bool(r.repaired)} for r in frame.itertuples()]
    with session_scope(engine) as session:
        session.execute(update(HeatForecast).where(HeatForecast.departement == forecast.departement)
                        .values(current=False))
        row = HeatForecast(departement=forecast.departement, source=forecast.source[:256], loaded_by=actor,
                           loaded_at=datetime.now(UTC), days=days, repairs=forecast.repairs, current=True)
        session.add(row)
        session.flush()
        dates = [d["date"] for d in days]
        session.execute(delete(HazardAlert).where(HazardAlert.hazard == "heat", HazardAlert.source == "computed",
                                                  HazardAlert.departement == forecast.departement,
                                                  HazardAlert.day.in_(dates)))
        alerts = vigilance.alerts(frame, forecast.departement)
        if alerts:
            session.execute(insert(HazardAlert), [{"hazard": a.hazard, "departement": a.departement, "day": a.day,
                                                   "level": a.level, "source": a.source, "reason": a.reason,
                                                   "forecast_id": row.id} for a in alerts])
    with contextlib.suppress(NotBuiltError):   # without a territory there is no night layer (the desk says so)
        publish_night_layer(engine, float(frame["tmin"].max()))   # the hottest night of this forecast
    return row


def declare_alert(engine: Engine, *, hazard: str, departement: str, start: date, end: date, level: int,
                  reason: str = "vigilance publiée") -> int:
    """Record a published vigilance (any hazard) for a range of days; returns days recorded."""
    if hazard not in vigilance.hazards():
        raise HeatError(f"hazard must be one of {', '.join(vigilance.hazards())}")
    if level not in vigilance.LEVEL_NAMES:
        raise HeatError("level must be 1 (green) to 4 (red)")
    if end < start:
        raise HeatError("the end day is before the start day")
    days = [str(d.date()) for d in pd.date_range(start, end, freq="D")]
    with session_scope(engine) as session:
        session.execute(delete(HazardAlert).where(HazardAlert.hazard == hazard, HazardAlert.source == "published",
                                                  HazardAlert.departement == departement, HazardAlert.day.in_(days)))
        session.execute(insert(HazardAlert), [{"hazard": hazard, "departement": departement, "day": d, "level": level,
                                               "source": "published", "reason": reason[:256]} for d in days])
    return len(days)


def current_forecast(engine: Engine, departement: str = "75") -> HeatForecast | None:
    return detached_row(engine, select(HeatForecast).where(HeatForecast.current, HeatForecast.departement == departement)
                                .order_by(HeatForecast.id.desc()).limit(1))


def forecast_frame(row: HeatForecast) -> pd.DataFrame:
    frame = pd.DataFrame(row.days)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def alert_on(engine: Engine, day: str, departement: str = "75") -> dict:
    """The heat level of ``day`` (the highest of computed and published) and its episode."""
    with session_scope(engine) as session:
        rows = session.execute(select(HazardAlert.level, HazardAlert.source, HazardAlert.reason)
                               .where(HazardAlert.hazard == "heat", HazardAlert.departement == departement,
                                      HazardAlert.day == day)).all()
    level = max((r.level for r in rows), default=0)
    episode = None
    if level >= fc.PARAMETERS["alert_level"]:
        with session_scope(engine) as session:   # walk back to the first alert day of this run of days
            days = set(session.scalars(select(HazardAlert.day).where(
                HazardAlert.hazard == "heat", HazardAlert.departement == departement,
                HazardAlert.level >= fc.PARAMETERS["alert_level"])))
        d = pd.Timestamp(day)
        while str((d - pd.Timedelta(days=1)).date()) in days:
            d -= pd.Timedelta(days=1)
        episode = str(d.date())
    return {"day": day, "level": level, "episode": episode,
            "sources": sorted({r.source for r in rows}), "reasons": sorted({r.reason for r in rows})}


def other_alerts(engine: Engine, limit: int = 50) -> list[HazardAlert]:
    return detached_rows(engine, select(HazardAlert).where(HazardAlert.hazard != "heat", HazardAlert.level >= 2)
                         .order_by(HazardAlert.day.desc()).limit(limit))


# ----------------------------------------------------------------------------------------------
# the register of people to call (REFLEX)


def registered_ids(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return set(session.scalars(select(HeatRegistration.person_id)))


def register(engine: Engine, person_id: str, *, source: str, actor: str) -> bool:
    """Register one person (idempotent); False when already registered."""
    with session_scope(engine) as session:
        if session.scalars(select(HeatRegistration.id).where(HeatRegistration.person_id == person_id)).first():
            return False
        session.add(HeatRegistration(person_id=person_id, source=source, registered_at=datetime.now(UTC),
                                     registered_by=actor))
    return True


def _draw(ids: pd.Series, seed: int, rate: float) -> np.ndarray:
    salt = f"reflex-{seed}-".encode()
    return np.array([int.from_bytes(hashlib.blake2b(salt + i.encode(), digest_size=8).digest(), "big") / 2**64 < rate
                     for i in ids], dtype=bool)


def build_synthetic_registry(settings: Settings, engine: Engine) -> int:
    """The synthetic city's REFLEX register: each person aged 75+ or disabled living at home is
    registered with the stated rate (vulnerability.yaml), drawn from a hash of the person."""
    con = population.storage.connect(Path(population.current(engine).location))
    eligible = con.sql("SELECT p.person_id FROM persons p JOIN households h USING (household_id) "
                       "WHERE (p.age >= 75 OR p.disability) AND h.tenure::VARCHAR <> 'community'").df()["person_id"]
    chosen = eligible[_draw(eligible, settings.seed, vulnerability.PARAMETERS["registry"]["rate"])]
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        session.execute(delete(HeatRegistration).where(HeatRegistration.source == "synthetic"))
        if len(chosen):
            session.execute(insert(HeatRegistration), [{"person_id": p, "source": "synthetic", "registered_at": now,
                                                        "registered_by": "synthetic"} for p in chosen])
    return len(chosen)


def load_registry(engine: Engine, path: Path, *, actor: str) -> int:
    """Real registrations (CSV with a person_id column), all checked against the population
    before any is stored: on any problem nothing is loaded."""
    try:
        frame = pd.read_csv(path, dtype=str)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise HeatError(f"{path}: {exc}") from None
    if "person_id" not in frame.columns:
        raise HeatError(f"{path}: line 1 has no person_id column")
    ids = frame["person_id"].fillna("").str.strip()
    empty = ids.index[ids == ""]
    if len(empty):
        raise HeatError(f"{path}: line {int(empty[0]) + 2}: empty person_id")
    con = population.storage.connect(Path(population.current(engine).location))
    known = set(con.sql("SELECT person_id FROM persons").df()["person_id"])
    unknown = ids.index[~ids.isin(known)]
    if len(unknown):
        i = int(unknown[0])
        raise HeatError(f"{path}: line {i + 2}: person {ids[i]!r} is not in the population "
                        f"({len(unknown)} unknown in all); nothing loaded")
    already = registered_ids(engine)
    new = sorted(set(ids) - already)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        if new:
            session.execute(insert(HeatRegistration), [{"person_id": p, "source": "reflex", "registered_at": now,
                                                        "registered_by": actor} for p in new])
    return len(new)


# ----------------------------------------------------------------------------------------------
# scoring


def heat_classes(engine: Engine, iris: pd.Series) -> np.ndarray:
    """IRIS heat class per row (1 low – 3 high, 0 unknown), from the territory's layer."""
    try:
        classes = layer_values(engine, "exposition_chaleur", "iris")
    except NotBuiltError:
        classes = {}
    lookup = {k: int(v) for k, v in classes.items() if v is not None}
    codes = iris.astype("category")
    per_code = np.array([lookup.get(c, 0) for c in codes.cat.categories], dtype=np.int8)
    return per_code[codes.cat.codes.to_numpy()] if len(per_code) else np.zeros(len(iris), np.int8)


def home_heat_classes(engine: Engine, persons: pd.DataFrame) -> tuple[np.ndarray, str]:
    """Night heat class of each home: from the twin's latest urban heat run where one exists (its
    night temperature at the home's cell), else the IRIS's LCZ class."""
    from recoque.twin.service import latest_heat_run, night_classes_at

    iris_classes = heat_classes(engine, persons["iris"])
    run = latest_heat_run(engine)
    if run is None:
        return iris_classes, "classe d'îlot de chaleur de l'IRIS (LCZ)"
    twin = night_classes_at(run, persons["x"].to_numpy(), persons["y"].to_numpy())
    return np.where(twin > 0, twin, iris_classes).astype(np.int8), f"jumeau numérique (simulation {run.id})"


def latest_scores(engine: Engine) -> Build | None:
    return population.latest(engine, SCORES)


def scores_frame(build: Build) -> pd.DataFrame:
    return pd.read_parquet(Path(build.location) / "scores.parquet")


def backtest_people(engine: Engine) -> pd.DataFrame | None:
    """What a backtest replays the plans with: the latest scores and today's register (None
    without scores: the backtest then reports alerts only)."""
    build = latest_scores(engine)
    if build is None:
        return None
    s = scores_frame(build)
    s["registered"] = s["person_id"].isin(registered_ids(engine))
    s["phone"] = s["contactability"].astype(str) != "none"
    return s[["person_id", "registered", "score", "multiplier", "at_risk", "arrondissement", "phone"]]


@algorithm(ALGORITHM, VERSION)
def score_population(settings: Settings, engine: Engine, *, progress: Progress = no_progress) -> Build:
    """Score every resident; keep the heat plan's public (65+ or disabled) with their scores,
    journal an explanation for each person at risk, audit for bias, publish layers."""
    started = time.perf_counter()
    status = scoring_status_path(settings)
    status.parent.mkdir(parents=True, exist_ok=True)
    outer = progress

    def progress(step: str, fraction: float) -> None:
        status.write_text(json.dumps({"step": step, "fraction": fraction, "pid": os.getpid()}), encoding="utf-8")
        outer(step, fraction)

    if not registered_ids(engine) and population.current(engine).details.get("origin") == "synthetic":
        progress("Registre REFLEX synthétique", 0.02)
        build_synthetic_registry(settings, engine)
    out = settings.var_dir / "heat" / "scores" / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    try:
        with measure(use_codecarbon=settings.footprint_meter == "codecarbon") as meter:
            progress("Lecture de la population", 0.05)
            persons = population.read_persons(engine)
            progress("Score de vulnérabilité", 0.3)
            classes, night_source = home_heat_classes(engine, persons)
            s = vulnerability.score(persons, classes)
            public = persons.loc[s.public].assign(multiplier=s.multiplier[s.public], score=s.score[s.public],
                                                  factors=s.factors[s.public], at_risk=s.at_risk[s.public])
            public = public[SCORE_COLUMNS].reset_index(drop=True)
            public["registered"] = public["person_id"].isin(registered_ids(engine))
            out.mkdir(parents=True, exist_ok=True)
            public.to_parquet(out / "scores.parquet", index=False)
            progress("Journal des décisions", 0.5)
            journaled = _journal(engine, public[public["at_risk"]])
            progress("Audit de biais", 0.85)
            audit = _bias_audit(engine, public)
            _publish_layers(engine, public)
        details = {"persons_scored": len(persons), "public": len(public),
                   "at_risk": int(public["at_risk"].sum()), "registered": int(public["registered"].sum()),
                   "registered_at_risk": int((public["registered"] & public["at_risk"]).sum()),
                   "journal_entries": journaled, "night_heat_source": night_source, "bias_audit": {"flagged": audit["flagged"], "flags": audit["flags"]},
                   "seconds": round(time.perf_counter() - started, 2), "footprint": meter.result.as_dict(),
                   "population_build": population.current(engine).id}
        with session_scope(engine) as session:
            build = Build(artifact=SCORES, input_digest=population.current(engine).input_digest,
                          code_version=recoque.__version__, location=str(out), created_at=datetime.now(UTC),
                          details=details)
            session.add(build)
            record_run(session, ALGORITHM, meter.result, len(persons))
            session.flush()
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        status.unlink(missing_ok=True)
    outer("Terminé", 1.0)
    return build


SCORE_JOB = "heat-score"   # the kind of background job a page starts for a scoring


def scoring_status_path(settings: Settings) -> Path:
    return settings.var_dir / "heat" / "scoring.json"


def scoring_status(settings: Settings) -> dict | None:
    """The progress of a scoring run in progress (for the web page), or None."""
    try:
        state = json.loads(scoring_status_path(settings).read_text(encoding="utf-8"))
        os.kill(state["pid"], 0)   # still alive?
        return state
    except (OSError, ValueError, KeyError):
        return None


def _journal(engine: Engine, at_risk: pd.DataFrame) -> int:
    """One journal entry per person at risk, with the factors behind the score."""
    threshold = vulnerability.PARAMETERS["at_risk"]["min_multiplier"]
    written, decisions = 0, []
    cache: dict[int, dict] = {}
    for pid, arr, age, mult, sc, mask, reg in zip(at_risk["person_id"], at_risk["arrondissement"], at_risk["age"],
                                                  at_risk["multiplier"], at_risk["score"], at_risk["factors"],
                                                  at_risk["registered"]):
        if int(mask) not in cache:
            cache[int(mask)] = vulnerability.explain(int(mask), 1.0)
        why = cache[int(mask)]
        code = int(str(arr)[3:])
        decisions.append(Decision(
            algorithm_id=ALGORITHM, algorithm_version=VERSION, subject=str(pid),
            inputs={"Âge": f"{int(age)} ans", "Arrondissement du domicile": "1er" if code == 1 else f"{code}e",
                    "Inscription au registre REFLEX": "oui" if bool(reg) else "non",
                    "Facteurs de risque connus": ", ".join(f["facteur"] for f in why["facteurs"]) or "aucun",
                    "Chaleur de la nuit au domicile": next((f["facteur"] for f in why["facteurs"]
                                                            if f["facteur"].startswith("quartier")),
                                                           "quartier moins chaud la nuit (classe faible)")},
            output={"multiplicateur_de_risque": round(float(mult), 2), "score": round(float(sc), 3),
                    "a_risque": True, "seuil": threshold},
            explanation={"parameters": vulnerability.sentences(int(mask), float(mult)),
                         "references": {"sources": [f["source"] for f in why["facteurs"]]},
                         "operations": [
                             "Produit des rapports de cotes publiés des facteurs de risque présents (vulnerability.yaml)",
                             f"« À risque » quand le produit atteint {threshold} ou plus, pour une personne de 65 ans "
                             "ou plus ou en situation de handicap",
                             "Le score ne sert qu'à proposer un appel et de l'aide ; il ne retire ni ne réduit aucun droit"]},
        ))
        if len(decisions) == 20_000:
            written += len(append(engine, decisions))
            decisions = []
    return written + (len(append(engine, decisions)) if decisions else 0)


def _bias_audit(engine: Engine, public: pd.DataFrame) -> dict:
    """Share found at risk, and mean score, by sex, age band, arrondissement and disability."""
    from recoque.governance.bias import audit_scores, record_audit

    frame = pd.DataFrame({"sex": public["sex"], "age": public["age"], "arrondissement": public["arrondissement"],
                          "disability": public["disability"].astype(str), "selected": public["at_risk"].astype(int),
                          "score": public["score"].astype(float)})
    result = audit_scores(frame, groups=["sex", "age_band", "arrondissement", "disability"])
    record_audit(engine, ALGORITHM, result)
    return result


def _publish_layers(engine: Engine, public: pd.DataFrame) -> None:
    rows = []
    at_risk = public[public["at_risk"]]
    for level in ("arrondissement", "iris"):
        g = at_risk.groupby(level).size()
        rows += value_rows("canicule_personnes_a_risque", level, g.astype(float).mask(g < MIN_PUBLISHED_COUNT))
    with session_scope(engine) as session:
        replace_layer_values(session, ["canicule_personnes_a_risque"], rows)


def night_temperatures(engine: Engine, tmin: float) -> pd.Series:
    """Estimated night minimum per IRIS: the forecast minimum plus the offset of the IRIS heat
    class (vulnerability.yaml, estimates)."""
    offsets = vulnerability.PARAMETERS["night_offsets"]
    classes = layer_values(engine, "exposition_chaleur", "iris")
    return pd.Series({code: round(tmin + offsets[int(v)], 1) for code, v in classes.items() if v is not None},
                     name="night_min")


def publish_night_layer(engine: Engine, tmin: float) -> None:
    """The layer « température minimale estimée la nuit » for a night of minimum ``tmin``."""
    night = night_temperatures(engine, tmin)
    with session_scope(engine) as session:
        replace_layer_values(session, ["canicule_nuit_iris"], value_rows("canicule_nuit_iris", "iris", night))
