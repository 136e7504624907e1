"""OpenFisca bridge: population records → OpenFisca entities and inputs → entitlements.

Pure functions over pandas frames (no store, no files). The records follow the population schema
(docs/population-schema.md); benefits come from OpenFisca-France and OpenFisca-Paris.

Entities (OpenFisca-France):
- *individu*: one per person;
- *famille* (CAF household) and *foyer fiscal*: the reference adult, their partner and their
  children under ``own_family_age``; older children and the members of households without family
  each form their own famille and foyer;
- *ménage*: the household (dwelling).

Inputs are a snapshot: the records' monthly amounts are taken as constant over the years the
rules read (N-2 to N); benefits received in the 12 months before the screening month come from
the administrative records (what was paid), not from a new computation.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from recoque.rights import incomes
from recoque.rights.catalogue import BRIDGE_PARAMETERS, Benefit, benefits

CHILD_ROLES = ("child_of_couple", "child_of_lone_parent")
COUPLE_ROLES = ("couple_adult", "parent_in_couple")
ACTIVITY = {"employed": "actif", "unemployed": "chomeur", "retired": "retraite", "student": "etudiant",
            "inactive": "inactif", "child": "inactif"}
TENURE = {"social_rent": "locataire_hlm", "private_rent": "locataire_vide", "owner": "proprietaire",
          "free": "loge_gratuitement"}
#: benefits the records do not hold: nil over the past months (their amounts are inside the
#: records' unemployment and pension columns)
PAST_NIL = ("ass", "caah", "mva", "pensions_invalidite")
MONEY_COLUMNS = ("salary_month", "pension_month", "unemployment_month", "other_income_month")


@lru_cache(maxsize=1)
def tax_benefit_system():
    """OpenFisca-France with the OpenFisca-Paris extension and Recoque's reform of the residence
    condition (recoque.rights.openfisca_extension); built once per process, ≈ 4 s."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from openfisca_france import CountryTaxBenefitSystem

        from recoque.rights.openfisca_extension import ResidenceParis

        system = CountryTaxBenefitSystem()
        system.load_extension("openfisca_paris")
        system = ResidenceParis(system)
    return system


def openfisca_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("OpenFisca-Core", "OpenFisca-France", "OpenFisca-Paris")}


# ----------------------------------------------------------------------------------------------
# checks


def exclusions(households: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """Households OpenFisca cannot compute meaningfully, with the reason (French, for the run
    report). Never silently zero: an excluded household is listed, not screened."""
    reasons: dict[str, str] = {}
    p = persons
    money = p[list(MONEY_COLUMNS)]
    for hid in p.loc[(money < 0).any(axis=1) | money.isna().any(axis=1), "household_id"]:
        reasons.setdefault(hid, "revenu négatif ou manquant")
    for hid in p.loc[(p["age"] < 0) | (p["age"] > 120), "household_id"]:
        reasons.setdefault(hid, "âge hors de 0–120 ans")
    parents = p[p["role"].isin(("lone_parent",) + COUPLE_ROLES)].groupby("household_id")["age"].max()
    children = p[p["role"].isin(CHILD_ROLES)].groupby("household_id")["age"].max()
    gap = (parents.reindex(children.index) - children).dropna()
    for hid in gap.index[gap < 12]:
        reasons.setdefault(hid, "âges incohérents : un enfant a moins de 12 ans d'écart avec son parent")
    adults = p[p["age"] >= 16].groupby("household_id").size()
    for hid in households.loc[~households["household_id"].isin(adults.index), "household_id"]:
        reasons.setdefault(hid, "aucun adulte de 16 ans ou plus dans le ménage")
    h = households
    for hid in h.loc[(h["rent_eur_month"] < 0) | h["rent_eur_month"].isna(), "household_id"]:
        reasons.setdefault(hid, "loyer négatif ou manquant")
    for hid in h.loc[h["tenure"].astype(str) == "community", "household_id"]:
        reasons.setdefault(hid, "vit en communauté (établissement, résidence) : ses ressources et son hébergement "
                                "ne sont pas connus du modèle, son dossier relève de l'établissement")
    for hid in h.loc[~h["tenure"].astype(str).isin(TENURE), "household_id"]:
        reasons.setdefault(hid, "statut d'occupation inconnu")
    missing = set(h["household_id"]) - set(p["household_id"])
    for hid in missing:
        reasons.setdefault(hid, "ménage sans personne")
    return pd.DataFrame({"household_id": list(reasons), "reason": list(reasons.values())}, dtype=object)


# ----------------------------------------------------------------------------------------------
# entities


def entities(persons: pd.DataFrame) -> pd.DataFrame:
    """One row per person (sorted by household, member) with its famille, foyer fiscal and ménage
    ids and roles. Pure and vectorised."""
    own_age = BRIDGE_PARAMETERS["own_family_age"]["value"]
    p = persons.sort_values(["household_id", "member"], kind="stable").reset_index(drop=True)
    role = p["role"].astype(str).to_numpy()
    is_child = np.isin(role, CHILD_ROLES)
    household_type_no_family = role == "no_family_member"
    own = household_type_no_family | (is_child & (p["age"].to_numpy() >= own_age))
    pid = p["person_id"].astype(str).to_numpy()
    hid = p["household_id"].astype(str).to_numpy()
    famille = np.where(own, pid, hid)
    in_couple = np.isin(role, COUPLE_ROLES) & ~own
    # the first couple adult of a famille is the claimant, the second the partner
    couple_rank = pd.Series(in_couple.astype(int)).groupby(famille).cumsum().to_numpy()
    famille_role = np.where(is_child & ~own, "enfant", np.where(in_couple & (couple_rank == 2), "conjoint", "demandeur"))
    # a famille must have exactly one claimant: if no adult took it, the first member does
    foyer_role = np.select([famille_role == "enfant", famille_role == "conjoint"],
                           ["personne_a_charge", "conjoint"], "declarant_principal")
    member = p["member"].to_numpy()
    menage_role = np.select([member == 0, np.isin(role, COUPLE_ROLES), is_child & ~own],
                            ["personne_de_reference", "conjoint", "enfant"], "autre")
    return pd.DataFrame({"person_id": pid, "household_id": hid, "famille": famille, "famille_role": famille_role,
                         "foyer_role": foyer_role, "menage_role": menage_role})


# ----------------------------------------------------------------------------------------------
# simulation


@dataclass
class Computation:
    """Entitlements of one batch: ``amounts`` has one row per (unit, benefit) with a non-zero
    entitlement (cash: € per month; in kind: eligible, amount 0)."""

    amounts: pd.DataFrame
    explanations: dict[str, dict] = field(default_factory=dict)   # unit_id → {variable: value}
    costs: dict[tuple[str, str], float] = field(default_factory=dict)   # (unit_id, benefit) → € per month paid


def _month_list(month: pd.Period, count: int) -> list[str]:
    return [str(month - k) for k in range(count, 0, -1)]


def _set_years(sim, variable: str, years: list[int], monthly: np.ndarray) -> None:
    for year in years:
        sim.set_input(variable, str(year), monthly * 12.0)


def _set_dispatch(sim, variable: str, years: list[int], values: np.ndarray) -> None:
    for year in years:
        sim.set_input(variable, str(year), values)


def _situation(households: pd.DataFrame, persons: pd.DataFrame, month: str):
    """(entity table, a function that returns a fresh simulation of these persons with their
    situation set — ages, activity, disability, family ties, dwelling — and no income)."""
    from openfisca_core.simulation_builder import SimulationBuilder

    system = tax_benefit_system()
    params = BRIDGE_PARAMETERS
    period = pd.Period(month, freq="M")
    years = list(range(period.year - 3, period.year + 1))
    ent = entities(persons)
    p = persons.set_index("person_id").loc[ent["person_id"]].reset_index()
    h = households.set_index("household_id")
    famille_ids = pd.unique(ent["famille"].to_numpy())
    menage_ids = pd.unique(ent["household_id"].to_numpy())
    age = p["age"].to_numpy()
    first = np.datetime64(f"{period.year}-{period.month:02d}-01")
    birth = (first - (np.floor(age * 365.25) + 183).astype("timedelta64[D]")).astype("datetime64[D]")
    activity = np.array([ACTIVITY[a] for a in p["activity"].astype(str)])
    disabled = p["disability"].to_numpy(bool)
    incapacity = np.where(disabled, params["disability_incapacity_rate"]["value"], 0.0)
    married = np.where(np.isin(ent["famille_role"], ("demandeur", "conjoint"))
                       & np.isin(p["role"].astype(str), COUPLE_ROLES), "marie", "celibataire")
    hh = h.loc[menage_ids]
    tenure = np.array([TENURE[t] for t in hh["tenure"].astype(str)])
    rent = hh["rent_eur_month"].to_numpy(float)
    depcom = hh["arrondissement"].astype(str).to_numpy()
    claimants = ent["famille_role"].to_numpy() == "demandeur"
    years_in_paris = pd.Series(p["years_in_paris"].to_numpy()[claimants], index=ent["famille"].to_numpy()[claimants])
    residence = years_in_paris.reindex(famille_ids).fillna(0).to_numpy(float)
    residence_months = _month_list(period, params["past_months"]) + [str(period)]

    base = []

    def skeleton():
        """A simulation with only the situation set: built once; afterwards every value set or
        computed since is deleted (cheaper than building it again)."""
        if base:
            sim, kept = base
            for population in sim.populations.values():
                for name, holder in population._holders.items():
                    if name not in kept:
                        holder.delete_arrays()
            return sim
        builder = SimulationBuilder()
        builder.create_entities(system)
        builder.declare_person_entity("individu", ent["person_id"].to_numpy())
        for key, ids, column, roles in (("famille", famille_ids, "famille", "famille_role"),
                                        ("foyer_fiscal", famille_ids, "famille", "foyer_role"),
                                        ("menage", menage_ids, "household_id", "menage_role")):
            population = builder.declare_entity(key, ids)
            builder.join_with_persons(population, ent[column].to_numpy(), ent[roles].to_numpy())
        sim = builder.build(system)
        sim.set_input("date_naissance", "ETERNITY", birth)
        _set_dispatch(sim, "activite", years, activity)
        _set_dispatch(sim, "handicap", years, disabled)
        _set_dispatch(sim, "taux_incapacite", years, incapacity)
        _set_dispatch(sim, "statut_marital", years, married)
        _set_dispatch(sim, "statut_occupation_logement", years, tenure)
        _set_years(sim, "loyer", years, rent)
        _set_dispatch(sim, "depcom", years, depcom)
        _set_dispatch(sim, "zone_apl", years, np.full(len(menage_ids), "zone_1"))   # all of Paris is APL zone 1
        # years of residence in Paris: the Paris aids' condition is a rule of the extension
        # (recoque/rights/openfisca_extension), not a test here
        for m in residence_months:
            sim.set_input("paris_annees_residence", m, residence)
        base.extend([sim, {name for population in sim.populations.values() for name in population._holders}])
        return sim

    return ent, p, skeleton


def gross_incomes(households: pd.DataFrame, persons: pd.DataFrame, month: str, situation=None) -> pd.DataFrame:
    """Gross, taxable and net monthly amounts of every person (OpenFisca variable names), found by
    inverting OpenFisca's own contribution rules (recoque.rights.incomes): salaries for everyone
    at once, pensions and unemployment benefits with the reference tax income only in the
    households that receive some. ``situation``: the batch's ``_situation`` when already built."""
    ent, p, skeleton = situation or _situation(households, persons, month)
    ids = ent["person_id"].to_numpy()
    salary = incomes.salaries(skeleton, p["salary_month"].to_numpy(float), month)
    out = pd.DataFrame(salary, index=pd.Index(ids, name="person_id"))
    for name in ("retraite_brute", "retraite_imposable", "chomage_brut", "chomage_imposable"):
        out[name] = 0.0
    out["retraite_nette"] = p["pension_month"].to_numpy(float)
    out["chomage_net"] = p["unemployment_month"].to_numpy(float)
    receiving = p.loc[(p["pension_month"] > 0) | (p["unemployment_month"] > 0), "household_id"].unique()
    if len(receiving):
        wanted = set(receiving)
        sub_h = households[households["household_id"].isin(wanted)]
        sub_p = persons[persons["household_id"].isin(wanted)]
        sub_ent, sp, sub_skeleton = _situation(sub_h, sub_p, month)
        sub_ids = sub_ent["person_id"].to_numpy()
        net = {c: sp[c].to_numpy(float) for c in ("pension_month", "unemployment_month")}
        values, _ = incomes.replacement_incomes(
            sub_skeleton, net, {k: out.loc[sub_ids, k].to_numpy() for k in ("salaire_net", "salaire_imposable")},
            sp["other_income_month"].to_numpy(float), month)
        for name, array in values.items():
            out.loc[sub_ids, name] = array
    return out


def build_simulation(households: pd.DataFrame, persons: pd.DataFrame, month: str,
                     records: pd.DataFrame | None = None, *, past: str = "records",
                     amounts: pd.DataFrame | None = None):
    """An OpenFisca simulation of ``households`` for ``month`` (``YYYY-MM``); returns (simulation,
    entity table). With ``past="records"``, ``records`` (unit_id, benefit, amount_month) give the
    benefits received over the past months (None: nothing received); with ``past="computed"``,
    OpenFisca computes them as if the situation had not changed (slower; the simulator and the
    reference households use it). ``amounts``: the persons' gross, taxable and net incomes
    (:func:`gross_incomes`; computed here when not given)."""
    period = pd.Period(month, freq="M")
    years = list(range(period.year - 3, period.year + 1))
    situation = _situation(households, persons, month)
    ent, p, skeleton = situation
    if amounts is None:
        amounts = gross_incomes(households, persons, month, situation)
    amounts = amounts.reindex(ent["person_id"].to_numpy())
    sim = skeleton()
    for variable in amounts.columns:
        _set_years(sim, variable, years, amounts[variable].to_numpy(float))
    _set_years(sim, "pensions_alimentaires_percues", years, p["other_income_month"].to_numpy(float))
    famille_ids = pd.unique(ent["famille"].to_numpy())
    menage_ids = pd.unique(ent["household_id"].to_numpy())
    if past == "records":
        _set_past_benefits(sim, ent, famille_ids, menage_ids, period, records)
    elif past != "computed":
        raise ValueError(f"past must be 'records' or 'computed', not {past!r}")
    return sim, ent


def _unit_ids(entity_key: str, ent: pd.DataFrame, famille_ids, menage_ids) -> np.ndarray:
    return {"individu": ent["person_id"].to_numpy(), "famille": famille_ids, "foyer_fiscal": famille_ids,
            "menage": menage_ids}[entity_key]


def _set_past_benefits(sim, ent, famille_ids, menage_ids, period: pd.Period, records: pd.DataFrame | None) -> None:
    system = tax_benefit_system()
    months = _month_list(period, BRIDGE_PARAMETERS["past_months"])
    received = (records.groupby(["benefit", "unit_id"])["amount_month"].sum() if records is not None and len(records)
                else pd.Series(dtype=float))
    held = (records.groupby(["benefit", "unit_id"]).size() if records is not None and len(records)
            else pd.Series(dtype=float))
    for name in list(benefits()) + list(PAST_NIL):
        variable = system.variables[name]
        if variable.definition_period != "month":
            continue
        ids = _unit_ids(variable.entity.key, ent, famille_ids, menage_ids)
        if name in PAST_NIL or name not in received.index.get_level_values(0):
            values = np.zeros(len(ids), dtype=bool if variable.value_type is bool else float)
        elif variable.value_type is bool:   # a right in kind is held when a record exists (amount 0)
            values = held.loc[name].reindex(ids).fillna(0).to_numpy() > 0
        else:
            values = received.loc[name].reindex(ids).fillna(0.0).to_numpy(float)
        for m in months:
            sim.set_input(name, m, values)


def compute(households: pd.DataFrame, persons: pd.DataFrame, month: str, *,
            benefit_ids: list[str] | None = None, records: pd.DataFrame | None = None,
            explain: bool = False, past: str = "records", amounts: pd.DataFrame | None = None) -> Computation:
    """Entitlements of every unit of ``households`` for ``month`` (``amounts``: the persons'
    gross and taxable incomes when already inverted, see :func:`gross_incomes`)."""
    chosen = [benefits()[b] for b in (benefit_ids or list(benefits()))]
    if households.empty:
        return Computation(pd.DataFrame(columns=["household_id", "unit_id", "benefit", "amount_month", "in_kind"]))
    sim, ent = build_simulation(households, persons, month, records, past=past, amounts=amounts)
    famille_ids = pd.unique(ent["famille"].to_numpy())
    menage_ids = pd.unique(ent["household_id"].to_numpy())
    unit_household = pd.concat([pd.Series(ent["household_id"].to_numpy(), index=ent["person_id"].to_numpy()),
                                ent.drop_duplicates("famille").set_index("famille")["household_id"],
                                pd.Series(menage_ids, index=menage_ids)])
    unit_household = unit_household[~unit_household.index.duplicated()]
    frames = []
    explanations: dict[str, dict] = {}
    costs: dict[tuple[str, str], float] = {}
    period = pd.Period(month, freq="M")
    for b in chosen:
        values, ids = _calculate(sim, b, period, ent, famille_ids, menage_ids)
        hit = values > 0
        if not hit.any():
            continue
        unit = ids[hit]
        if b.participation:
            costs.update({(str(u), b.id): round(float(v), 2) for u, v in zip(unit, values[hit])})
        frames.append(pd.DataFrame({"household_id": unit_household.loc[unit].to_numpy(), "unit_id": unit,
                                    "benefit": b.id, "amount_month": np.round(values[hit], 2) if b.kind == "cash" else 0.0,
                                    "in_kind": b.kind == "in_kind"}))
        if explain:
            details = {name: _calculate_named(sim, name, period, ent, famille_ids, menage_ids, ids) for name in b.explain}
            where = np.flatnonzero(hit)
            known = {name: np.round(v[where], 2).tolist() for name, v in details.items() if v is not None}
            for k, u in enumerate(unit.tolist()):
                explanations.setdefault(str(u), {})[b.id] = {name: values[k] for name, values in known.items()}
    amounts = (pd.concat(frames, ignore_index=True) if frames
               else pd.DataFrame(columns=["household_id", "unit_id", "benefit", "amount_month", "in_kind"]))
    return Computation(amounts, explanations, costs)


def _calculate(sim, b: Benefit, period: pd.Period, ent, famille_ids, menage_ids) -> tuple[np.ndarray, np.ndarray]:
    variable = tax_benefit_system().variables[b.id]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if variable.definition_period == "year":
            values = sim.calculate(b.id, str(period.year)).astype(float) / 12.0
        else:
            values = sim.calculate(b.id, str(period)).astype(float)
            if b.yearly_amount:
                values = values / 12.0
    return values, _unit_ids(variable.entity.key, ent, famille_ids, menage_ids)


def _calculate_named(sim, name: str, period, ent, famille_ids, menage_ids, ids) -> np.ndarray | None:
    variable = tax_benefit_system().variables.get(name)
    if variable is None or variable.definition_period != "month":
        return None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        values = np.asarray(sim.calculate(name, str(period)), dtype=float)
    own = _unit_ids(variable.entity.key, ent, famille_ids, menage_ids)
    if len(own) == len(ids) and (own == ids).all():
        return values
    return None


def references(benefit_id: str) -> list[str]:
    """Legal references OpenFisca gives for a benefit (may be empty)."""
    ref = tax_benefit_system().variables[benefit_id].reference
    return [ref] if isinstance(ref, str) and ref else list(ref or [])
