"""Bad input: every malformed data file is refused with its name and the problem."""

import gzip
import json

import pytest

from recoque.core.errors import CRSMismatchError, DataFileError, TerritoryCheckError
from recoque.core.settings import PROJECT_ROOT
from recoque.population.margins import read_margins
from recoque.territory import load_territory
from recoque.territory.sources import SOURCES, digest_sources, source_path


def test_every_declared_source_is_documented_in_sources_md():
    doc = (PROJECT_ROOT / "data" / "SOURCES.md").read_text(encoding="utf-8")
    for spec in SOURCES.values():
        assert f"`{spec.path}`" in doc, f"{spec.path} is not described in data/SOURCES.md"


def test_every_shipped_data_file_is_declared_or_documented():
    doc = (PROJECT_ROOT / "data" / "SOURCES.md").read_text(encoding="utf-8")
    for path in (PROJECT_ROOT / "data").rglob("*"):
        if path.is_file() and path.name != "SOURCES.md":
            rel = path.relative_to(PROJECT_ROOT / "data").as_posix()
            assert f"`{rel}`" in doc, f"data/{rel} has no provenance in data/SOURCES.md"


def _loader(key):
    return {"territory": load_territory, "population": read_margins}[SOURCES[key].used_by]


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_missing_file_is_named(copied_data, key):
    path = source_path(copied_data, key)
    path.unlink()
    with pytest.raises(DataFileError, match="file is missing") as err:
        _loader(key)(copied_data)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_truncated_file_is_refused(copied_data, key):
    path = source_path(copied_data, key)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 3])
    with pytest.raises(DataFileError) as err:
        _loader(key)(copied_data)
    assert str(path) in str(err.value)


def test_empty_file_is_refused(copied_data):
    path = source_path(copied_data, "arrondissements")
    path.write_bytes(b"")
    with pytest.raises(DataFileError, match="empty"):
        load_territory(copied_data)


def test_malformed_json_names_line_and_column(copied_data):
    path = source_path(copied_data, "cool_places")
    path.write_text('[{"identifiant": "x", "nom": ', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"malformed JSON at line 1"):
        load_territory(copied_data)


def test_missing_column_is_named(copied_data):
    path = source_path(copied_data, "elderly_alone_rp2022")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("elderly_80_plus_alone", "renamed")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="elderly_80_plus_alone"):
        load_territory(copied_data)


def _edit_json(path, edit) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_wrong_crs_raises(copied_data):
    _edit_json(source_path(copied_data, "iris"),
               lambda doc: doc["crs"]["properties"].update(name="urn:ogc:def:crs:EPSG::3857"))
    with pytest.raises(CRSMismatchError, match="EPSG:2154"):
        load_territory(copied_data)


def test_duplicate_iris_code_fails_the_checks(copied_data):
    def duplicate(doc):
        doc["features"][1]["properties"]["code_iris"] = doc["features"][0]["properties"]["code_iris"]

    _edit_json(source_path(copied_data, "iris"), duplicate)
    with pytest.raises(TerritoryCheckError, match="appears more than once"):
        load_territory(copied_data)


def test_iris_in_the_wrong_arrondissement_fails_the_checks(copied_data):
    # an IRIS of the 1st relabelled as one of the 20th
    _edit_json(source_path(copied_data, "iris"),
               lambda doc: doc["features"][0]["properties"].update(code_iris="751208888"))
    with pytest.raises(TerritoryCheckError, match="751208888 lies outside its arrondissement 75120"):
        load_territory(copied_data)


def test_a_missing_quartier_breaks_the_published_count(copied_data):
    _edit_json(source_path(copied_data, "quartiers"), lambda doc: doc["features"].pop())
    with pytest.raises(TerritoryCheckError, match="79 quartier units loaded where 80 are published"):
        load_territory(copied_data)


def test_corrupt_gzip_is_refused(copied_data):
    path = source_path(copied_data, "population_rp2016")
    path.write_bytes(gzip.compress(b"IRIS,P16\n")[:-8])
    with pytest.raises(DataFileError, match="population"):
        load_territory(copied_data)


def test_digest_changes_with_any_byte(copied_data):
    before = digest_sources(copied_data)
    path = source_path(copied_data, "fountains")
    path.write_bytes(path.read_bytes() + b" ")
    assert digest_sources(copied_data) != before
