"""The whole synthetic city: structure (synthesis), incomes, attributes, addresses, pseudonyms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recoque.governance.algorithms import algorithm
from recoque.population import attributes, income
from recoque.population.margins import Margins
from recoque.population.params import PARAMETERS
from recoque.population.synthesis import HOUSEHOLD_TYPES, ROLES, synthesise
from recoque.population.text import hex_ids

Progress = Callable[[str, float], None]


@dataclass
class Population:
    households: pd.DataFrame
    persons: pd.DataFrame
    notes: list[str]


def _pseudonyms(prefix: str, n: int, rng: np.random.Generator) -> pd.Series:
    """Random, unique, meaningless ids (``prefix`` + 15 hex digits)."""
    values = rng.integers(0, 2**60, n, dtype=np.int64)
    while True:  # duplicates are vanishingly rare: redraw them
        order = np.argsort(values, kind="stable")
        dup = order[1:][values[order[1:]] == values[order[:-1]]]
        if dup.size == 0:
            return hex_ids(prefix, values)
        values[dup] = rng.integers(0, 2**60, dup.size, dtype=np.int64)


def _categorical(codes: np.ndarray, labels: list[str] | np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(labels))


@algorithm("synthetic-population", version="1.0")
def generate(
    margins: Margins,
    *,
    iris_polygons: list,
    building_height_m: np.ndarray,
    seed: int,
    scale: float = 1.0,
    progress: Progress = lambda _s, _f: None,
) -> Population:
    """Draw the population of the IRIS in ``margins`` at ``scale`` with generator ``seed``.

    ``iris_polygons`` and ``building_height_m`` (mean building height of each IRIS's
    arrondissement) are aligned with ``margins.iris``. Same inputs, same seed: same output.
    """
    rng = np.random.default_rng(seed)
    m = margins.scaled(scale) if scale != 1.0 else margins
    s = synthesise(m, rng, progress)
    hh, persons = s.households, s.persons
    progress("revenus", 0.45)
    income.draw_incomes(hh, persons, m, rng)
    progress("logement", 0.55)
    attributes.draw_tenure(hh, persons, m, rng)
    attributes.draw_dwelling(hh, building_height_m[hh["iris_idx"].to_numpy()], rng)
    progress("santé et contact", 0.65)
    attributes.draw_health(persons, rng)
    attributes.draw_residence(persons, rng)
    attributes.draw_contact(hh, persons, rng)
    progress("adresses", 0.75)
    attributes.draw_addresses(hh, iris_polygons, rng)

    progress("identifiants", 0.85)
    iris_codes = m.iris.to_numpy().astype(str)
    arr_codes = sorted(set(c[:5] for c in iris_codes))
    iris_to_arr = np.array([arr_codes.index(c[:5]) for c in iris_codes])
    hh_ids = _pseudonyms("M", len(hh), rng)
    hh_iris = hh["iris_idx"].to_numpy()
    households = pd.DataFrame({
        "household_id": hh_ids,
        "iris": _categorical(hh_iris, iris_codes),
        "arrondissement": _categorical(iris_to_arr[hh_iris], arr_codes),
        "household_type": _categorical(hh["type_idx"].to_numpy(), HOUSEHOLD_TYPES),
        "size": hh["size"].astype(np.int16),
    })
    for column in ("tenure", "surface_m2", "rent_eur_month", "storeys", "floor", "top_floor", "under_roof",
                   "lift", "air_conditioning", "landline", "consumption_units", "standard_of_living_year",
                   "disposable_income_year", "x", "y"):
        households[column] = hh[column].to_numpy()
    households["tenure"] = households["tenure"].astype("category")
    households["postal_address"] = pd.Series([None] * len(households), dtype=object)  # not synthesised (schema)

    p_iris = persons["iris_idx"].to_numpy()
    people = pd.DataFrame({
        "person_id": _pseudonyms("P", len(persons), rng),
        "household_id": hh_ids.take(persons["household"].to_numpy()).reset_index(drop=True),
        "iris": _categorical(p_iris, iris_codes),
        "arrondissement": _categorical(iris_to_arr[p_iris], arr_codes),
        "member": persons["member"].astype(np.int16),
        "role": _categorical(persons["role"].to_numpy(), ROLES),
        "age": persons["age"].astype(np.int16),
        "sex": pd.Categorical(persons["sex"], categories=["F", "M"]),
        "csp": _categorical(persons["csp"].to_numpy(), PARAMETERS["csp"]["labels"]),  # -1 (under 15): null
    })
    for column in ("activity", "salary_month", "pension_month", "unemployment_month", "other_income_month",
                   "living_alone", "dependency_gir", "bedridden", "disability", "chronic_illness",
                   "years_in_paris", "phone_mobile", "contactability"):
        people[column] = persons[column].to_numpy()
    for column in ("activity", "contactability"):
        people[column] = people[column].astype("category")
    people["years_in_paris"] = people["years_in_paris"].astype(np.int16)
    people["email"] = pd.Series([None] * len(people), dtype=object)   # not synthesised (schema)
    people["dependency_gir"] = people["dependency_gir"].astype(np.int8)
    progress("terminé", 0.9)
    return Population(households=households, persons=people, notes=list(m.repairs) + s.notes)
