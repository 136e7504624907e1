import numpy as np
import pytest
import shapely
import xarray as xr

from recoque.core.errors import RecoqueError
from recoque.territory.grid import _tree_crowns, rasterise, write_grid
from recoque.territory.layers import green_share


@pytest.fixture(scope="module")
def grid25(territory):
    return rasterise(territory, resolution_m=25.0)


def test_grid_shape_crs_and_fields(territory, grid25):
    g = grid25
    assert g.attrs["crs"] == "EPSG:2154" and g.attrs["resolution_m"] == 25.0
    xmin, ymin, xmax, ymax = territory.bounds
    assert g.x.min() - 12.5 <= xmin and g.x.max() + 12.5 >= xmax
    assert g.y.min() - 12.5 <= ymin and g.y.max() + 12.5 >= ymax
    assert np.allclose(np.diff(g.x), 25.0) and np.allclose(np.diff(g.y), -25.0)
    for name in ("canopy_fraction", "green_fraction", "water_fraction"):
        assert g[name].dtype == np.float32
        assert float(g[name].min()) >= 0.0 and float(g[name].max()) <= 1.0
    assert g["iris_id"].dtype == np.int32 and g.sizes["iris"] == 992


def test_water_fraction_conserves_the_river_area(territory, grid25):
    expected = territory.iris.geometry.area[territory.iris["kind"] == "water"].sum()
    assert float(grid25["water_fraction"].sum()) * 625.0 == pytest.approx(expected, rel=0.01)


def test_green_fraction_conserves_green_area(territory, grid25):
    expected = float((green_share(territory) * territory.iris.geometry.area).sum())
    assert float(grid25["green_fraction"].sum()) * 625.0 == pytest.approx(expected, rel=0.01)


def test_canopy_fraction_matches_the_crowns_area(territory, grid25):
    # some City trees stand in Parisian cemeteries outside Paris, hence outside the grid
    extent = shapely.box(float(grid25.x.min()) - 12.5, float(grid25.y.min()) - 12.5,
                         float(grid25.x.max()) + 12.5, float(grid25.y.max()) + 12.5)
    expected = shapely.intersection(shapely.union_all(_tree_crowns(territory)), extent).area
    assert float(grid25["canopy_fraction"].sum()) * 625.0 == pytest.approx(expected, rel=0.03)


def test_ids_agree_with_each_other(territory, grid25):
    iris_id = grid25["iris_id"].to_numpy()
    arr_id = grid25["arrondissement_id"].to_numpy()
    inside = (iris_id >= 0) & (arr_id > 0)
    codes = grid25["iris_code"].to_numpy()[iris_id[inside]]
    arr_of_iris = np.array([int(c[3:5]) for c in codes])
    assert (arr_of_iris == arr_id[inside]).mean() > 0.98
    assert ((iris_id >= 0).sum() * 625.0) == pytest.approx(territory.iris.geometry.area.sum(), rel=0.01)


def test_population_density_integrates_to_the_population(territory, grid25):
    cells = grid25["population_density"].to_numpy()
    total = np.nansum(cells) * 625.0 / 1e6
    assert total == pytest.approx(territory.population["population"].sum(), rel=0.02)
    assert np.isnan(cells[grid25["iris_id"].to_numpy() < 0]).all()


def test_five_metre_grid(territory):
    g = rasterise(territory, resolution_m=5.0)
    assert g.sizes["x"] > 3500 and g.sizes["y"] > 1900
    assert float(g["water_fraction"].sum()) * 25.0 == pytest.approx(
        territory.iris.geometry.area[territory.iris["kind"] == "water"].sum(), rel=0.01)


@pytest.mark.parametrize("resolution", [0.0, -5.0, float("nan"), 5000.0])
def test_bad_resolution_is_refused(territory, resolution):
    with pytest.raises(RecoqueError, match="resolution"):
        rasterise(territory, resolution_m=resolution)


def test_netcdf_round_trip(tmp_path, territory):
    g = rasterise(territory, resolution_m=100.0)
    path = tmp_path / "g.nc"
    write_grid(g, path)
    back = xr.open_dataset(path, engine="scipy")
    assert back.attrs["crs"] == "EPSG:2154"
    np.testing.assert_array_equal(back["iris_id"].to_numpy(), g["iris_id"].to_numpy())
    np.testing.assert_allclose(back["green_fraction"].to_numpy(), g["green_fraction"].to_numpy())
