"""The synthetic population: its invariants, its calibration, its reproducibility."""

import pandas as pd
import pytest
import shapely

from recoque.population.schema import HOUSEHOLDS, PERSONS


def test_records_follow_the_schema(small):
    HOUSEHOLDS.validate(small.households.astype({c: str for c in ("iris", "arrondissement")}), lazy=True)
    PERSONS.validate(small.persons.astype({c: str for c in ("iris", "arrondissement")}), lazy=True)


def test_scale_gives_a_share_of_paris(small, margins):
    ordinary = small.households["household_type"] != "community"
    assert ordinary.sum() == pytest.approx(0.05 * margins.households.sum(), rel=0.01)
    assert (~ordinary).sum() == pytest.approx(0.05 * margins.persons_by_type["community"].sum(), rel=0.02)
    assert len(small.persons) == pytest.approx(0.05 * margins.age.to_numpy().sum(), rel=0.01)


def test_people_in_communities_are_counted_and_lodged_by_it(small):
    """Care-home and residence residents are residents: one row each, no rent, never « alone »,
    older and younger than the rest (the role's prior), outside the City's home heat plan."""
    community = small.households[small.households["household_type"] == "community"]
    assert len(community) > 0 and (community["size"] == 1).all()
    assert (community["tenure"] == "community").all() and (community["rent_eur_month"] == 0).all()
    members = small.persons[small.persons["household_id"].isin(community["household_id"])]
    assert not members["living_alone"].any() and (members["role"] == "community_member").all()
    others = small.persons[~small.persons["household_id"].isin(community["household_id"])]
    assert (members["age"] >= 75).mean() > (others["age"] >= 75).mean()
    assert ((small.households["tenure"] == "community") == (small.households["household_type"] == "community")).all()


def test_household_sizes_match_their_members(small):
    members = small.persons.groupby("household_id", observed=True).size()
    sizes = small.households.set_index("household_id")["size"]
    assert (members.reindex(sizes.index) == sizes).all()
    assert (small.persons.groupby("household_id", observed=True)["member"].min() == 0).all()


def test_living_alone_means_a_household_of_one(small):
    """In an ordinary household: a person in a community is one row, not someone alone at home."""
    h = small.households.set_index("household_id")
    size = small.persons["household_id"].map(h["size"])
    ordinary = (small.persons["household_id"].map(h["household_type"]) != "community").to_numpy()
    assert ((size == 1).to_numpy()[ordinary] == small.persons["living_alone"].to_numpy()[ordinary]).all()


def test_couples_are_a_man_and_a_woman_of_close_age(small):
    couples = small.persons[small.persons["role"].isin(["couple_adult", "parent_in_couple"])]
    per = couples.groupby("household_id", observed=True)
    assert (per.size() == 2).all()
    assert (per["sex"].nunique() == 2).all()
    gap = per["age"].max() - per["age"].min()
    assert gap.median() <= 5


def test_children_are_at_least_15_years_younger_than_their_parents(small):
    p = small.persons
    parents = p[p["role"].isin(["parent_in_couple", "lone_parent"])].groupby("household_id", observed=True)["age"].min()
    children = p[p["role"].isin(["child_of_couple", "child_of_lone_parent"])]
    assert (parents.reindex(children["household_id"]).to_numpy() - children["age"].to_numpy() >= 15).all()


def test_heads_and_partners_are_adults(small):
    p = small.persons
    adults = p[~p["role"].isin(["child_of_couple", "child_of_lone_parent"])]
    assert adults["age"].min() >= 15
    assert (p.loc[p["role"].isin(["couple_adult", "parent_in_couple", "lone_parent"]), "age"] >= 18).all()


def test_incomes_follow_activity(small):
    p = small.persons
    assert (p.loc[p["activity"] == "employed", "salary_month"] > 0).mean() > 0.99
    assert (p.loc[p["activity"] == "retired", "pension_month"] > 0).mean() > 0.99
    assert (p.loc[p["activity"] != "employed", "salary_month"] == 0).all()
    assert (p.loc[p["age"] < 15, "csp"].isna()).all()
    assert (small.households["disposable_income_year"] >= 0).all()


def test_social_housing_matches_the_census_per_iris(small, margins):
    social = small.households[small.households["tenure"] == "social_rent"].groupby("iris", observed=True).size()
    target = margins.social_housing * 0.05
    diff = (social.reindex(target.index).fillna(0) - target).abs()
    assert diff.max() <= 1.0
    owners_private = small.households.loc[small.households["tenure"] != "social_rent", "tenure"]
    assert (owners_private == "owner").mean() == pytest.approx(0.42, abs=0.02)


def test_phone_numbers_are_fictitious(small):
    mobiles = small.persons["phone_mobile"].dropna()
    assert mobiles.str.match(r"^06 39 98 \d\d \d\d$").all()
    landlines = small.households["landline"].dropna()
    assert landlines.str.match(r"^01 99 00 \d\d \d\d$").all()
    none = small.persons["contactability"] == "none"
    assert small.persons.loc[none, "phone_mobile"].isna().all()


def test_addresses_lie_in_their_iris(small, territory):
    iris = territory.iris.set_index("code").geometry
    sample = small.households.sample(2000, random_state=1)
    polygons = iris.reindex(sample["iris"].astype(str)).to_numpy()
    assert shapely.contains_xy(polygons, sample["x"].to_numpy(), sample["y"].to_numpy()).mean() > 0.995


def test_dependency_rises_with_age(small):
    p = small.persons
    old = p.loc[p["age"] >= 85, "dependency_gir"].gt(0).mean()
    young = p.loc[p["age"].between(60, 74), "dependency_gir"].gt(0).mean()
    assert old > 5 * young
    assert (p.loc[p["bedridden"], "dependency_gir"].isin([1, 2])).all()


def test_same_seed_same_population_other_seed_other_population(make_population, small):
    again = make_population(7, 0.05)
    pd.testing.assert_frame_equal(again.persons, small.persons)
    pd.testing.assert_frame_equal(again.households, small.households)
    other = make_population(8, 0.05)
    assert not other.persons["person_id"].isin(small.persons["person_id"]).any()


def test_ids_are_unique_and_meaningless(small):
    assert small.persons["person_id"].is_unique and small.households["household_id"].is_unique
    assert small.persons["person_id"].str.match(r"^P[0-9a-f]{15}$").all()
    # no id carries the IRIS or the age
    assert not small.persons["person_id"].str.contains("751").mean() > 0.01
