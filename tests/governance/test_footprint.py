import pytest

from recoque.governance.footprint import PARAMETERS, measure
from recoque.governance.runs import footprint_by_algorithm
from recoque.territory.service import build_territory


def _work() -> int:
    return sum(i * i for i in range(2_000_000))


def test_cpu_time_model():
    with measure(use_codecarbon=False) as m:
        _work()
    fp = m.result
    assert fp.energy_kwh > 0 and fp.seconds > 0
    assert fp.co2_g == pytest.approx(fp.energy_kwh * PARAMETERS.value("grid_kgco2e_per_kwh") * 1000)
    assert "estimé" in fp.method and "Wh" in fp.label() and "CO2e" in fp.label()


def test_work_done_in_worker_processes_is_counted():
    """A screening runs on worker processes: their CPU time is the computation's too."""
    from concurrent.futures import ProcessPoolExecutor

    with measure(use_codecarbon=False) as alone:
        _work()
    with measure(use_codecarbon=False, with_workers=True) as pooled:
        with ProcessPoolExecutor(2) as pool:
            list(pool.map(_work_n, [2_000_000] * 4))
    # four times the work, all of it in the workers: counted, not the parent's idle waiting
    assert pooled.result.energy_kwh > 2.5 * alone.result.energy_kwh
    assert "temps CPU des processus" in pooled.result.method and len(pooled.result.method) <= 64  # stored


def _work_n(n: int) -> int:
    return sum(i * i for i in range(n))


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
