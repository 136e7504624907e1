"""The `recoque` command: every command works, fails clearly, and is documented."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer.main
from typer.testing import CliRunner

from recoque.cli import app
from recoque.core.settings import PROJECT_ROOT, get_settings
from recoque.core.store import get_engine
from recoque.territory.sources import source_path

runner = CliRunner()


@pytest.fixture
def env(monkeypatch, tmp_path):
    """Point the CLI at a throwaway var/ (and optionally another data dir)."""
    monkeypatch.setenv("RECOQUE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("RECOQUE_ENVIRONMENT", "test")
    monkeypatch.setenv("RECOQUE_FOOTPRINT_METER", "cpu-time")

    def use_data(path):
        monkeypatch.setenv("RECOQUE_DATA_DIR", str(path))
        get_settings.cache_clear()
        get_engine.cache_clear()

    get_settings.cache_clear()
    get_engine.cache_clear()
    yield use_data
    get_settings.cache_clear()
    get_engine.cache_clear()


def _all_commands() -> list[tuple[str, ...]]:
    root = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(cmd, path: tuple[str, ...]) -> None:
        found.append(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, path + (name,))

    walk(root, ())
    return found


def test_territory_info(env):
    result = runner.invoke(app, ["territory", "info"])
    assert result.exit_code == 0, result.output
    assert "992" in result.output and "contrôles passés" in result.output


def test_build_twice_then_nothing_to_do(env):
    first = runner.invoke(app, ["territory", "build"])
    assert first.exit_code == 0 and "Territoire construit" in first.output
    second = runner.invoke(app, ["territory", "build"])
    assert second.exit_code == 0 and "rien à reconstruire" in second.output


def test_grid_command_writes_netcdf(env, tmp_path):
    out = tmp_path / "grid.nc"
    result = runner.invoke(app, ["territory", "grid", "--resolution", "200", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and "Grille écrite" in result.output


def test_grid_refuses_a_bad_resolution(env):
    result = runner.invoke(app, ["territory", "grid", "--resolution", "0"])
    assert result.exit_code == 2
    assert "resolution" in result.output.lower()


def test_up_stops_on_bad_data_and_names_the_file(env, copied_data):
    env(copied_data)
    path = source_path(copied_data, "fountains")
    path.write_text("[{", encoding="utf-8")
    result = runner.invoke(app, ["up", "--port", "1"])
    assert result.exit_code == 2
    assert "fontaines_a_boire_paris.json" in result.output and "malformed JSON" in result.output
    # nothing half-written: no build recorded, no artifact folder left
    from recoque.territory.service import latest_build

    assert latest_build(get_engine()) is None
    assert not any((get_settings().var_dir / "territory").glob("*"))


@pytest.mark.parametrize("path", _all_commands(), ids=lambda p: " ".join(p) or "recoque")
def test_every_command_has_help_and_docs(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    docs = (PROJECT_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    if path:
        assert f"`recoque {' '.join(path)}`" in docs


def test_cli_reference_is_up_to_date(tmp_path):
    out = tmp_path / "cli.md"
    subprocess.run([sys.executable, "-m", "typer", "recoque.cli", "utils", "docs", "--name", "recoque",
                    "--title", "Recoque command line", "--output", str(out)], check=True,
                   capture_output=True)
    assert out.read_text() == (PROJECT_ROOT / "docs" / "cli.md").read_text(), (
        "docs/cli.md is stale: run `make docs`"
    )


def test_population_build_validate_info_and_load_errors(env, tmp_path):
    assert runner.invoke(app, ["territory", "build"]).exit_code == 0
    built = runner.invoke(app, ["population", "build", "--scale", "0.01", "--seed", "5"])
    assert built.exit_code == 0, built.output
    assert "Population construite" in built.output and "personnes/s" in built.output
    validated = runner.invoke(app, ["population", "validate"])
    assert validated.exit_code == 0 and "validation.json" in validated.output
    info = runner.invoke(app, ["population", "info"])
    assert info.exit_code == 0 and "graine 5" in info.output
    bad = tmp_path / "persons.csv"
    bad.write_text("person_id,age\nP1,-4\n")
    refused = runner.invoke(app, ["population", "load", str(bad), "--households", str(bad)])
    assert refused.exit_code == 2 and "nothing was loaded" in refused.output


def test_population_schema_reference_is_up_to_date():
    result = runner.invoke(app, ["population", "schema"])
    assert result.exit_code == 0
    assert result.output == (PROJECT_ROOT / "docs" / "population-schema.md").read_text(encoding="utf-8"), (
        "docs/population-schema.md is stale: run `make docs`"
    )


def test_journal_verify_and_register_export(env):
    verified = runner.invoke(app, ["journal", "verify"])
    assert verified.exit_code == 0 and "Journal intègre" in verified.output and "Aucune tête signée" in verified.output
    published = runner.invoke(app, ["journal", "publish"])
    assert published.exit_code == 0 and "Tête publiée : 0 entrées" in published.output, published.output
    again = runner.invoke(app, ["journal", "verify"])
    assert again.exit_code == 0 and "Aucune tête signée" not in again.output
    csv_out = runner.invoke(app, ["register", "export", "--format", "csv"])
    assert csv_out.exit_code == 0 and csv_out.output.startswith("id,name,version")
    assert "synthetic-population" in csv_out.output
    json_out = runner.invoke(app, ["register", "export"])
    assert json_out.exit_code == 0 and '"general_information"' in json_out.output
    assert runner.invoke(app, ["register", "export", "--format", "xml"]).exit_code == 2
    listed = runner.invoke(app, ["register", "list"])
    assert listed.exit_code == 0 and "territory-indicators" in listed.output
