"""Building, storing, loading and validating the population through the store (both back-ends)."""

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from recoque.core.errors import NotBuiltError, RecoqueError
from recoque.core.layers import layer_values
from recoque.core.models import Build
from recoque.core.store import session_scope
from recoque.population import service, storage
from recoque.territory.service import build_territory


@pytest.fixture
def built(engine, settings_for):
    settings = settings_for()
    build_territory(settings, engine)
    result = service.build_population(settings, engine, seed=11, scale=0.02)
    return settings, result


def test_build_stores_parquet_metadata_and_layers(engine, built):
    settings, result = built
    assert result.built and result.persons > 40_000
    parts = sorted(p.relative_to(result.location).as_posix() for p in result.location.rglob("*.parquet"))
    assert len(parts) == 40 and parts[0] == "households/arrondissement=75101/part-0.parquet"
    build = service.current(engine)
    assert build.details["seed"] == 11 and build.details["scale"] == 0.02
    assert set(build.details["checksums"]) == set(parts)
    con = storage.connect(result.location)
    assert con.execute("SELECT count(*) FROM persons").fetchone()[0] == result.persons
    arr = layer_values(engine, "pop_personnes", "arrondissement")
    assert sum(arr.values()) == result.persons
    assert layer_values(engine, "population", "arrondissement")  # territory layers untouched


def test_same_inputs_are_not_rebuilt_and_rebuild_is_bit_for_bit(engine, built):
    settings, first = built
    again = service.build_population(settings, engine, seed=11, scale=0.02)
    assert not again.built
    forced = service.build_population(settings, engine, seed=11, scale=0.02, force=True)
    assert forced.built and forced.location != first.location
    assert forced.digest == first.digest  # same checksums, file by file


def test_small_counts_are_withheld(engine, built):
    values = layer_values(engine, "pop_75_sans_telephone", "iris")
    known = [v for v in values.values() if v is not None]
    assert all(v == 0 or v >= service.MIN_PUBLISHED_COUNT for v in known)


def test_validation_report(engine, built):
    settings, result = built
    report, path = service.validate_population(settings, engine)
    assert path.is_file() and path.with_suffix(".html").is_file()
    assert json.loads(path.read_text())["build"]["persons"] == result.persons
    assert "Validation de la population" in path.with_suffix(".html").read_text()
    assert report["tables"]["households"]["published_total"] == pytest.approx(0.02 * 1_089_379.8, rel=1e-6)
    assert service.validation_report(engine)["income"]["iris_compared"] > 800


def test_bad_scale_is_refused(engine, settings_for):
    with pytest.raises(RecoqueError, match="scale"):
        service.build_population(settings_for(), engine, scale=1.5)


def test_nothing_before_a_build(engine):
    with pytest.raises(NotBuiltError, match="recoque population build"):
        service.summary(engine)


def _export(result, folder: Path, suffix: str):
    con = storage.connect(result.location)
    persons = con.sql("SELECT * FROM persons").df()
    households = con.sql("SELECT * FROM households").df()
    paths = folder / f"persons{suffix}", folder / f"households{suffix}"
    for frame, path in zip((persons, households), paths):
        frame = frame.astype({c: str for c in ("iris", "arrondissement")})
        frame.to_parquet(path) if suffix == ".parquet" else frame.to_csv(path, index=False)
    return paths


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_load_real_records_round_trip(engine, built, tmp_path, suffix):
    settings, result = built
    persons_path, households_path = _export(result, tmp_path, suffix)
    loaded = service.load_records(settings, engine, persons_path=persons_path, households_path=households_path)
    assert (loaded.persons, loaded.households) == (result.persons, result.households)
    assert service.current(engine).details["origin"] == "loaded"
    report, _ = service.validate_population(settings, engine)
    assert report["tables"]["age"]["published_total"] > 2_000_000  # real records are compared at scale 1


def test_bad_records_are_refused_row_by_row_and_nothing_changes(engine, built, tmp_path):
    settings, result = built
    persons_path, households_path = _export(result, tmp_path, ".csv")
    persons = pd.read_csv(persons_path, dtype=str)
    persons.loc[4, "age"] = "-3"
    persons.loc[9, "iris"] = "PARIS-1"
    persons.loc[11, "salary_month"] = "inf"       # ≥ 0, but not an income
    persons.loc[12, "pension_month"] = "1e300"
    persons.to_csv(persons_path, index=False)
    with pytest.raises(service.PopulationInputError) as err:
        service.load_records(settings, engine, persons_path=persons_path, households_path=households_path)
    message = str(err.value)
    assert "nothing was loaded" in message
    assert "persons row 5, column age: -3" in message
    assert "persons row 10, column iris: 'PARIS-1'" in message
    assert "persons row 12, column salary_month: inf fails a finite number" in message
    assert "persons row 13, column pension_month: 1e+300 fails less_than_or_equal_to(10000000.0)" in message
    assert service.current(engine).location == str(result.location)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Build).where(Build.artifact == "population")) == 1


def test_records_with_an_orphan_person_are_refused(engine, built, tmp_path):
    settings, result = built
    persons_path, households_path = _export(result, tmp_path, ".parquet")
    households = pd.read_parquet(households_path).iloc[1:]
    households.to_parquet(households_path)
    with pytest.raises(service.PopulationInputError, match="is not in the households table"):
        service.load_records(settings, engine, persons_path=persons_path, households_path=households_path)


def test_unreadable_file(engine, built, tmp_path):
    settings, _ = built
    bad = tmp_path / "persons.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(service.PopulationInputError, match="cannot be read"):
        service.load_records(settings, engine, persons_path=bad, households_path=bad)


def test_an_iris_outside_paris_is_refused(engine, built, tmp_path):
    settings, result = built
    persons_path, households_path = _export(result, tmp_path, ".parquet")
    households = pd.read_parquet(households_path)
    persons = pd.read_parquet(persons_path)
    first = households["household_id"].iloc[0]
    households.loc[households["household_id"] == first, "iris"] = "751019999"
    persons.loc[persons["household_id"] == first, "iris"] = "751019999"
    households.to_parquet(households_path)
    persons.to_parquet(persons_path)
    with pytest.raises(service.PopulationInputError, match="IRIS '751019999' is not an IRIS of Paris"):
        service.load_records(settings, engine, persons_path=persons_path, households_path=households_path)
