"""The urban heat component and its scenarios: physics signs, bands, calibration report, edits,
and scenario files refused with their line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from recoque.core.settings import PROJECT_ROOT
from recoque.twin import heat_runs, scenarios
from recoque.twin.contract import make_grid
from recoque.twin.urban_heat import UrbanHeat

DATA = PROJECT_ROOT / "data"


def land(canopy=0.0, green=0.0, water=0.0, shape=(40, 40)):
    f = lambda v: (np.full(shape, v, dtype=np.float32), "1")  # noqa: E731
    return make_grid(shape, 25.0, canopy_fraction=f(canopy), green_fraction=f(green), water_fraction=f(water))


def test_trees_cool_more_than_lawns_and_bands_hold_the_value():
    paved, lawn, trees = UrbanHeat(land()), UrbanHeat(land(green=0.5)), UrbanHeat(land(canopy=0.5))
    night = lambda m: float(m.grid["air_temperature_anomaly_night"].mean())  # noqa: E731
    day = lambda m: float(m.grid["surface_temperature_anomaly_day"].mean())  # noqa: E731
    assert night(trees) < night(lawn) < night(paved) and day(trees) < day(lawn) < day(paved)
    # published contrast by day: dense paved fabric 10 K warmer than full tree cover
    assert day(paved) - day(UrbanHeat(land(canopy=1.0))) == pytest.approx(10.0, abs=0.01)
    for m in (paved, lawn, trees):
        for base in ("air_temperature_anomaly_night", "surface_temperature_anomaly_day"):
            mid, lo, hi = (m.grid[n].to_numpy() for n in (base, f"{base}_low", f"{base}_high"))
            assert (lo <= mid).all() and (mid <= hi).all()


@pytest.fixture(scope="module")
def territory():
    from recoque.territory import load_territory

    return load_territory(DATA)


def test_planting_trees_in_the_13th_cools_the_13th_only(territory):
    scenario = scenarios.parse('name: t\ncomponent: urban_heat\nresolution_m: 100\n'
                               'edits:\n  - plant_trees: {arrondissement: "75113", trees: 5000}\n')
    run = heat_runs.run(territory, DATA, scenario)
    assert run.edits == ["5\u202f000 arbres plantés (75113) : 15,0 ha de houppiers"]
    added = (run.grid["scenario_canopy_fraction"] - run.grid["canopy_fraction"]).sum().item() * 100 * 100
    assert added == pytest.approx(5000 * 30, rel=1e-3)
    arr = run.per_arrondissement.set_index("arrondissement")
    assert arr.loc["75113", "night_change_k_resident_weighted"] < -0.02
    assert abs(arr.loc["75119", "night_change_k_resident_weighted"]) < 1e-4
    assert arr.loc["75113", "residents_cooler"] > 0
    err = run.calibration["error"]
    assert set(err) >= {"accuracy", "balanced_accuracy", "recall_per_class", "majority_class_share"}
    assert 0 <= err["balanced_accuracy"] <= 1
    # each modelled field ranks the arrondissements as Institut Paris Région's note of its time of day
    assert err["spearman_night_model_with_night_hazard_per_arrondissement"] > 0.5
    assert err["spearman_day_model_with_day_hazard_per_arrondissement"] > 0.5
    assert run.calibration["night_k_per_m"] >= 0


def test_taller_fabric_keeps_nights_warmer_when_the_fit_says_so():
    low, tall = land(), land()
    for grid, metres in ((low, 10.0), (tall, 25.0)):
        grid["building_height"] = (("y", "x"), np.full((40, 40), metres, np.float32), {"units": "m"})
    night = lambda m: float(m.grid["air_temperature_anomaly_night"].mean())  # noqa: E731
    assert night(UrbanHeat(tall, night_k=0.05)) - night(UrbanHeat(low, night_k=0.05)) == pytest.approx(0.75, rel=1e-4)
    assert night(UrbanHeat(tall)) == pytest.approx(night(UrbanHeat(low)))   # k = 0: height plays no part


def test_green_roofs_cool_less_than_the_same_area_of_lawn():
    from recoque.twin.urban_heat import PARAMETERS

    roofs = land()
    roofs["roof_green_fraction"] = (("y", "x"), np.full((40, 40), 0.5, np.float32), {"units": "1"})
    paved, roofed, lawn = UrbanHeat(land()), UrbanHeat(roofs), UrbanHeat(land(green=0.5))
    night = lambda m: float(m.grid["air_temperature_anomaly_night"].mean())  # noqa: E731
    assert night(lawn) < night(roofed) < night(paved)   # cooler, but less than ground-level green
    p = PARAMETERS
    t, r = p["tree_cooling_k_per_percent"]["night"]["value"], p["green_vs_trees"]["value"]
    e = p["green_roof_street_efficiency"]["value"]
    # uniform land: the roofs cool by (t / r) · 100 · e · share, the roofs leave the built share as it is
    assert night(paved) - night(roofed) == pytest.approx(t / r * 100 * e * 0.5, rel=1e-4)
    lo, hi = (roofed.grid[f"air_temperature_anomaly_night_{b}"].to_numpy() for b in ("low", "high"))
    assert (lo <= roofed.grid["air_temperature_anomaly_night"].to_numpy()).all() and (lo < hi).all()


def test_green_roofs_where_the_building_layer_has_footprints(territory):
    from recoque.twin.facilities import buildings

    scenario = scenarios.read(PROJECT_ROOT / "scenarios" / "toitures-vegetalisees.yaml")
    run = heat_runs.run(territory, DATA, scenario)
    (message,) = run.edits
    assert message.startswith("9 toitures végétalisées (75113") and "335 volumes" in message
    volumes = buildings(DATA)
    roofs = volumes.groupby("parcel")["footprint_m2"].sum()
    expected = 0.6 * roofs[roofs >= 200].sum()   # 60 % of the roofs of the parcels with ≥ 200 m² of footprint
    planted = float(run.grid["scenario_roof_green_fraction"].sum()) * 10 * 10
    assert planted == pytest.approx(expected, rel=0.05)
    day = run.grid["change_surface_temperature_anomaly_day"].to_numpy()
    assert np.nanmin(day) < -0.01 and np.nanmax(day) <= 1e-6
    arr = run.per_arrondissement.set_index("arrondissement")
    assert arr.loc["75113", "day_change_k"] < 0 and abs(arr.loc["75119", "day_change_k"]) < 1e-6


@pytest.mark.parametrize("text, message", [
    ("name: x\ncomponent: urban_heat\nedits:\n  - plant_trees: {arrondissement: '75113', trees: 5, colour: vert}\n",
     r"line 4: edits.0.plant_trees.colour: unknown field"),
    ("name: x\ncomponent: urban_heat\nedits:\n  - plant_trees: {arrondissement: '75121', trees: 5}\n",
     r"line 4: .*'75121' is outside Paris"),
    ("name: x\ncomponent: urban_heat\nresolution_m: 25 km\n", r"line 3: resolution_m: Input should be a valid number"),
    ("name: x\ncomponent: seine_flood\nseine: {scenario: '1910'}\nhours: 2000\n", r"line 4: hours: .*less than or equal to 1440"),
    ("name: x\ncomponent: seine_flood\nseine: {scenario: '1910', stage_m: 3}\n", r"line 3: seine: .*exactly one of"),
    ("name: x\ncomponent: seine_flood\n", r"needs seine"),
    ("name: x\ncomponent: seine_flood\nseine: {stage_m: 8}\nedits:\n  - green_schoolyards: {}\n", r"line 5: edits: only for"),
    ("name: x\ncomponent: snow\n", r"line 2: component"),
    ("name: x\ncomponent: urban_heat\nbackend: cuda\n", r"line 3: backend: only for component seine_flood"),
    ("name: x\ncomponent: seine_flood\nseine: {stage_m: 8}\nbackend: tpu\n", r"line 4: backend: Input should be 'cpu' or 'cuda'"),
    ("name: [x\n", r"line 2: not valid YAML|line 1: not valid YAML"),
])
def test_bad_scenario_files_name_the_line(text, message):
    with pytest.raises(scenarios.ScenarioFileError, match=message):
        scenarios.parse(text, "s.yaml")


def test_a_run_that_would_not_fit_is_refused_up_front(monkeypatch):
    scenario = scenarios.parse("name: x\ncomponent: urban_heat\nresolution_m: 5\n")
    assert scenarios.memory_estimate_gib(scenario) > 1
    monkeypatch.setattr(scenarios, "MEMORY_BUDGET_GIB", 1.0)
    with pytest.raises(scenarios.ScenarioFileError, match=r"needs about 1\.\d GiB, more than the 1 GiB budget"):
        scenarios.check_fits(scenario)


def test_twin_run_and_compare_from_the_cli(tmp_path, cli_env):
    from recoque.cli import app

    runner = CliRunner()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncomponent: urban_heat\nedits:\n  - plant_trees: {arrondissement: '75000', trees: 5}\n")
    result = runner.invoke(app, ["twin", "run", str(bad)])
    assert result.exit_code == 2 and "line 4" in result.output and "outside Paris" in result.output
    utf16 = tmp_path / "utf16.yaml"  # what a Windows editor may save
    utf16.write_text("name: x\ncomponent: urban_heat\n", encoding="utf-16")
    result = runner.invoke(app, ["twin", "run", str(utf16)])
    assert result.exit_code == 2 and "not UTF-8 text (it looks like UTF-16" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    ids = []
    for text in ("name: A\ncomponent: urban_heat\nresolution_m: 100\nedits:\n  - plant_trees: {arrondissement: '75113', trees: 5000}\n",
                 "name: B\ncomponent: urban_heat\nresolution_m: 100\nedits:\n  - green_schoolyards: {arrondissement: '75113'}\n"):
        path = tmp_path / "s.yaml"
        path.write_text(text)
        result = runner.invoke(app, ["twin", "run", str(path)])
        assert result.exit_code == 0, result.output
        ids.append(result.output.split("Simulation ")[1].split()[0])
    result = runner.invoke(app, ["twin", "compare", *ids])
    assert result.exit_code == 0 and "75113" in result.output and "Côte à côte" in result.output
    assert len(list(Path(cli_env / "twin" / "runs").glob("*/heat.nc"))) == 2


def test_dask_tiles_give_the_in_memory_result(monkeypatch):
    """Every field of the model, night and day, central and band, tiled or whole: the same values.
    A grid over the threshold is tiled on its own."""
    from recoque.twin import urban_heat as uh_module

    rng = np.random.default_rng(4)
    shape = (300, 420)
    canopy = rng.uniform(0, 0.4, shape).astype(np.float32)
    green = rng.uniform(0, 0.3, shape).astype(np.float32)
    water = np.zeros(shape, np.float32)
    water[140:150] = 1.0
    height = rng.uniform(0, 30, shape).astype(np.float32)

    def grid():
        return make_grid(shape, 25.0, canopy_fraction=(canopy, "1"), green_fraction=(green, "1"),
                         water_fraction=(water, "1"), building_height=(height, "m"))

    whole = UrbanHeat(grid(), night_a=2.5, night_b=3.5, night_k=0.02)
    tiled = UrbanHeat(grid(), night_a=2.5, night_b=3.5, night_k=0.02, tile=64)  # 5 × 7 tiles
    assert whole.tile is None and tiled.tile == 64
    for name in ("air_temperature_anomaly_night", "air_temperature_anomaly_night_low",
                 "air_temperature_anomaly_night_high", "surface_temperature_anomaly_day",
                 "surface_temperature_anomaly_day_low", "surface_temperature_anomaly_day_high"):
        assert np.abs(tiled.grid[name].to_numpy() - whole.grid[name].to_numpy()).max() < 1e-4, name
    monkeypatch.setattr(uh_module, "TILE_OVER_CELLS", 100_000)  # 126,000 cells: over it
    assert UrbanHeat(grid(), night_a=2.5).tile == uh_module.TILE
