import pytest

from recoque.governance.footprint import measure, parameters
from recoque.governance.runs import footprint_by_algorithm
from recoque.territory.service import build_territory


def _work() -> int:
    return sum(i * i for i in range(2_000_000))


def test_cpu_time_model():
    with measure(use_codecarbon=False) as m:
        _work()
    fp = m.result
    assert fp.energy_kwh > 0 and fp.seconds > 0
    assert fp.co2_g == pytest.approx(fp.energy_kwh * parameters()["grid_kgco2e_per_kwh"] * 1000)
    assert "estimé" in fp.method and "Wh" in fp.label() and "CO2e" in fp.label()


def test_codecarbon_measures_offline():
    with measure() as m:
        _work()
    assert "CodeCarbon" in m.result.method
    assert m.result.energy_kwh > 0


def test_builds_record_their_runs(engine, settings_for):
    build_territory(settings_for(), engine)
    runs = footprint_by_algorithm(engine)
    assert runs["territory-indicators"]["runs"] == 1
    assert runs["territory-indicators"]["energy_kwh"] > 0
