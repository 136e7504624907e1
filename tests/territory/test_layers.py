import numpy as np
import pandas as pd
import pytest

from recoque.core.errors import UnknownNameError
from recoque.core.layers import layer_spec, read_layer_specs
from recoque.territory.layers import (
    ARRONDISSEMENT_FUNCTIONS,
    LAYER_FUNCTIONS,
    TERRITORY_LAYERS,
    aggregate,
    green_share,
    iris_layers,
)
from recoque.territory.model import PARAMETERS


@pytest.fixture(scope="module")
def values(territory):
    return iris_layers(territory)


def test_every_declared_layer_has_a_function_and_back():
    specs = read_layer_specs(TERRITORY_LAYERS)
    assert set(specs) == set(LAYER_FUNCTIONS) | set(ARRONDISSEMENT_FUNCTIONS)
    assert not set(LAYER_FUNCTIONS) & set(ARRONDISSEMENT_FUNCTIONS)
    for layer_id, spec in specs.items():
        if layer_id in ARRONDISSEMENT_FUNCTIONS:
            assert spec.levels == ("arrondissement",) and spec.aggregation == "none"
        else:
            assert spec.levels == ("arrondissement", "quartier", "iris")
            assert spec.aggregation in {"sum", "area_mean", "population_mean", "density"}
        assert spec.source and spec.label_fr and spec.label_en and spec.unit


def test_unknown_layer_is_named():
    with pytest.raises(UnknownNameError, match="known layers"):
        layer_spec("nope")


def test_one_row_per_iris(territory, values):
    assert list(values.index) == list(territory.iris["code"])


def test_elderly_alone_match_the_census_file(territory, values):
    expected = territory.population["elderly_80_plus_alone"].sum()
    assert values["personnes_agees_seules"].sum() == pytest.approx(expected, abs=len(values) * 0.5)


def test_heat_classes(values):
    heat = values["exposition_chaleur"]
    assert set(heat.dropna().unique()) == {1.0, 2.0, 3.0}
    assert heat.isna().sum() == 5  # five IRIS have no LCZ class in the source


def test_trees_are_counted_where_they_stand(territory, values):
    inside = territory.trees.within(territory.iris.union_all()).sum()
    assert values["arbres"].sum() == inside
    assert values["arbres"].max() > 50


def test_green_share_conserves_each_arrondissement_green_area(territory):
    share = pd.Series(green_share(territory), index=territory.iris.index)
    area = territory.iris.geometry.area
    urban = territory.iris["kind"] == "urban"
    gs = territory.green_spaces
    in_5th = gs["Code postal"].astype(str) == "75005"
    expected = gs.loc[in_5th, PARAMETERS["green_spaces"]["area_column"]].sum()
    fifth = urban & (territory.iris["arrondissement"] == "75105")
    assert (share[fifth] * area[fifth]).sum() == pytest.approx(expected, rel=1e-6)
    assert (share[territory.iris["kind"] == "wood"] == 1.0).all()
    assert (share[territory.iris["kind"] == "water"] == 0.0).all()


def test_flood_zone_share_follows_the_seine(territory, values):
    flood = values["zone_inondable"]
    assert flood.between(0, 100).all()
    # the 20th (Belleville, Ménilmontant) lies far above the 1910 waters; the 7th along the Seine
    by_arr = flood.groupby(territory.iris["arrondissement"].to_numpy()).mean()
    assert by_arr["75120"] == 0.0
    assert by_arr["75107"] > 20.0


def test_cool_places_nearby_counts_points_within_the_radius(territory, values):
    radius = PARAMETERS["cool_places"]["radius_m"]
    i = int(np.argmax(values["lieux_frais_500m"].to_numpy()))
    point = territory.iris.geometry.iloc[i].representative_point()
    brute = int((territory.cool_places.distance(point) <= radius).sum())
    assert values["lieux_frais_500m"].iloc[i] == brute


@pytest.mark.parametrize("level", ["quartier", "arrondissement"])
def test_sums_are_conserved_across_levels(territory, values, level):
    agg = aggregate(territory, values, level)
    assert list(agg.index) == list(territory.units(level)["code"])
    for layer in ("population", "personnes_agees_seules", "arbres"):
        assert agg[layer].sum() == pytest.approx(values[layer].sum())


def test_density_is_residents_over_area(territory, values):
    agg = aggregate(territory, values, "arrondissement")
    area_km2 = territory.iris.geometry.area.groupby(territory.iris["arrondissement"].to_numpy()).sum() / 1e6
    pop = values["population"].groupby(territory.iris["arrondissement"].to_numpy()).sum()
    assert agg.loc["75111", "densite"] == pytest.approx(pop["75111"] / area_km2["75111"])
    # the 11th is the densest arrondissement of Paris
    assert agg["densite"].idxmax() == "75111"


def test_area_means_stay_within_their_iris_range(territory, values):
    agg = aggregate(territory, values, "arrondissement")
    for layer in ("zone_inondable", "espaces_verts", "exposition_chaleur"):
        assert agg[layer].min() >= values[layer].min() - 1e-9
        assert agg[layer].max() <= values[layer].max() + 1e-9


def test_unknown_level_is_refused(territory, values):
    with pytest.raises(UnknownNameError):
        aggregate(territory, values, "region")


def test_arrondissement_indicators_come_from_the_postcode_tables(territory, values):
    agg = aggregate(territory, values, "arrondissement")
    # the 12th and 16th, with their woods, are the least heat-vulnerable at night
    night = agg["vulnerabilite_chaleur_nuit"]
    assert set(night.nsmallest(2).index) == {"75112", "75116"}
    assert agg["zone_inondable_zini"].between(0, 100).all()
    assert agg.loc["75104", "zone_inondable_zini"] == pytest.approx(51.46, abs=0.01)
    assert "vulnerabilite_chaleur_nuit" not in aggregate(territory, values, "quartier")
