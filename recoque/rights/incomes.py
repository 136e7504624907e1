"""Gross and taxable incomes from the net amounts the records hold, by OpenFisca-France's rules.

Records hold net monthly amounts (what people receive). The rules also read gross amounts (the
ASPA, the AAH, the CSG itself) and taxable amounts (income tax, housing aid, the Paris aids).
No flat factor can turn one into the other: the CSG, CRDS and CASA on pensions and unemployment
benefits are exempt, reduced, intermediate or full according to the household's reference tax
income of two years before (CSS art. L136-8, III), and employees' social contributions have
ceilings. This module finds, for every person, the gross amounts whose net *by OpenFisca's own
variables* equals the recorded net (``bridge.gross_incomes`` calls it):

- :func:`salaries`: a trial gross salary goes through ``salaire_net``; it is corrected by the
  ratio of recorded to computed net (secant on a piecewise-linear function) until it matches;
- :func:`replacement_incomes`: the reference tax income (``rfr``) of N-2 is computed by OpenFisca
  from taxable amounts, and at that ``rfr`` pensions and unemployment benefits go through
  ``retraite_nette`` and ``chomage_net`` the same way; starting from the exempt rate (taxable =
  net, the lowest ``rfr``), the taxable amounts found feed a new ``rfr``, until they no longer
  change. Rates only rise with the ``rfr``, so the loop stops at the smallest consistent solution.

Convention (stated in the register): a person's monthly amounts are the same in every month of
the years the rules read (N-3 to N), and the gross of year N is used for all of them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

#: starting guesses of net / gross (only where the iteration starts; the result does not depend on them)
START_RATIO = {"salary_month": 0.78, "pension_month": 1.0, "unemployment_month": 1.0}
TOLERANCE = 0.001   # € per month
MAX_STEPS = 8
MAX_ROUNDS = 5


def _calculate(sim, names: tuple[str, ...], period: str) -> dict[str, np.ndarray]:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return {name: np.asarray(sim.calculate(name, period), dtype=float) for name in names}


def _secant(evaluate, net: np.ndarray, start_ratio: float) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Gross amounts whose ``evaluate(gross)["net"]`` equals ``net``: each person's amount is
    corrected by the ratio of wanted to computed net until its own net matches to TOLERANCE, then
    left alone (the result does not depend on who else is in the batch)."""
    gross = np.where(net > 0, net / start_ratio, 0.0)
    computed = evaluate(gross)
    for _ in range(MAX_STEPS):
        got = computed["net"]
        todo = (net > 0) & (got > 0) & (np.abs(got - net) >= TOLERANCE)
        if not todo.any():
            break
        gross = np.where(todo, gross * net / np.where(got > 0, got, 1.0), gross)
        computed = evaluate(gross)
    return gross, computed


def salaries(skeleton, net: np.ndarray, month: str) -> dict[str, np.ndarray]:
    """Gross and taxable salaries by OpenFisca's ``salaire_net`` and ``salaire_imposable`` of
    ``salaire_de_base`` (employees' contributions, CSG and CRDS on earnings: no dependence on
    the reference tax income)."""
    if not (net > 0).any():
        zero = np.zeros(len(net))
        return {"salaire_de_base": zero, "salaire_imposable": zero, "salaire_net": net.copy()}

    def evaluate(gross):
        sim = skeleton()
        sim.set_input("salaire_de_base", month, gross)
        out = _calculate(sim, ("salaire_net", "salaire_imposable"), month)
        return {"net": out["salaire_net"], "taxable": out["salaire_imposable"]}

    gross, computed = _secant(evaluate, net, START_RATIO["salary_month"])
    return {"salaire_de_base": gross, "salaire_imposable": np.where(net > 0, computed["taxable"], 0.0),
            "salaire_net": net.copy()}


def _rfr(skeleton, taxable: dict[str, np.ndarray], other: np.ndarray, year: int) -> np.ndarray:
    """Reference tax income of ``year`` by OpenFisca, from monthly taxable amounts held all year."""
    sim = skeleton()
    for variable, values in taxable.items():
        sim.set_input(variable, str(year), values * 12.0)
    sim.set_input("pensions_alimentaires_percues", str(year), other * 12.0)
    return _calculate(sim, ("rfr",), str(year))["rfr"]


def replacement_incomes(skeleton, net: dict[str, np.ndarray], salary: dict[str, np.ndarray], other: np.ndarray,
                        month: str) -> tuple[dict[str, np.ndarray], int]:
    """Gross and taxable pensions and unemployment benefits: the CSG, CRDS and CASA rate follows
    the reference tax income of N-2, which follows the taxable amounts; rounds until the taxable
    amounts no longer change. Returns (values, rounds)."""
    period = pd.Period(month, freq="M")
    year_n2 = str(period.year - 2)
    taxable = {"retraite_imposable": net["pension_month"].copy(), "chomage_imposable": net["unemployment_month"].copy()}
    gross = {}
    last = None
    rounds = 0
    for rounds in range(1, MAX_ROUNDS + 1):
        rfr_n2 = _rfr(skeleton, {"salaire_imposable": salary["salaire_imposable"], **taxable}, other, period.year - 2)
        for column, (g_name, n_name, t_name) in {"pension_month": ("retraite_brute", "retraite_nette", "retraite_imposable"),
                                                 "unemployment_month": ("chomage_brut", "chomage_net", "chomage_imposable")
                                                 }.items():
            def evaluate(g, g_name=g_name, n_name=n_name, t_name=t_name):
                sim = skeleton()
                sim.set_input("rfr", year_n2, rfr_n2)
                sim.set_input("salaire_net", month, salary["salaire_net"])
                sim.set_input("salaire_imposable", month, salary["salaire_imposable"])
                sim.set_input(g_name, month, g)
                out = _calculate(sim, (n_name, t_name), month)
                return {"net": out[n_name], "taxable": out[t_name]}

            values = net[column]
            if (values > 0).any():
                g, computed = _secant(evaluate, values, START_RATIO[column])
                gross[g_name] = g
                taxable[t_name] = np.where(values > 0, computed["taxable"], 0.0)
            else:
                gross[g_name] = np.zeros(len(values))
        key = tuple(np.round(v, 2).tobytes() for v in taxable.values())
        if key == last:
            break
        last = key
    return {**gross, **taxable, "retraite_nette": net["pension_month"].copy(),
            "chomage_net": net["unemployment_month"].copy()}, rounds
