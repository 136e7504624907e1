"""Households and persons for every IRIS, fitted to the census margins.

Pure: margins + parameters + a seeded generator in, two DataFrames out. Method:
1. households per IRIS and type: single people and couples without children from the census
   directly; for families and other households, the mean number of extra members is rescaled
   per IRIS so that households equal main residences (bisection), then integerised;
2. members: each household's roles (adults, children); extra members allocated at random
   among the households of a type (exact totals);
3. age bands by IPF of a role × age prior to each IRIS's age margins, integerised per role;
   exact ages within bands; partners paired by age rank, children matched to parents by rank;
4. sex by role; socio-professional category by IPF of an age × CS prior to the CS margins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recoque.population.ipf import fit, integerise, round_rows
from recoque.population.margins import Margins
from recoque.population.params import PARAMETERS

HOUSEHOLD_TYPES = ["alone_man", "alone_woman", "couple_without_children", "couple_with_children",
                   "lone_parent", "no_family", "community"]
ROLES = ["alone_man", "alone_woman", "couple_adult", "parent_in_couple", "child_of_couple",
         "lone_parent", "child_of_lone_parent", "no_family_member", "community_member"]
# per household type: (number of adults, adult role, role of the other members)
_TYPE_ROLES = {
    "alone_man": (1, "alone_man", "alone_man"),
    "alone_woman": (1, "alone_woman", "alone_woman"),
    "couple_without_children": (2, "couple_adult", "couple_adult"),
    "couple_with_children": (2, "parent_in_couple", "child_of_couple"),
    "lone_parent": (1, "lone_parent", "child_of_lone_parent"),
    "no_family": (1, "no_family_member", "no_family_member"),
    # a person living in a community (care home, residence, convent, prison): one row each
    "community": (1, "community_member", "community_member"),
}
_MIN_SIZE = {"alone_man": 1, "alone_woman": 1, "couple_without_children": 2,
             "couple_with_children": 3, "lone_parent": 2, "no_family": 2,
             "community": 1}

Progress = Callable[[str, float], None]


@dataclass
class Synthesis:
    households: pd.DataFrame
    persons: pd.DataFrame
    notes: list[str]


def household_counts(m: Margins, notes: list[str]) -> pd.DataFrame:
    """Fractional households per IRIS and type: ordinary ones add up to the main residences;
    each person living in a community is a row of its own."""
    p = PARAMETERS["household_types"]
    P = m.persons_by_type
    fixed = P["alone_man"] + P["alone_woman"] + P["couple_without_children"] / 2
    remaining = (m.households - fixed).clip(lower=0.0).to_numpy()
    kinds = ["couple_with_children", "lone_parent", "no_family"]
    persons = P[kinds].to_numpy()
    adults = np.array([p[k]["adults"] for k in kinds], dtype=float)
    extras = np.array([p[k]["extras"] for k in kinds], dtype=float)
    lo, hi = p["extras_scale_bounds"]

    def households_at(f: np.ndarray) -> np.ndarray:
        return (persons / (adults + f[:, None] * extras)).sum(axis=1)

    a, b = np.full(len(P), float(lo)), np.full(len(P), float(hi))
    for _ in range(60):  # households_at is decreasing in f
        mid = (a + b) / 2
        too_many = households_at(mid) > remaining
        a, b = np.where(too_many, mid, a), np.where(too_many, b, mid)
    f = (a + b) / 2
    clamped = (np.abs(households_at(f) - remaining) > 0.5) & (persons.sum(axis=1) > 0)
    if clamped.any():
        notes.append(f"{int(clamped.sum())} IRIS ne peuvent atteindre leur nombre de résidences principales avec "
                     f"des tailles de famille plausibles (membres supplémentaires × {lo}–{hi}) : leur nombre de "
                     f"ménages est le plus proche possible")
    counts = pd.DataFrame(index=P.index)
    counts["alone_man"] = P["alone_man"]
    counts["alone_woman"] = P["alone_woman"]
    counts["couple_without_children"] = P["couple_without_children"] / 2
    for i, k in enumerate(kinds):
        counts[k] = persons[:, i] / (adults[i] + f * extras[i])
    counts["community"] = P["community"]
    return counts[HOUSEHOLD_TYPES]


def draw_households(m: Margins, rng: np.random.Generator, notes: list[str]) -> pd.DataFrame:
    """One row per household: iris index, type, size."""
    counts = household_counts(m, notes)
    n_hh = round_rows(counts.to_numpy(), rng=rng)
    n_persons = round_rows(m.persons_by_type[HOUSEHOLD_TYPES].to_numpy(), rng=rng)
    min_size = np.array([_MIN_SIZE[t] for t in HOUSEHOLD_TYPES])
    # single people: one per household; couples without children: two
    n_persons[:, 0], n_persons[:, 1] = n_hh[:, 0], n_hh[:, 1]
    n_persons[:, 2] = 2 * n_hh[:, 2]
    community = HOUSEHOLD_TYPES.index("community")
    n_persons[:, community] = n_hh[:, community]
    # never fewer persons than the minimum size allows
    n_hh = np.minimum(n_hh, n_persons // min_size)
    extra = n_persons - n_hh * min_size  # members beyond the minimum, to allocate at random

    iris_idx = np.repeat(np.repeat(np.arange(len(counts)), len(HOUSEHOLD_TYPES)), n_hh.ravel())
    type_idx = np.repeat(np.tile(np.arange(len(HOUSEHOLD_TYPES)), len(counts)), n_hh.ravel())
    size = min_size[type_idx].copy()
    group_start = np.concatenate([[0], np.cumsum(n_hh.ravel())[:-1]])
    group_n = n_hh.ravel()
    group_extra = np.where(group_n > 0, extra.ravel(), 0)
    draws_group = np.repeat(np.arange(group_n.size), group_extra)
    chosen = group_start[draws_group] + (rng.random(draws_group.size) * group_n[draws_group]).astype(np.int64)
    size += np.bincount(chosen, minlength=size.size)
    return pd.DataFrame({"iris_idx": iris_idx, "type_idx": type_idx, "size": size})


def draw_members(hh: pd.DataFrame) -> pd.DataFrame:
    """One row per person: household index, member rank, role index."""
    size = hh["size"].to_numpy()
    household = np.repeat(np.arange(len(hh)), size)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    member = np.arange(size.sum()) - np.repeat(start, size)
    t = hh["type_idx"].to_numpy()[household]
    adults = np.array([_TYPE_ROLES[k][0] for k in HOUSEHOLD_TYPES])[t]
    adult_role = np.array([ROLES.index(_TYPE_ROLES[k][1]) for k in HOUSEHOLD_TYPES])[t]
    other_role = np.array([ROLES.index(_TYPE_ROLES[k][2]) for k in HOUSEHOLD_TYPES])[t]
    role = np.where(member < adults, adult_role, other_role)
    return pd.DataFrame({"household": household, "member": member, "role": role,
                         "iris_idx": hh["iris_idx"].to_numpy()[household]})


def _assign_by_group(group: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Give each element of ``group`` (ints < G) one of K labels, ``counts`` (G × K) per group,
    at random within the group. ``counts[g].sum()`` must equal the size of group g."""
    order = np.lexsort((rng.random(group.size), group))
    labels = np.repeat(np.tile(np.arange(counts.shape[1]), counts.shape[0]), counts.ravel())
    out = np.empty(group.size, dtype=np.int64)
    out[order] = labels
    return out


def draw_age_bands(persons: pd.DataFrame, m: Margins, rng: np.random.Generator) -> np.ndarray:
    prior = np.array([PARAMETERS["roles"][r] for r in ROLES], dtype=float)
    n_iris, n_roles = len(m.iris), len(ROLES)
    group = persons["iris_idx"].to_numpy() * n_roles + persons["role"].to_numpy()
    rows = np.bincount(group, minlength=n_iris * n_roles).reshape(n_iris, n_roles)
    ipf = PARAMETERS["ipf"]
    table, _ = fit(prior, row_totals=rows, col_totals=m.age.to_numpy(),
                   max_iterations=ipf["max_iterations"], tolerance=ipf["tolerance"])
    # a role with people but an all-zero fitted row (no margin where its prior allows): fall back to prior
    empty = (table.sum(axis=2) == 0) & (rows > 0)
    if empty.any():
        table[empty] = (prior / prior.sum(axis=1, keepdims=True))[np.nonzero(empty)[1]] * rows[empty][:, None]
    # where the margins cannot be met exactly (IPF ends on the columns), the people are what must
    # hold: each role's row is brought back to its count before rounding
    current = table.sum(axis=2)
    table *= np.divide(rows, current, out=np.zeros_like(current), where=current > 0)[:, :, None]
    counts = round_rows(table, rng=rng, row_totals=rows)
    return _assign_by_group(group, counts.reshape(n_iris * n_roles, -1), rng)


def draw_ages(band: np.ndarray, rng: np.random.Generator, *, adult: np.ndarray | None = None) -> np.ndarray:
    """Exact ages within bands; ``adult`` members (heads, partners, people alone) are 18+."""
    p = PARAMETERS["age_bands"]
    edges = np.array(p["edges"])
    low, high = edges[band, 0].copy(), edges[band, 1]
    if adult is not None:
        low = np.where(adult & (band == 1), 18, low)
    age = low + (rng.random(band.size) * (high - low + 1)).astype(np.int64)
    old = band == len(edges) - 1
    # the oldest band decays with age (truncated exponential on 75..99)
    span = edges[-1, 1] - edges[-1, 0] + 1
    k = p["oldest_age_decay"]
    u = rng.random(int(old.sum()))
    age[old] = edges[-1, 0] + np.floor(-np.log(1 - u * (1 - np.exp(-k * span))) / k).astype(np.int64)
    return np.minimum(age, edges[-1, 1])


def pair_by_age(persons: pd.DataFrame, roles: list[int], rng: np.random.Generator) -> None:
    """Re-seat partners (two per household) so that partners are neighbours in age rank."""
    sel = np.flatnonzero(np.isin(persons["role"].to_numpy(), roles))
    iris, role = persons["iris_idx"].to_numpy()[sel], persons["role"].to_numpy()[sel]
    by_age = sel[np.lexsort((rng.random(sel.size), persons["age"].to_numpy()[sel], role, iris))]
    slots = sel[np.lexsort((persons["household"].to_numpy()[sel], role, iris))]
    households = persons["household"].to_numpy().copy()
    households[by_age] = persons["household"].to_numpy()[slots]
    persons["household"] = households


def match_children(persons: pd.DataFrame, rng: np.random.Generator) -> int:
    """Seat children so that older children live with older parents; return age-gap violations."""
    role = persons["role"].to_numpy()
    hh = persons["household"].to_numpy()
    age = persons["age"].to_numpy()
    parent_roles = [ROLES.index("parent_in_couple"), ROLES.index("lone_parent")]
    child_roles = [ROLES.index("child_of_couple"), ROLES.index("child_of_lone_parent")]
    is_parent = np.isin(role, parent_roles)
    n_hh = hh.max() + 1
    parent_sum = np.bincount(hh[is_parent], weights=age[is_parent], minlength=n_hh)
    parent_n = np.bincount(hh[is_parent], minlength=n_hh)
    parent_age = np.divide(parent_sum, parent_n, out=np.zeros(n_hh), where=parent_n > 0)
    sel = np.flatnonzero(np.isin(role, child_roles))
    iris, crole = persons["iris_idx"].to_numpy()[sel], role[sel]
    by_age = sel[np.lexsort((rng.random(sel.size), age[sel], crole, iris))]
    slots = sel[np.lexsort((hh[sel], parent_age[hh[sel]], crole, iris))]
    new_hh = hh.copy()
    new_hh[by_age] = hh[slots]
    persons["household"] = new_hh
    youngest_parent = np.full(n_hh, 200)
    np.minimum.at(youngest_parent, hh[is_parent], age[is_parent])
    gap = youngest_parent[new_hh[sel]] - age[sel]
    too_old = gap < 15
    ages = age.copy()
    ages[sel[too_old]] = np.maximum(0, youngest_parent[new_hh[sel[too_old]]] - 15 - (rng.random(int(too_old.sum())) * 10).astype(int))
    persons["age"] = ages
    return int(too_old.sum())


def draw_sex(persons: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """'F' or 'M' by role; partners of a couple are one man and one woman."""
    p = PARAMETERS["sex"]
    role = persons["role"].to_numpy()
    u = rng.random(len(persons))
    woman = np.zeros(len(persons), dtype=bool)
    woman[role == ROLES.index("alone_woman")] = True
    for r, share in (("child_of_couple", 1 - p["boys_share_of_children"]),
                     ("child_of_lone_parent", 1 - p["boys_share_of_children"]),
                     ("lone_parent", p["lone_parent_women_share"]),
                     ("no_family_member", p["no_family_women_share"]),
                     ("community_member", p["no_family_women_share"])):
        idx = role == ROLES.index(r)
        woman[idx] = u[idx] < share
    couples = np.flatnonzero(np.isin(role, [ROLES.index("couple_adult"), ROLES.index("parent_in_couple")]))
    couples = couples[np.argsort(persons["household"].to_numpy()[couples], kind="stable")]
    first = couples[0::2]
    coin = rng.random(first.size) < 0.5
    woman[first] = coin
    woman[couples[1::2]] = ~coin
    _calibrate_free_sexes(persons, woman, rng)
    return np.where(woman, "F", "M")


def _calibrate_free_sexes(persons: pd.DataFrame, woman: np.ndarray, rng: np.random.Generator) -> None:
    """Children and members of households without family take the sex that brings each
    arrondissement × age band to its women's share (people alone, partners and lone parents keep
    theirs). The shares are ``sex.women_share_by_band`` until a published table replaces them."""
    shares = np.asarray(PARAMETERS["sex"]["women_share_by_band"])
    edges = np.array(PARAMETERS["age_bands"]["edges"])[:, 0]
    band = np.searchsorted(edges, persons["age"].to_numpy(), side="right") - 1
    arr = persons["arrondissement_idx"].to_numpy()
    group = arr * len(shares) + band
    n_groups = (arr.max() + 1) * len(shares)
    free = np.isin(persons["role"].to_numpy(), [ROLES.index("child_of_couple"), ROLES.index("child_of_lone_parent"),
                                                 ROLES.index("no_family_member"), ROLES.index("community_member")])
    total = np.bincount(group, minlength=n_groups)
    fixed_women = np.bincount(group[~free & woman], minlength=n_groups)
    n_free = np.bincount(group[free], minlength=n_groups)
    target = np.rint(total * shares[np.arange(n_groups) % len(shares)]).astype(np.int64)
    needed = np.clip(target - fixed_women, 0, n_free)
    idx = np.flatnonzero(free)
    g = group[idx]
    order = np.lexsort((rng.random(idx.size), g))
    rank = np.arange(idx.size) - np.searchsorted(g[order], g[order], side="left")
    chosen = np.zeros(idx.size, dtype=bool)
    chosen[order] = rank < needed[g[order]]
    woman[idx] = chosen


def draw_csp(persons: pd.DataFrame, band: np.ndarray, m: Margins, rng: np.random.Generator) -> np.ndarray:
    """Socio-professional category (0..7) for persons 15+, -1 for children under 15."""
    p = PARAMETERS["csp"]
    adult = band >= 1
    n_iris, n_bands = len(m.iris), 5
    group = persons["iris_idx"].to_numpy()[adult] * n_bands + (band[adult] - 1)
    rows = np.bincount(group, minlength=n_iris * n_bands).reshape(n_iris, n_bands)
    prior = np.array(p["prior_by_band"], dtype=float)
    table, _ = fit(prior, row_totals=rows, col_totals=m.csp.to_numpy())
    counts = round_rows(table, rng=rng, row_totals=rows)
    csp = np.full(len(persons), -1, dtype=np.int64)
    csp[adult] = _assign_by_group(group, counts.reshape(n_iris * n_bands, -1), rng)
    return csp


def draw_activity(age: np.ndarray, csp: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    p = PARAMETERS["csp"]
    u = rng.random(age.size)
    activity = np.full(age.size, "child", dtype=object)
    working = (csp >= 0) & (csp <= 5)
    activity[working] = np.where(u[working] < p["unemployment_rate"], "unemployed", "employed")
    activity[csp == 6] = "retired"
    other = csp == 7
    young = other & (age < 30)
    activity[young] = np.where(u[young] < p["student_share_of_young_inactive"], "student", "inactive")
    activity[other & (age >= 30)] = "inactive"
    return activity.astype(str)


def synthesise(m: Margins, rng: np.random.Generator, progress: Progress = lambda _s, _f: None) -> Synthesis:
    """Households and persons (structure, ages, sex, occupation) for the IRIS of ``m``."""
    notes: list[str] = []
    progress("ménages", 0.05)
    hh = draw_households(m, rng, notes)
    progress("personnes", 0.15)
    persons = draw_members(hh)
    band = draw_age_bands(persons, m, rng)
    child_roles = [ROLES.index("child_of_couple"), ROLES.index("child_of_lone_parent")]
    persons["age"] = draw_ages(band, rng, adult=~np.isin(persons["role"].to_numpy(), child_roles))
    alone = np.isin(persons["role"].to_numpy(), [ROLES.index("alone_man"), ROLES.index("alone_woman")])
    _calibrate_alone_80_plus(persons, band, alone, m, rng)
    pair_by_age(persons, [ROLES.index("couple_adult")], rng)
    pair_by_age(persons, [ROLES.index("parent_in_couple")], rng)
    violations = match_children(persons, rng)
    if violations:
        notes.append(f"{violations} enfants avaient moins de 15 ans d'écart avec un parent après appariement : "
                     f"leur âge a été abaissé pour garder cet écart")
    progress("sexe et activité", 0.3)
    arr_codes, arr_idx = np.unique(m.arrondissement.to_numpy(), return_inverse=True)
    persons["arrondissement_idx"] = arr_idx[persons["iris_idx"].to_numpy()]
    persons["sex"] = draw_sex(persons, rng)
    band = np.searchsorted(np.array(PARAMETERS["age_bands"]["edges"])[:, 0], persons["age"].to_numpy(),
                           side="right") - 1
    persons["csp"] = draw_csp(persons, band, m, rng)
    persons["activity"] = draw_activity(persons["age"].to_numpy(), persons["csp"].to_numpy(), rng)
    persons["living_alone"] = alone
    persons = persons.sort_values(["household", "member"], kind="stable").reset_index(drop=True)
    persons["member"] = persons.groupby("household").cumcount()
    return Synthesis(households=hh, persons=persons, notes=notes)


def _calibrate_alone_80_plus(persons: pd.DataFrame, band: np.ndarray, alone: np.ndarray, m: Margins,
                             rng: np.random.Generator) -> None:
    """Among people living alone in the 75+ band, make the RP2022 count of 80+ (where possible).

    Where an IRIS drew fewer people alone aged 75+ than RP2022 counts alone aged 80+, ages are
    exchanged between the oldest people alone below 75 and people aged 75+ who are not alone
    (members of a community first, whose ages are the least known, then partners, paired later
    by age): the IRIS keeps its age margins and the published count is met."""
    oldest = len(PARAMETERS["age_bands"]["edges"]) - 1
    target = integerise(m.alone_80_plus.to_numpy(), rng=rng)
    _exchange_ages_for_the_alone(persons, band, alone, target, oldest)
    sel = np.flatnonzero(alone & (band == oldest))
    iris = persons["iris_idx"].to_numpy()[sel]
    order = sel[np.lexsort((rng.random(sel.size), iris))]
    iris_sorted = persons["iris_idx"].to_numpy()[order]
    first = np.searchsorted(iris_sorted, iris_sorted, side="left")
    rank = np.arange(order.size) - first
    age = persons["age"].to_numpy().copy()
    is80 = rank < target[iris_sorted]
    k = PARAMETERS["age_bands"]["oldest_age_decay"]
    u = rng.random(order.size)
    age[order[is80]] = 80 + np.floor(-np.log(1 - u[is80] * (1 - np.exp(-k * 20))) / k).astype(np.int64)
    age[order[~is80]] = 75 + (u[~is80] * 5).astype(np.int64)
    persons["age"] = np.minimum(age, 99)


def _exchange_ages_for_the_alone(persons: pd.DataFrame, band: np.ndarray, alone: np.ndarray, target: np.ndarray,
                                 oldest: int) -> None:
    iris = persons["iris_idx"].to_numpy()
    role = persons["role"].to_numpy()
    age = persons["age"].to_numpy().copy()
    old_alone = np.bincount(iris[alone & (band == oldest)], minlength=target.size)
    short = np.flatnonzero(target > old_alone)
    if short.size == 0:
        return
    preference = np.select([role == ROLES.index("community_member"),
                            np.isin(role, [ROLES.index("couple_adult"), ROLES.index("parent_in_couple")])], [0, 1], 9)
    donors_all = np.flatnonzero(~alone & (band == oldest) & (preference < 9))
    takers_all = np.flatnonzero(alone & (band < oldest) & (band >= 1))
    donors_all = donors_all[np.lexsort((preference[donors_all], iris[donors_all]))]
    takers_all = takers_all[np.lexsort((-age[takers_all], iris[takers_all]))]
    d_start = np.searchsorted(iris[donors_all], short)
    d_end = np.searchsorted(iris[donors_all], short, side="right")
    t_start = np.searchsorted(iris[takers_all], short)
    t_end = np.searchsorted(iris[takers_all], short, side="right")
    for i, k in enumerate(short):
        n = min(target[k] - old_alone[k], d_end[i] - d_start[i], t_end[i] - t_start[i])
        if n <= 0:
            continue
        donors = donors_all[d_start[i]:d_start[i] + n]
        takers = takers_all[t_start[i]:t_start[i] + n]
        age[donors], age[takers] = age[takers].copy(), age[donors].copy()
        band[donors], band[takers] = band[takers].copy(), band[donors].copy()
    persons["age"] = age
