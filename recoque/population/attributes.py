"""Attributes the services need, each drawn from a stated rate (parameters.yaml).

Pure functions: arrays and a seeded generator in, columns out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from recoque.population.ipf import integerise
from recoque.population.margins import Margins
from recoque.population.params import PARAMETERS
from recoque.population.synthesis import HOUSEHOLD_TYPES
from recoque.population.text import numbers


def _step_rate(age: np.ndarray, table: list[list[float]]) -> np.ndarray:
    """Rate by age from ``[[from_age, rate], ...]`` (step function)."""
    starts = np.array([a for a, _ in table])
    rates = np.array([r for _, r in table])
    idx = np.searchsorted(starts, age, side="right") - 1
    return np.where(idx >= 0, rates[np.maximum(idx, 0)], 0.0)


def _top_k_by_group(group: np.ndarray, key: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Boolean mask: in each group g, the ``k[g]`` elements with the largest ``key``."""
    order = np.lexsort((-key, group))
    g_sorted = group[order]
    rank = np.arange(order.size) - np.searchsorted(g_sorted, g_sorted, side="left")
    mask = np.zeros(group.size, dtype=bool)
    mask[order] = rank < k[g_sorted]
    return mask


def draw_tenure(households: pd.DataFrame, persons: pd.DataFrame, m: Margins, rng: np.random.Generator) -> None:
    """Tenure (social_rent, private_rent, owner, free; community for people living in one),
    surface and monthly rent (none in a community: its lodging is the establishment's)."""
    p = PARAMETERS["tenure"]
    n = len(households)
    community = households["type_idx"].to_numpy() == HOUSEHOLD_TYPES.index("community")
    iris = households["iris_idx"].to_numpy()
    level = households["standard_of_living_year"].to_numpy()
    # income rank within the IRIS, 0 (poorest) .. 1
    order = np.lexsort((level, iris))
    it = iris[order]
    first = np.searchsorted(it, it, side="left")
    count = np.searchsorted(it, it, side="right") - first
    rank = np.empty(n)
    rank[order] = (np.arange(n) - first + 0.5) / count
    gumbel = lambda: -np.log(-np.log(rng.random(n)))
    n_social = np.minimum(integerise(m.social_housing.to_numpy(), rng=rng),
                          np.bincount(iris[~community], minlength=len(m.iris)))
    social = _top_k_by_group(iris, np.where(community, -np.inf, -p["hlm_income_beta"] * rank + gumbel()),
                             n_social) & ~community
    head_age = persons.loc[persons["member"] == 0, "age"].to_numpy()
    private = ~social & ~community
    n_private = np.bincount(iris[private], minlength=len(m.iris))
    n_owner = np.rint(n_private * p["owner_share_of_private"]).astype(np.int64)
    owner_key = p["owner_income_beta"] * rank + p["owner_age_beta"] * (head_age - 45) / 30 + gumbel()
    owner = _top_k_by_group(iris, np.where(private, owner_key, -np.inf), n_owner) & private
    free = private & ~owner & (rng.random(n) < p["free_share_of_private"] / (1 - p["owner_share_of_private"]))
    tenure = np.select([community, social, owner, free], ["community", "social_rent", "owner", "free"], "private_rent")
    households["tenure"] = tenure
    size = households["size"].to_numpy()
    surface = (p["surface_first_person_m2"] + p["surface_per_extra_person_m2"] * (size - 1)) * rng.lognormal(
        0.0, p["surface_lognormal_sd"], n)
    households["surface_m2"] = surface.round(0)
    rent = np.select([tenure == "private_rent", tenure == "social_rent"],
                     [surface * p["private_rent_eur_m2"], surface * p["social_rent_eur_m2"]], 0.0)
    households["rent_eur_month"] = rent.round(0)


def draw_dwelling(households: pd.DataFrame, building_height_m: np.ndarray, rng: np.random.Generator) -> None:
    """Storeys of the building, floor of the dwelling, top floor, under the roof, lift, AC."""
    p = PARAMETERS["dwelling"]
    n = len(households)
    mean_storeys = building_height_m / p["metres_per_storey"] - 1  # storeys above the ground floor
    storeys = np.clip(np.rint(mean_storeys + rng.normal(0, 1.2, n)), 1, 12).astype(np.int64)
    floor = (rng.random(n) * (storeys + 1)).astype(np.int64)
    top = floor == storeys
    households["storeys"] = storeys
    households["floor"] = floor
    households["top_floor"] = top
    households["under_roof"] = top & (rng.random(n) < p["under_roof_share_of_top_floor"])
    thresholds = sorted((int(k), v) for k, v in p["lift_probability"].items())
    lift_p = _step_rate(storeys, [[k, v] for k, v in thresholds])
    households["lift"] = rng.random(n) < lift_p
    households["air_conditioning"] = rng.random(n) < p["air_conditioning_share"]


def draw_health(persons: pd.DataFrame, rng: np.random.Generator) -> None:
    """Dependency (GIR 1–4, 0 none), bed-ridden, disability, chronic illness."""
    p = PARAMETERS["health"]
    age = persons["age"].to_numpy()
    n = age.size
    dependent = rng.random(n) < _step_rate(age, p["dependency_by_age"])
    girs = np.array(sorted(p["gir_shares"]))
    gir_p = np.array([p["gir_shares"][g] for g in girs])
    gir = np.where(dependent, rng.choice(girs, size=n, p=gir_p / gir_p.sum()), 0)
    persons["dependency_gir"] = gir.astype(np.int8)
    bed_p = np.array([0.0] + [p["bedridden_share"][g] for g in girs])
    persons["bedridden"] = rng.random(n) < bed_p[gir]
    persons["disability"] = ((age >= 20) & (age < 60) & (rng.random(n) < p["disability_rate_20_59"])) | (gir > 0)
    persons["chronic_illness"] = rng.random(n) < _step_rate(age, p["chronic_illness_by_age"])


def draw_residence(persons: pd.DataFrame, rng: np.random.Generator) -> None:
    p = PARAMETERS["residence"]
    age = persons["age"].to_numpy()
    born = rng.random(age.size) < p["born_in_paris_share"]
    moved = np.minimum(age, np.floor(rng.exponential(p["mean_years_if_moved"], age.size)).astype(np.int64))
    persons["years_in_paris"] = np.where(born, age, moved)


def draw_contact(households: pd.DataFrame, persons: pd.DataFrame, rng: np.random.Generator) -> None:
    """Mobile (person), landline (household), from ARCEP's fiction ranges; contactability."""
    p = PARAMETERS["contact"]
    age = persons["age"].to_numpy()
    hh = persons["household"].to_numpy()
    mobile = rng.random(age.size) < _step_rate(age, p["mobile_by_age"])
    head_age = persons.loc[persons["member"] == 0, "age"].to_numpy()
    landline = rng.random(len(households)) < np.where(head_age >= 70, p["landline_household_70_plus"],
                                                      p["landline_household"])
    households["landline"] = numbers(p["landline_prefix"], rng.integers(0, 10_000, len(households)), landline).to_numpy()
    persons["phone_mobile"] = numbers(p["mobile_prefix"], rng.integers(0, 10_000, age.size), mobile).to_numpy()
    has_landline = landline[hh]
    persons["contactability"] = np.select([mobile, has_landline], ["mobile", "landline"], "none")


def draw_addresses(households: pd.DataFrame, polygons: list, rng: np.random.Generator) -> None:
    """A point (Lambert-93) inside the household's IRIS, uniform over its area."""
    iris = households["iris_idx"].to_numpy()
    x = np.empty(len(households))
    y = np.empty(len(households))
    order = np.argsort(iris, kind="stable")
    bounds = np.searchsorted(iris[order], np.arange(len(polygons) + 1))
    for i, polygon in enumerate(polygons):
        idx = order[bounds[i]:bounds[i + 1]]
        if idx.size == 0:
            continue
        shapely.prepare(polygon)
        xmin, ymin, xmax, ymax = polygon.bounds
        px, py = np.empty(0), np.empty(0)
        while px.size < idx.size:
            k = max(64, 2 * (idx.size - px.size))
            cx = xmin + rng.random(k) * (xmax - xmin)
            cy = ymin + rng.random(k) * (ymax - ymin)
            inside = shapely.contains_xy(polygon, cx, cy)
            px, py = np.concatenate([px, cx[inside]]), np.concatenate([py, cy[inside]])
        x[idx], y[idx] = px[: idx.size], py[: idx.size]
    households["x"] = x.round(1)
    households["y"] = y.round(1)
