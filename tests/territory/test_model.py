import geopandas as gpd
import pytest
from pyproj import CRS

from recoque.core.errors import CRSMismatchError, UnknownNameError
from recoque.territory import LEVELS
from recoque.territory.sources import LAMBERT93, require_crs


def test_counts_match_the_published_ones(territory):
    assert [len(territory.units(level)) for level in LEVELS] == [20, 80, 992]


def test_every_layer_is_in_lambert93(territory):
    for name in ("arrondissements", "quartiers", "iris", "trees", "cool_places", "fountains", "ppri", "communes_idf"):
        assert CRS.from_user_input(getattr(territory, name).crs).equals(LAMBERT93), name


def test_paris_bounds_are_metres_in_lambert93(territory):
    xmin, ymin, xmax, ymax = territory.bounds
    assert 640_000 < xmin < xmax < 665_000
    assert 6_855_000 < ymin < ymax < 6_870_000
    # Paris is about 105 km² with both woods
    assert territory.arrondissements.area.sum() / 1e6 == pytest.approx(105.4, abs=1.0)


def test_iris_carry_arrondissement_and_quartier(territory):
    iris = territory.iris
    assert iris["arrondissement"].isin(territory.arrondissements["code"]).all()
    assert iris["quartier"].notna().all()
    # a quartier's IRIS belong to the quartier's arrondissement
    arr_of_quartier = territory.quartiers.set_index("code")["arrondissement"]
    assert (iris["quartier"].map(arr_of_quartier) == iris["arrondissement"]).mean() > 0.99


def test_water_and_wood_iris_are_recognised(territory):
    kinds = territory.iris["kind"].value_counts()
    assert kinds["water"] == 23 and kinds["wood"] == 5
    assert territory.iris.loc[territory.iris["kind"] == "water", "name"].str.startswith("Seine").all()


def test_combining_layers_across_crs_raises(territory):
    with pytest.raises(CRSMismatchError, match="to_crs"):
        require_crs(territory.iris.to_crs(4326), LAMBERT93, "IRIS")


def test_territory_refuses_a_layer_in_another_crs(territory):
    from dataclasses import replace

    with pytest.raises(CRSMismatchError, match="fountains"):
        replace(territory, fountains=territory.fountains.to_crs(4326))


def test_unknown_level_is_named(territory):
    with pytest.raises(UnknownNameError, match="commune"):
        territory.units("commune")


def test_trees_are_deduplicated_points(territory):
    trees = territory.trees
    assert isinstance(trees, gpd.GeoDataFrame)
    assert trees["tree_id"].is_unique
    assert (trees.geometry.geom_type == "Point").all()
    assert len(trees) > 10_000
