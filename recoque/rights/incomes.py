"""Gross and taxable incomes from the net amounts the records hold, by OpenFisca-France's rules.

Records hold net monthly amounts (what people receive). The rules also read gross amounts (the
ASPA, the AAH, the CSG itself) and taxable amounts (income tax, housing aid, the Paris aids).
No flat factor can turn one into the other: the CSG, CRDS and CASA on pensions and unemployment
benefits are exempt, reduced, intermediate or full according to the household's reference tax
income of two years before (CSS art. L136-8, III), and employees' social contributions have
ceilings. :func:`invert` finds, for every person, the gross amounts whose net *by OpenFisca's
own variables* equals the recorded net:

- the reference tax income (``rfr``) of N-2 and the tax shares (``nbptr``) are computed by
  OpenFisca from taxable amounts; the CSG rate of each person follows from them in OpenFisca's
  formulas;
- at that ``rfr``, a trial gross amount goes through ``salaire_net``, ``retraite_nette`` and
  ``chomage_net``; the gross is corrected by the ratio of recorded to computed net (secant on a
  piecewise-linear function: two or three steps reach the cent);
- starting from the exempt rate (taxable = net, the lowest ``rfr``), the taxable amounts this
  gives feed a new ``rfr``; repeated until the rates no longer change. Rates only rise with the
  ``rfr``, so the loop stops at the smallest consistent solution.

Convention (stated in the register): a person's monthly amounts are the same in every month of
the years the rules read (N-3 to N), and the gross of year N is used for all of them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: OpenFisca variables (monthly) that the inversion returns, per recorded net column
GROSS = {"salary_month": "salaire_de_base", "pension_month": "retraite_brute", "unemployment_month": "chomage_brut"}
NET = {"salary_month": "salaire_net", "pension_month": "retraite_nette", "unemployment_month": "chomage_net"}
TAXABLE = {"salary_month": "salaire_imposable", "pension_month": "retraite_imposable",
           "unemployment_month": "chomage_imposable"}
#: starting guesses of net / gross (only where the iteration starts; the result does not depend on them)
START_RATIO = {"salary_month": 0.78, "pension_month": 1.0, "unemployment_month": 1.0}
TOLERANCE = 0.001   # € per month
MAX_STEPS = 8
MAX_ROUNDS = 5


@dataclass
class Incomes:
    """Monthly amounts per person (rows in the order of the entity table): gross, taxable and net
    for salaries, pensions and unemployment benefits, as OpenFisca variable names."""

    values: dict[str, np.ndarray]
    rounds: int

    def frame(self, person_ids) -> pd.DataFrame:
        return pd.DataFrame(self.values, index=pd.Index(person_ids, name="person_id"))


def _evaluate(skeleton, gross: dict[str, np.ndarray], month: str, rfr_n2: np.ndarray) -> dict[str, np.ndarray]:
    """Net and taxable amounts of ``month`` for the given gross amounts, at a given rfr of N-2."""
    sim = skeleton()
    period = pd.Period(month, freq="M")
    for column, variable in GROSS.items():
        sim.set_input(variable, month, gross[column])
    sim.set_input("rfr", str(period.year - 2), rfr_n2)
    out = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for column in GROSS:
            out[NET[column]] = np.asarray(sim.calculate(NET[column], month), dtype=float)
            out[TAXABLE[column]] = np.asarray(sim.calculate(TAXABLE[column], month), dtype=float)
    return out


def _rfr(skeleton, taxable: dict[str, np.ndarray], other: np.ndarray, year: int) -> np.ndarray:
    """Reference tax income of ``year`` by OpenFisca, from monthly taxable amounts held all year."""
    sim = skeleton()
    for column, variable in TAXABLE.items():
        sim.set_input(variable, str(year), taxable[column] * 12.0)
    sim.set_input("pensions_alimentaires_percues", str(year), other * 12.0)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return np.asarray(sim.calculate("rfr", str(year)), dtype=float)


def invert(skeleton, net: dict[str, np.ndarray], other: np.ndarray, month: str) -> Incomes:
    """Gross and taxable amounts whose OpenFisca net equals ``net`` (column → monthly array).

    ``skeleton()`` returns a fresh OpenFisca simulation of the same persons and entities with the
    persons' and households' situation set (ages, activity, family ties), and no income."""
    period = pd.Period(month, freq="M")
    gross = {c: np.where(net[c] > 0, net[c] / START_RATIO[c], 0.0) for c in GROSS}
    taxable = {c: net[c].copy() for c in GROSS}
    rates_key = None
    rounds = 0
    for rounds in range(1, MAX_ROUNDS + 1):
        rfr_n2 = _rfr(skeleton, taxable, other, period.year - 2)
        for _ in range(MAX_STEPS):
            computed = _evaluate(skeleton, gross, month, rfr_n2)
            pending = False
            for c in GROSS:
                got = computed[NET[c]]
                # each person's amount is corrected until its own net matches, then left alone: the
                # result does not depend on who else is in the batch
                todo = (net[c] > 0) & (got > 0) & (np.abs(got - net[c]) >= TOLERANCE)
                gross[c] = np.where(todo, gross[c] * net[c] / np.where(got > 0, got, 1.0), gross[c])
                gross[c] = np.where(net[c] > 0, gross[c], 0.0)
                pending = pending or bool(todo.any())
            if not pending:
                break
        computed = _evaluate(skeleton, gross, month, rfr_n2)
        taxable = {c: computed[TAXABLE[c]] for c in GROSS}
        key = tuple(np.round(taxable[c], 2).tobytes() for c in GROSS)
        if key == rates_key:
            break
        rates_key = key
    values = {}
    for c in GROSS:
        values[GROSS[c]] = gross[c]
        values[TAXABLE[c]] = taxable[c]
        values[NET[c]] = net[c]
    return Incomes(values, rounds)
