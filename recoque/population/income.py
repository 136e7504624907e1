"""Household incomes from Filosofi deciles, and each member's monthly incomes by kind.

Per IRIS, households are ranked by an income propensity (the best-placed adult's occupation,
plus noise) and given the disposable income per consumption unit at their persons-weighted
rank in the IRIS's published distribution (deciles D1..D9, tails by stated ratios). The
IRIS's persons-weighted deciles are thereby reproduced by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recoque.population.margins import Margins
from recoque.population.params import PARAMETERS


def consumption_units(persons: pd.DataFrame, n_households: int) -> np.ndarray:
    """OECD-modified scale: 1 for the first person, 0.5 per other person 14+, 0.3 under 14."""
    p = PARAMETERS["income"]["consumption_units"]
    hh = persons["household"].to_numpy()
    first = persons["member"].to_numpy() == 0
    weight = np.where(first, p["first_adult"],
                      np.where(persons["age"].to_numpy() >= 14, p["other_14_plus"], p["child_under_14"]))
    return np.bincount(hh, weights=weight, minlength=n_households)


def quantile_values(u: np.ndarray, deciles: np.ndarray) -> np.ndarray:
    """Values at quantiles ``u`` (0–1) of distributions given by rows of ``deciles`` (n × 9),
    piecewise linear between the tails, D1..D9."""
    p = PARAMETERS["income"]
    knots = np.column_stack([deciles[:, 0] * p["lower_tail_ratio"], deciles,
                             deciles[:, -1] * p["upper_tail_ratio"]])
    pos = np.clip(u, 0.0, 1.0) * 10.0
    j = np.minimum(pos.astype(np.int64), 9)
    rows = np.arange(len(u))
    return knots[rows, j] + (pos - j) * (knots[rows, j + 1] - knots[rows, j])


def draw_incomes(households: pd.DataFrame, persons: pd.DataFrame, m: Margins,
                 rng: np.random.Generator) -> None:
    """Add to ``households``: consumption_units, standard_of_living_year, disposable_income_year;
    to ``persons``: salary_month, pension_month, unemployment_month, other_income_month (€)."""
    p = PARAMETERS["income"]
    n = len(households)
    hh = persons["household"].to_numpy()
    csp = persons["csp"].to_numpy()
    score = np.where(csp >= 0, np.asarray(p["score_by_csp"])[np.maximum(csp, 0)], -np.inf)
    score = np.where(persons["activity"].to_numpy() == "unemployed", p["unemployed_score"], score)
    best = np.full(n, -np.inf)
    np.maximum.at(best, hh, score)
    best = np.where(np.isfinite(best), best, 0.0) + rng.normal(0.0, p["score_noise_sd"], n)

    iris = households["iris_idx"].to_numpy()
    size = households["size"].to_numpy()
    order = np.lexsort((best, iris))
    w = size[order].astype(float)
    cum = np.cumsum(w)
    iris_sorted = iris[order]
    first = np.searchsorted(iris_sorted, iris_sorted, side="left")
    last = np.searchsorted(iris_sorted, iris_sorted, side="right") - 1
    before = cum - w - (cum[first] - w[first])
    total = cum[last] - (cum[first] - w[first])
    u = np.empty(n)
    u[order] = (before + w / 2) / total
    level = quantile_values(u, m.income_deciles.to_numpy()[iris])
    units = consumption_units(persons, n)
    households["consumption_units"] = units.round(2)
    households["standard_of_living_year"] = level.round(0)
    disposable = level * units
    households["disposable_income_year"] = disposable.round(0)

    # primary incomes: activity, pensions and unemployment benefits split between members
    shares = m.income_shares.to_numpy()[iris] / 100.0  # PACT, PPEN, PCHO, PPAT
    weights = p["member_weights"]
    activity = persons["activity"].to_numpy()
    member_w = np.select([activity == "employed", activity == "retired", activity == "unemployed"],
                         [weights["employed"], weights["retired"], weights["unemployed"]], 0.0)
    hh_w = np.bincount(hh, weights=member_w, minlength=n)
    pool = disposable * shares[:, :3].sum(axis=1)
    share_of_pool = np.divide(member_w, hh_w[hh], out=np.zeros_like(member_w), where=hh_w[hh] > 0)
    yearly = pool[hh] * share_of_pool
    for column, kind in (("salary_month", "employed"), ("pension_month", "retired"),
                         ("unemployment_month", "unemployed")):
        persons[column] = np.where(activity == kind, yearly / 12.0, 0.0).round(0)
    head = persons["member"].to_numpy() == 0
    no_earner = hh_w == 0
    other = disposable * shares[:, 3] + np.where(no_earner, pool, 0.0)
    persons["other_income_month"] = np.where(head, other[hh] / 12.0, 0.0).round(0)
