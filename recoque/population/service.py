"""Build, load, store and validate the population; publish its map layers.

A population (synthetic or real) is written to a fresh folder, then recorded in the store with
its metadata (seed, scale, source digests, file checksums) and its layers in one transaction:
a failed build or a rejected file leaves the previous population in place.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

import recoque
from recoque.core.errors import NotBuiltError, RecoqueError
from recoque.core.layers import read_layer_specs, replace_layer_values, value_rows
from recoque.core.models import Build
from recoque.core.progress import Progress, no_progress
from recoque.core.settings import Settings
from recoque.core.store import session_scope
from recoque.governance.footprint import Footprint, measure
from recoque.governance.runs import record_run
from recoque.population import storage
from recoque.population.generate import generate
from recoque.population.margins import read_margins
from recoque.population.report import render_validation_report
from recoque.population.validation import validate
from recoque.territory import Territory, load_territory
from recoque.territory.sources import digest_sources

ARTIFACT = "population"
VALIDATION = "population-validation"
LAYERS_FILE = Path(__file__).with_name("layers.yaml")
#: published aggregates below this many people are withheld (statistical secrecy)
MIN_PUBLISHED_COUNT = 11


class PopulationInputError(RecoqueError):
    """Records offered to ``load`` break the schema; nothing was loaded."""


@dataclass(frozen=True)
class PopulationBuild:
    built: bool
    location: Path
    seconds: float
    persons: int
    households: int
    digest: str
    footprint: Footprint | None = None



def input_digest(data_dir: Path, seed: int, scale: float) -> str:
    h = hashlib.sha256(digest_sources(data_dir).encode())
    h.update(Path(__file__).with_name("parameters.yaml").read_bytes())
    h.update(f"{recoque.__version__}|seed={seed}|scale={scale!r}".encode())
    return h.hexdigest()


def latest(engine: Engine, artifact: str = ARTIFACT) -> Build | None:
    with session_scope(engine) as session:
        return session.scalars(select(Build).where(Build.artifact == artifact)
                               .order_by(Build.id.desc()).limit(1)).first()


def current(engine: Engine) -> Build:
    build = latest(engine)
    if build is None or not Path(build.location).is_dir():
        raise NotBuiltError("no population yet — run `recoque population build` (or `recoque up`)")
    return build


def build_population(
    settings: Settings, engine: Engine, *, seed: int | None = None, scale: float | None = None,
    force: bool = False, progress: Progress = no_progress,
) -> PopulationBuild:
    """Draw the synthetic population of Paris (skipped if the same one is already stored)."""
    seed = settings.seed if seed is None else seed
    scale = settings.population_scale if scale is None else scale
    if not (0.0 < scale <= 1.0):
        raise RecoqueError(f"population scale must be in (0, 1], got {scale!r}")
    start = time.perf_counter()
    digest = input_digest(settings.data_dir, seed, scale)
    build = latest(engine)
    if (not force and build and build.details.get("input_digest") == digest
            and Path(build.location).is_dir()):
        return PopulationBuild(False, Path(build.location), time.perf_counter() - start,
                               build.details["persons"], build.details["households"], digest)
    progress("lecture des tables publiées", 0.0)
    territory = load_territory(settings.data_dir)
    margins = read_margins(settings.data_dir)
    iris = territory.iris.set_index("code")
    unknown = margins.iris.difference(iris.index)
    if len(unknown):
        raise RecoqueError(f"census IRIS {unknown[0]} is not in the territory's IRIS layer "
                           f"({len(unknown)} in all): the tables and the boundaries do not match")
    heights = territory.arrondissement_indicators["mean_building_height_m"].reindex(margins.arrondissement)
    with measure(use_codecarbon=settings.footprint_meter == "codecarbon") as meter:
        population = generate(margins, iris_polygons=iris.geometry.reindex(margins.iris).tolist(),
                              building_height_m=heights.to_numpy(), seed=seed, scale=scale, progress=progress)
    details = {"origin": "synthetic", "seed": seed, "scale": scale, "input_digest": digest,
               "sources_digest": digest_sources(settings.data_dir), "notes": population.notes,
               "method": "IPF + integerisation per IRIS (see docs/population.md)",
               "footprint": meter.result.as_dict()}
    return _store(settings, engine, territory, population.households, population.persons, details, start,
                  progress, footprint=meter.result)


def _store(settings: Settings, engine: Engine, territory: Territory, households: pd.DataFrame,
           persons: pd.DataFrame, details: dict, start: float, progress: Progress,
           footprint: Footprint | None = None) -> PopulationBuild:
    root = settings.var_dir / ARTIFACT
    root.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    tmp, final = root / f".tmp-{name}", root / name
    previous = latest(engine)
    try:
        progress("écriture Parquet", 0.9)
        checksums = storage.write_table(households, tmp / "households")
        checksums |= storage.write_table(persons, tmp / "persons")
        tmp.rename(final)
        progress("couches de la carte", 0.95)
        rows = layer_rows(storage.connect(final), territory)
        details = details | {"persons": len(persons), "households": len(households), "checksums": checksums,
                             "dataset_digest": storage.dataset_digest(checksums),
                             "seconds": round(time.perf_counter() - start, 2)}
        with session_scope(engine) as session:
            session.add(Build(artifact=ARTIFACT, input_digest=details.get("input_digest", details["dataset_digest"]),
                              code_version=recoque.__version__, location=str(final),
                              created_at=datetime.now(UTC), details=details))
            replace_layer_values(session, list(read_layer_specs(LAYERS_FILE)), rows)
            if footprint is not None:
                record_run(session, "synthetic-population", footprint, items=len(persons))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(final, ignore_errors=True)
        raise
    keep = {final.name, Path(previous.location).name if previous else ""}
    for child in root.iterdir():
        if child.is_dir() and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
    progress("terminé", 1.0)
    return PopulationBuild(True, final, time.perf_counter() - start, len(persons), len(households),
                           details["dataset_digest"], footprint)


_MEASURES = {
    "pop_personnes": "count(*)",
    "pop_seuls_75_plus": "count(*) FILTER (living_alone AND age >= 75)",
    "pop_dependants_60_plus": "count(*) FILTER (dependency_gir > 0 AND age >= 60)",
    "pop_75_dernier_etage_sans_clim": "count(*) FILTER (age >= 75 AND top_floor AND NOT air_conditioning)",
    "pop_75_sans_telephone": "count(*) FILTER (age >= 75 AND contactability = 'none')",
    "pop_menages": "count(*) FILTER (member = 0)",
    "pop_logement_social": "count(*) FILTER (member = 0 AND tenure = 'social_rent')",
    "pop_niveau_de_vie_median": "median(standard_of_living_year)",
}


def layer_rows(con, territory: Territory) -> list[dict]:
    """Layer values per IRIS, quartier and arrondissement; counts under 11 people withheld."""
    con.register("iris_quartier", pd.DataFrame({"iris": territory.iris["code"].astype(str),
                                                "quartier": territory.iris["quartier"].astype(str)}))
    measures = ", ".join(f"{sql} AS {name}" for name, sql in _MEASURES.items())
    rows: list[dict] = []
    for level, key in (("iris", "p.iris"), ("quartier", "q.quartier"), ("arrondissement", "p.arrondissement")):
        frame = con.sql(
            f"SELECT {key}::VARCHAR AS code, {measures} FROM persons p "
            "JOIN households h USING (household_id) JOIN iris_quartier q ON q.iris = p.iris::VARCHAR "
            "GROUP BY ALL").df().set_index("code")
        few_people = frame["pop_personnes"] < MIN_PUBLISHED_COUNT
        for name in _MEASURES:
            column = frame[name].astype(float).mask(few_people)  # a unit of under 11 people publishes nothing
            if name != "pop_niveau_de_vie_median":
                column = column.mask((column > 0) & (column < MIN_PUBLISHED_COUNT))  # nor does a count of 1–10
            rows += value_rows(name, level, column)
    return rows


def read_records(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file of records, every column as read (types are the schema's job)."""
    path = Path(path)
    if not path.is_file():
        raise PopulationInputError(f"{path}: file is missing")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except Exception as exc:  # pyarrow and the csv parser raise many kinds
        raise PopulationInputError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None
    raise PopulationInputError(f"{path}: expected a .csv or .parquet file")


def check_records(households: pd.DataFrame, persons: pd.DataFrame, iris_codes: set[str],
                  max_reported: int = 20) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both tables against the schema and each other; raise listing the failing rows."""
    import pandera.errors

    from recoque.population.schema import (
        HOUSEHOLD_FIELDS,
        HOUSEHOLDS,
        PERSON_FIELDS,
        PERSONS,
        to_storage_types,
    )

    problems: list[str] = []
    checked = {}
    for name, schema, frame in (("households", HOUSEHOLDS, households), ("persons", PERSONS, persons)):
        try:
            checked[name] = schema.validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            for case in exc.failure_cases.head(max_reported).itertuples():
                where = "file" if pd.isna(case.index) else f"row {int(case.index) + 1}"
                problems.append(f"{name} {where}, column {case.column}: {case.failure_case!r} fails {case.check}")
            problems.append(f"{name}: {len(exc.failure_cases)} failure(s) in all")
    if problems:
        raise PopulationInputError("records refused, nothing was loaded:\n  - " + "\n  - ".join(problems))
    hh, pp = checked["households"], checked["persons"]
    if hh["household_id"].duplicated().any():
        problems.append(f"households: household_id {hh.loc[hh['household_id'].duplicated(), 'household_id'].iloc[0]!r} "
                        "appears twice")
    if pp["person_id"].duplicated().any():
        problems.append(f"persons: person_id {pp.loc[pp['person_id'].duplicated(), 'person_id'].iloc[0]!r} appears twice")
    orphans = ~pp["household_id"].isin(hh["household_id"])
    if orphans.any():
        problems.append(f"persons row {int(np.flatnonzero(orphans)[0]) + 1}: household_id "
                        f"{pp['household_id'][orphans].iloc[0]!r} is not in the households table ({int(orphans.sum())} rows)")
    members = pp.groupby("household_id").size()
    sizes = hh.set_index("household_id")["size"]
    wrong = sizes[sizes != members.reindex(sizes.index).fillna(0)]
    if len(wrong):
        problems.append(f"households: household {wrong.index[0]!r} declares size {int(wrong.iloc[0])} but has "
                        f"{int(members.get(wrong.index[0], 0))} persons ({len(wrong)} households)")
    for name, frame in (("households", hh), ("persons", pp)):
        bad_iris = ~frame["iris"].isin(iris_codes)
        if bad_iris.any():
            problems.append(f"{name} row {int(np.flatnonzero(bad_iris)[0]) + 1}: IRIS {frame['iris'][bad_iris].iloc[0]!r} "
                            "is not an IRIS of Paris")
        mismatch = frame["arrondissement"] != frame["iris"].str[:5]
        if mismatch.any():
            problems.append(f"{name} row {int(np.flatnonzero(mismatch)[0]) + 1}: arrondissement does not match the IRIS")
    if problems:
        raise PopulationInputError("records refused, nothing was loaded:\n  - " + "\n  - ".join(problems))
    order_h = hh.sort_values(["iris", "household_id"], kind="stable").index
    order_p = pp.sort_values(["iris", "household_id", "member"], kind="stable").index
    return (to_storage_types(hh.loc[order_h].reset_index(drop=True), HOUSEHOLD_FIELDS),
            to_storage_types(pp.loc[order_p].reset_index(drop=True), PERSON_FIELDS))


def load_records(settings: Settings, engine: Engine, *, persons_path: Path, households_path: Path,
                 progress: Progress = no_progress) -> PopulationBuild:
    """Load real records through the schema; all or nothing."""
    start = time.perf_counter()
    progress("lecture des fichiers", 0.05)
    persons, households = read_records(persons_path), read_records(households_path)
    territory = load_territory(settings.data_dir)
    progress("contrôle ligne à ligne", 0.3)
    households, persons = check_records(households, persons, set(territory.iris["code"].astype(str)))
    digests = {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in (persons_path, households_path)}
    details = {"origin": "loaded", "scale": 1.0, "seed": None, "files": digests, "notes": []}
    return _store(settings, engine, territory, households, persons, details, start, progress)


def validate_population(settings: Settings, engine: Engine) -> tuple[dict, Path]:
    """Compare the current population with the published tables; write validation.json/.html."""
    start = time.perf_counter()
    build = current(engine)
    margins = read_margins(settings.data_dir)
    scale = float(build.details.get("scale", 1.0))
    report = validate(storage.connect(Path(build.location)), margins.scaled(scale) if scale != 1.0 else margins)
    report["build"] = {k: build.details.get(k) for k in ("origin", "seed", "scale", "persons", "households",
                                                           "dataset_digest", "notes", "footprint")}
    report["build"]["created_at"] = build.created_at.isoformat()
    report["seconds"] = round(time.perf_counter() - start, 2)
    folder = Path(build.location)
    json_path = folder / "validation.json"
    json_path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    (folder / "validation.html").write_text(render_validation_report(report), encoding="utf-8")
    with session_scope(engine) as session:
        session.add(Build(artifact=VALIDATION, input_digest=build.details.get("dataset_digest", ""),
                          code_version=recoque.__version__, location=str(json_path),
                          created_at=datetime.now(UTC), details={"population_build": build.id,
                                                                 "verdicts": report["verdicts"]}))
    return report, json_path


def validation_report(engine: Engine) -> dict:
    """The latest validation report of the current population."""
    build = current(engine)
    path = Path(build.location) / "validation.json"
    if not path.is_file():
        raise NotBuiltError("the population has no validation report yet — run `recoque population validate`")
    return json.loads(path.read_text(encoding="utf-8"))


def summary(engine: Engine) -> dict:
    build = current(engine)
    keys = ("origin", "seed", "scale", "persons", "households", "dataset_digest", "seconds", "notes", "footprint")
    return {"created_at": build.created_at.isoformat(), **{k: build.details.get(k) for k in keys}}


def is_current(settings: Settings, engine: Engine) -> bool:
    build = latest(engine)
    return bool(build and Path(build.location).is_dir() and (
        build.details.get("origin") == "loaded"
        or build.details.get("input_digest") == input_digest(settings.data_dir, settings.seed,
                                                              settings.population_scale)))


def read_persons(engine: Engine) -> pd.DataFrame:
    """Every person with what the heat watch and the twin read about them: age, sex, health,
    isolation, contacts and their home (tenure, roof, air-conditioning, coordinates). Read through
    Arrow: ten times faster than DuckDB's pandas conversion for 2 M rows of strings."""
    con = storage.connect(Path(current(engine).location))
    return con.sql("""
        SELECT p.person_id, p.household_id, p.arrondissement::VARCHAR AS arrondissement, p.iris::VARCHAR AS iris,
               p.age, p.sex::VARCHAR AS sex, p.disability, p.bedridden, p.dependency_gir, p.chronic_illness,
               p.living_alone, p.contactability::VARCHAR AS contactability, p.phone_mobile, h.landline,
               h.under_roof, h.air_conditioning, h.x, h.y, h.tenure::VARCHAR = 'community' AS in_community
        FROM persons p JOIN households h USING (household_id)""").to_arrow_table().to_pandas()
