"""Seine flood scenarios: the terrain filter, connectivity (a basin behind a levee stays dry), the
counts of people and places under water, and a real run on the bundled data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from recoque.core.settings import PROJECT_ROOT
from recoque.twin import seine
from recoque.twin.terrain import BOX

DATA_DIR = PROJECT_ROOT / "data"


def test_terrain_filter_removes_buildings_and_keeps_the_ground():
    rng = np.random.default_rng(0)
    ground = 30 + np.linspace(0, 3, 60)[None, :] + np.zeros((60, 60))
    dsm = ground.copy()
    for _ in range(40):   # 40 buildings of 60–90 m side, 12–25 m high
        y, x, s = rng.integers(0, 55), rng.integers(0, 55), rng.integers(2, 4)
        dsm[y:y + s, x:x + s] += rng.uniform(12, 25)
    dtm = seine.terrain_model(dsm, 30.0)
    assert (dtm <= dsm + 1e-12).all()
    assert np.median(np.abs(dtm - ground)) < 0.5 and np.percentile(np.abs(dtm - ground), 95) < 3.0


def synthetic_domain() -> seine.Domain:
    """A river along the south edge at 25 m, a floodplain at 30 m, a levee at 40 m, a basin at
    29 m behind it."""
    dtm = np.full((40, 60), 30.0)
    river = np.zeros_like(dtm, dtype=bool)
    river[:3] = True
    dtm[river] = 24.0
    dtm[:, 40] = 40.0        # the levee, from the river to the north edge
    dtm[3:, 41:] = 29.0      # the basin behind it, lower than the floodplain
    dtm[:3, 40:] = 40.0      # the levee closes the river too
    river[:3, 40:] = False
    inside = np.ones_like(river)
    ppri = np.zeros_like(river)
    ppri[3:20, :40] = True
    return seine.Domain(30.0, dtm.copy(), dtm, river, ppri, inside)


def test_water_spreads_where_it_can_reach_and_not_behind_a_levee():
    d = synthetic_domain()
    zero = seine.PARAMETERS["austerlitz_scale_zero_m"]["value"]
    r = seine.run_stage(d, 31.0 - zero, hours=1.0, sloping=False)   # a synthetic valley held at one level: 31 m
    plain = r.max_depth[3:, :40]
    basin = r.max_depth[3:, 41:]
    assert (plain > 0.5).mean() > 0.95 and 0.95 < plain.max() < 1.1   # 1 m, plus the filling wave's overshoot
    assert basin.max() == 0.0   # 2 m below the flood level, but behind a levee: dry (no bathtub)
    assert r.mass_error < 1e-6
    assert r.report["share_of_ppri_flooded"] == 1.0 and 0 < r.report["iou_with_ppri"] < 1
    with pytest.raises(seine.ScenarioError, match="outside 0–15 m"):
        seine.run_stage(d, 20.0, hours=1.0)


def test_water_that_arrives_underground_is_reported_apart(monkeypatch):
    d = synthetic_domain()
    zero = seine.PARAMETERS["austerlitz_scale_zero_m"]["value"]
    r = seine.run_stage(d, 31.0 - zero, hours=1.0, sloping=False)
    # the basin behind the levee, 2 m below the water: reached through the sewers and cellars
    # within 1 km of the river (up to row 30 and column 50: ≤ 0.9 km), never over the levee; beyond, dry
    assert r.max_depth[3:, 41:].max() == 0.0 and r.underground[3:31, 41:51].all()
    assert not r.underground[36:, 41:].any()   # 1.0–1.1 km away
    assert not r.underground[:, :40].any()   # the floodplain is flooded at the surface, not counted twice
    u = r.report["underground"]
    assert u["km2"] == round(float(r.underground.sum()) * 0.03 ** 2, 2) and u["km2"] > 28 * 19 * 0.03 ** 2
    assert u["flooded_with_underground_km2"] == pytest.approx(r.report["flooded_km2"] + u["km2"], abs=0.011)
    spec = seine.PARAMETERS["underground"]["reach_m"]
    monkeypatch.setitem(spec, "value", 30.0)   # the collectors reach 30 m only: the basin stays dry
    assert not seine.run_stage(d, 31.0 - zero, hours=1.0, sloping=False).underground.any()


def test_people_and_places_under_water_are_counted():
    d = synthetic_domain()
    zero = seine.PARAMETERS["austerlitz_scale_zero_m"]["value"]
    r = seine.run_stage(d, 31.0 - zero, hours=1.0)
    wet_xy = (BOX[0] + 10 * 30 + 15, BOX[1] + 10 * 30 + 15)     # row 10, col 10: floodplain
    dry_xy = (BOX[0] + 50 * 30 + 15, BOX[1] + 10 * 30 + 15)     # behind the levee
    persons = pd.DataFrame({"x": [wet_xy[0], wet_xy[0], dry_xy[0]], "y": [wet_xy[1], wet_xy[1], dry_xy[1]],
                            "arrondissement": ["75115", "75115", "75116"], "iris": ["751155901", "751155901", "751166101"],
                            "age": [80, 30, 80],
                            "living_alone": [True, False, True], "disability": [False, True, False],
                            "bedridden": [False, False, False], "dependency_gir": [0, 0, 2]})
    places = pd.DataFrame({"x": [wet_xy[0], dry_xy[0]], "y": [wet_xy[1], dry_xy[1]], "name": ["Piscine A", "Musée B"]})
    schools = pd.DataFrame({"x": [dry_xy[0], wet_xy[0]], "y": [dry_xy[1], wet_xy[1]], "name": ["Collège C", "Collège D"]})
    a = seine.affected(r, persons, places, 30.0, schools)
    assert a["per_arrondissement"] == {"75115": {"residents": 2, "alone_75": 1, "vulnerable": 1}}
    assert a["cool_places_flooded"] == ["Piscine A"] and a["schools_flooded"] == ["Collège D"]
    assert a["per_iris_top"] == {"751155901": 2}


def test_scenarios_by_name_or_stage():
    assert seine.scenario_stage("1910", None) == ("Seine 1910", 8.62)
    assert seine.scenario_stage(None, 6.1)[1] == 6.1
    with pytest.raises(seine.ScenarioError, match="unknown scenario '1899'"):
        seine.scenario_stage("1899", None)
    with pytest.raises(seine.ScenarioError, match="not both"):
        seine.scenario_stage("1910", 8.0)


def test_a_real_run_on_the_bundled_terrain_from_the_cli(tmp_path, cli_env):
    """1910 at 200 m for one hour, no population: the run is stored with its digests and footprint."""
    from recoque.cli import app

    runner = CliRunner()
    bad = runner.invoke(app, ["twin", "seine", "--scenario", "1899"])
    assert bad.exit_code == 2 and "unknown scenario" in bad.output
    both = runner.invoke(app, ["twin", "seine", "--scenario", "1910", "--hydrograph", "1910"])
    assert both.exit_code == 2 and "one drive of the river" in both.output
    from recoque.twin import flood_cuda

    if not flood_cuda.available():
        gpu = runner.invoke(app, ["twin", "seine", "--scenario", "1910", "--resolution", "200", "--backend", "cuda"])
        assert gpu.exit_code == 2 and "needs a CUDA GPU" in gpu.output
    png = tmp_path / "1910.png"
    result = runner.invoke(app, ["twin", "seine", "--scenario", "1910", "--hours", "1", "--resolution", "200",
                                 "--map", str(png)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Zone inondée dans Paris" in result.output and "Pas de population" in result.output
    # each realism component on and off, side by side, with the PPRI and per arrondissement
    assert "composant par composant" in result.output
    for row in ("tout", "sous-sols", "niveau plat", "ouverture unique"):
        assert row in result.output, row
    from PIL import Image

    from recoque.twin.maps import EXTENT
    image = np.asarray(Image.open(png).convert("RGB"))
    found = {key for key, (_label, colour) in EXTENT.items() if (image == colour).all(axis=2).sum() > 20}
    assert {"both", "model", "ppri"} <= found, found
    runs = list(Path(cli_env / "twin" / "runs").glob("*/flood.nc"))
    assert len(runs) == 1
    import xarray as xr

    ds = xr.open_dataset(runs[0])
    assert float(ds["max_depth"].max()) > 1.0 and ds.attrs["crs"] == "EPSG:2154"


def test_a_rising_and_falling_river_gives_arrival_times_and_durations():
    d = synthetic_domain()
    d.dtm[3:, :40] = 30.0 + np.linspace(0, 1.5, 37)[:, None]   # the floodplain rises away from the river
    zero = seine.PARAMETERS["austerlitz_scale_zero_m"]["value"]
    at = np.array([0.0, 2.0, 4.0])
    stages = np.array([29.0, 31.2, 29.0]) - zero   # up 2.2 m in 2 h, down in 2 h
    r = seine.run_hydrograph(d, at, stages, 4.0)
    near, far = r.arrival_s[5, 10], r.arrival_s[25, 10]
    assert 0 < near < far   # the water reaches the low ground first
    assert r.arrival_s[38, 10] == -1   # above the peak level: never flooded
    assert 0 < r.wet_s[5, 10] < 4 * 3600 and r.wet_s[5, 10] > r.wet_s[25, 10]
    assert r.mass_error < 1e-6 and r.report["first_flooding_h"] > 0


def test_discharge_through_the_stated_rating_curve():
    assert seine.rating_stage(np.array([150.0, 2400.0])) == pytest.approx([1.0, 8.62])
    hours, stages = seine.discharge_hydrograph(DATA_DIR, "1910-01-15", "1910-02-15")
    assert hours[0] == 0 and hours[-1] == 31 * 24 and len(stages) == 32
    assert stages.max() == pytest.approx(float(seine.rating_stage(np.array([2050.76]))[0]), rel=1e-3)
    with pytest.raises(seine.ScenarioError, match="covers 1852"):
        seine.discharge_hydrograph(DATA_DIR, "2020-01-01", "2020-02-01")
    at, st = seine.triangle_hydrograph("1910")
    assert at.tolist() == [0, 240, 1080] and st.max() == 8.62


def test_buildings_are_obstacles_where_footprints_exist():
    heights = seine.building_heights(DATA_DIR, (1500, 2300), 10.0)
    raised = heights > 0
    assert 100 < raised.sum() < 2000   # one block of the 13e, about 340 m × 260 m
    assert heights.max() == 3.0 * (11 + 1)   # the tallest volume: 11 floors
    rows, cols = np.nonzero(raised)
    x = BOX[0] + (cols + 0.5) * 10.0
    y = BOX[1] + (rows + 0.5) * 10.0
    # every raised cell lies inside the sample's Lambert-93 footprint (13e, quartier de la Gare)
    assert 654_600 <= x.min() and x.max() <= 654_945 and 6_858_645 <= y.min() and y.max() <= 6_858_910


def test_voids_of_the_surface_model_are_filled_to_the_ground_around_them():
    dsm = np.full((30, 30), 35.0)
    dsm[:, :3] = 26.0                    # the river, at low water
    river = np.zeros_like(dsm, dtype=bool)
    river[:, :3] = True
    dsm[12:16, 12:16] = 0.0              # a void of the radar model, 4 × 4 cells
    dsm[11, 11:17] = dsm[16, 11:17] = 17.0   # blended with it by the resampling
    filled = seine.fill_voids(dsm, river, low=26.92)
    assert (filled[12:16, 12:16] == 35.0).all() and (filled[11, 11:17] == 35.0).all()
    assert (filled[river] == 26.0).all() and (filled[:, 3:] >= 26.92).all()


def test_flooded_shares_are_compared_with_the_zini_shares_per_arrondissement():
    zini = pd.Series({"75104": 0.5, "75115": 0.4, "75120": 0.0, "75101": 0.3})
    agreement = seine.zini_agreement({"75104": 0.45, "75115": 0.30, "75120": 0.01, "75101": 0.2}, zini)
    assert agreement["spearman"] == 1.0 and agreement["mean_absolute_difference"] == pytest.approx(0.065, abs=1e-3)
    assert agreement["per_arrondissement"]["75115"] == {"modelled": 0.3, "zini": 0.4}
    flat = seine.zini_agreement({"75104": 0.0, "75115": 0.0, "75120": 0.0}, zini)
    assert flat["spearman"] is None   # nothing flooded: no ranking to compare
