"""``recoque heat …`` on the heat city's store: clear errors (exit 2) that change nothing."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from recoque.cli import app
from recoque.core.settings import get_settings
from recoque.core.store import get_engine
from recoque.heat import service

runner = CliRunner()


@pytest.fixture
def cli(city, monkeypatch):
    monkeypatch.setenv("RECOQUE_VAR_DIR", str(city.settings.var_dir))
    monkeypatch.setenv("RECOQUE_DATA_DIR", str(city.settings.data_dir))
    monkeypatch.setenv("RECOQUE_ENVIRONMENT", "test")
    monkeypatch.setenv("RECOQUE_FOOTPRINT_METER", "cpu-time")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield lambda *args: runner.invoke(app, ["heat", *args])
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_bad_forecasts_are_refused_and_the_current_one_stays(cli, city, tmp_path):
    current = service.current_forecast(city.engine).id
    bad = tmp_path / "prevision.csv"
    bad.write_text("date,tmin,tmax\n2026-07-01,18,30\n2026-07-01,19,30\n", encoding="utf-8")
    result = cli("forecast", "load", str(bad))
    assert result.exit_code == 2 and "line 3: 2026-07-01 is given twice with different values" in result.output
    result = cli("forecast", "load", "--season", "2006")
    assert result.exit_code == 2 and "2006-08-07 → 2006-08-09" in result.output
    result = cli("forecast", "load", str(bad), "--season", "2003")
    assert result.exit_code == 2 and "exactly one of" in result.output
    assert service.current_forecast(city.engine).id == current


def test_vigilance_and_backtest_print_the_alerts(cli):
    result = cli("vigilance")
    assert result.exit_code == 0 and "Alerte du 2003-08-02 au 2003-08-12" in result.output
    result = cli("backtest", "2025", "--calls", "100")
    assert result.exit_code == 0
    assert "alerte du 2025-06-28 au 2025-07-01" in result.output and "2025-08-14" in result.output
    assert "Personnes jointes au moins une fois" in result.output
    result = cli("backtest", "2015")
    assert result.exit_code == 1 and "série refusée" in result.output


def test_declared_hazards_and_bad_ones(cli, city):
    result = cli("declare", "--hazard", "storm", "--level", "3", "--from", "2026-01-10", "--to", "2026-01-11")
    assert result.exit_code == 0 and "2 jour(s)" in result.output
    assert {a.day for a in service.other_alerts(city.engine) if a.hazard == "storm"} == {"2026-01-10", "2026-01-11"}
    result = cli("declare", "--hazard", "tsunami", "--level", "3", "--from", "2026-01-10", "--to", "2026-01-11")
    assert result.exit_code == 2 and "hazard must be one of" in result.output


def test_registry_load_checks_every_line_first(cli, city, tmp_path):
    before = service.registered_ids(city.engine)
    scores = service.scores_frame(city.scores)
    new = scores.loc[~scores["person_id"].isin(before), "person_id"].iloc[:2].tolist()
    bad = tmp_path / "reflex.csv"
    bad.write_text(f"person_id\n{new[0]}\nPinconnu\n{new[1]}\n", encoding="utf-8")
    result = cli("registry", "load", str(bad))
    assert result.exit_code == 2 and "line 3: person 'Pinconnu' is not in the population" in result.output
    assert service.registered_ids(city.engine) == before
    good = tmp_path / "reflex-ok.csv"
    good.write_text(f"person_id\n{new[0]}\n{new[1]}\n", encoding="utf-8")
    result = cli("registry", "load", str(good))
    assert result.exit_code == 0 and "2 nouvelles inscriptions" in result.output


def test_dashboard_and_plan_commands(cli):
    result = cli("plan", "2003-07-01")
    assert result.exit_code == 2 and "pas d'alerte canicule le 2003-07-01" in result.output and "--force" in result.output
    result = cli("dashboard", "2003-08-04")
    assert result.exit_code == 0 and "Paris" in result.output and "niveau rouge" in result.output
