"""Building the territory into the store: idempotent, all-or-nothing, on both back-ends."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from recoque.core.errors import DataFileError, NotBuiltError, UnknownNameError
from recoque.core.layers import class_breaks, layer_values
from recoque.core.models import Build, LayerValue
from recoque.core.store import session_scope
from recoque.territory import service
from recoque.territory.models import TerritoryUnit
from recoque.territory.sources import source_path


def _counts(engine):
    with session_scope(engine) as s:
        return (s.scalar(select(func.count()).select_from(TerritoryUnit)),
                s.scalar(select(func.count()).select_from(LayerValue)),
                s.scalar(select(func.count()).select_from(Build)))


def test_build_fills_the_store_and_is_idempotent(engine, settings_for):
    settings = settings_for()
    first = service.build_territory(settings, engine)
    assert first.built and first.location.is_dir()
    units, values, builds = _counts(engine)
    assert units == 20 + 80 + 992
    assert values == units * 8 + 20 * 3  # 8 layers at every level, 3 per arrondissement only
    assert builds == 1
    again = service.build_territory(settings, engine)
    assert not again.built and again.location == first.location
    assert _counts(engine) == (units, values, 1)
    forced = service.build_territory(settings, engine, force=True)
    assert forced.built and forced.location != first.location
    assert _counts(engine) == (units, values, 2)


def test_values_read_back_from_the_store(engine, settings_for):
    service.build_territory(settings_for(), engine)
    arr = layer_values(engine, "population", "arrondissement")
    assert len(arr) == 20 and 2.0e6 < sum(arr.values()) < 2.3e6
    iris = layer_values(engine, "population", "iris")
    # every IRIS has its residents (RP2022 level), the « non-habitat » ones too; woods and parks hold ~0
    assert sum(v is None for v in iris.values()) == 0 and sum(v < 1 for v in iris.values()) >= 20
    assert {u.level for u in service.units(engine, "quartier")} == {"quartier"}
    assert all(u.parent_code for u in service.units(engine, "iris"))


def test_nothing_is_read_before_a_build(engine):
    with pytest.raises(NotBuiltError, match="recoque up"):
        layer_values(engine, "arbres", "iris")
    with pytest.raises(NotBuiltError):
        service.artifact_path(engine, "iris.geojson")
    with pytest.raises(UnknownNameError):
        layer_values(engine, "arbres", "region")


def test_bad_data_after_a_good_build_changes_nothing(engine, settings_for, copied_data):
    settings = settings_for(data_dir=copied_data)
    good = service.build_territory(settings, engine)
    before = _counts(engine)
    population = layer_values(engine, "population", "iris")
    path = source_path(copied_data, "iris")
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(DataFileError, match="paris_iris_2154_heat_lcz.geojson"):
        service.build_territory(settings, engine)
    assert _counts(engine) == before
    assert layer_values(engine, "population", "iris") == population
    assert service.latest_build(engine).location == str(good.location)
    assert sorted(p.name for p in (settings.var_dir / "territory").iterdir()) == [good.location.name]


def test_a_failure_while_writing_the_store_rolls_everything_back(engine, settings_for, monkeypatch):
    settings = settings_for()

    def explode(_values):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_value_rows", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        service.build_territory(settings, engine)
    assert _counts(engine) == (0, 0, 0)
    assert list((settings.var_dir / "territory").iterdir()) == []


def test_grid_build_is_recorded(engine, settings_for, tmp_path):
    out = tmp_path / "g.nc"
    path, stats = service.build_grid(settings_for(), engine, resolution_m=200.0, output=out)
    assert path == out and out.is_file()
    assert not list(tmp_path.glob(".*.tmp"))
    assert stats["shape"][0] > 40
    assert service.latest_build(engine, "grid-200m").location == str(out)


def test_class_breaks():
    assert class_breaks([None, 1.0, 2.0, 3.0, 4.0, 5.0]) == [1.0, 1.8, 2.6, 3.4, 4.2, 5.0]
    assert class_breaks([None]) == []
    assert class_breaks([7.0, 7.0]) == [7.0]
    # three distinct values, one of them most of the time: each keeps its own class
    assert class_breaks([20.9] * 40 + [22.4] * 94 + [23.9] * 853) == [20.9, 21.65, 23.15, 23.9]


def test_web_artifacts_are_wgs84_and_carry_layer_values(engine, settings_for):
    import json

    result = service.build_territory(settings_for(), engine)
    doc = json.loads(Path(result.location, "iris.geojson").read_text())
    assert len(doc["features"]) == 992
    coords = doc["features"][0]["geometry"]["coordinates"]
    while isinstance(coords[0], list):
        coords = coords[0]
    lon, lat = coords
    assert 2.2 < lon < 2.5 and 48.8 < lat < 48.95
    assert {"code", "name", "kind", "population", "arbres"} <= set(doc["features"][0]["properties"])
