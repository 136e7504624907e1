"""Published tables per IRIS (INSEE RP2016, RP2022, Filosofi 2018), checked and harmonised.

Every target the synthesis fits comes from here: the whole resident population, people living
in communities (about 2 % of Paris) included as their own household type.
Small published inconsistencies are repaired by a stated rule and reported; large ones stop
the build with the table, the IRIS and the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from recoque.core.errors import DataFileError
from recoque.core.typography import number
from recoque.territory.residents import iris_residents, paris_rows
from recoque.territory.sources import read_source

AGE_COLUMNS = ["P16_POP0014", "P16_POP1529", "P16_POP3044", "P16_POP4559", "P16_POP6074", "P16_POP75P"]
CS_COLUMNS = [f"C16_POP15P_CS{i}" for i in range(1, 9)]
TYPE_COLUMNS = {
    "alone_man": "C16_PMEN_MENHSEUL",
    "alone_woman": "C16_PMEN_MENFSEUL",
    "couple_without_children": "C16_PMEN_MENCOUPSENF",
    "couple_with_children": "C16_PMEN_MENCOUPAENF",
    "lone_parent": "C16_PMEN_MENFAMMONO",
    "no_family": "C16_PMEN_MENSFAM",
}
#: people living outside ordinary households: residents minus persons in households
COMMUNITY = "community"
#: relative gap tolerated between two tables before it is an error rather than a repair
REPAIR_TOLERANCE = 0.05


@dataclass
class Margins:
    """Targets per IRIS code (index), for the household population."""

    age: pd.DataFrame            # persons by the six age bands
    csp: pd.DataFrame            # persons 15+ by the eight CS
    persons_by_type: pd.DataFrame  # persons by household type (TYPE_COLUMNS keys)
    households: pd.Series        # main residences = households
    social_housing: pd.Series    # households renting HLM
    alone_80_plus: pd.Series     # RP2022 people aged 80+ living alone
    alone_55_plus: pd.Series     # RP2022 people aged 55+ living alone
    income_deciles: pd.DataFrame  # D1..D9 of disposable income per consumption unit (€/year)
    income_shares: pd.DataFrame   # shares (%) of activity, pensions, unemployment, patrimony
    income_published: pd.Series  # True where Filosofi publishes the IRIS itself
    arrondissement: pd.Series    # INSEE arrondissement code per IRIS
    residents: pd.DataFrame      # the level behind the counts (recoque.territory.residents)
    repairs: list[str] = field(default_factory=list)

    @property
    def iris(self) -> pd.Index:
        return self.age.index

    def scaled(self, scale: float) -> Margins:
        """Counts multiplied by ``scale`` (shares, incomes and flags unchanged)."""
        return Margins(
            age=self.age * scale, csp=self.csp * scale, persons_by_type=self.persons_by_type * scale,
            households=self.households * scale, social_housing=self.social_housing * scale,
            alone_80_plus=self.alone_80_plus * scale, alone_55_plus=self.alone_55_plus * scale,
            income_deciles=self.income_deciles, income_shares=self.income_shares,
            income_published=self.income_published, arrondissement=self.arrondissement,
            residents=self.residents.assign(residents=self.residents["residents"] * scale),
            repairs=list(self.repairs),
        )


def read_margins(data_dir: Path) -> Margins:
    """Read, check and harmonise every published table for the 992 IRIS of Paris.

    Counts are the residents of ``recoque.territory.residents`` (the RP2022 level) times the
    RP2016 rates per resident — the IRIS's own, or its arrondissement's where RP2016 does not
    describe the IRIS (the « non-habitat » IRIS). People living outside households (care homes,
    student residences, religious communities, prisons) are the residents the household table
    does not count: they form the ``community`` type."""
    data_dir = Path(data_dir)
    pop = paris_rows(read_source(data_dir, "population_rp2016"), "population_rp2016")
    hh = paris_rows(read_source(data_dir, "households_rp2016"), "households_rp2016")
    housing = paris_rows(read_source(data_dir, "housing_rp2016"), "housing_rp2016")
    elderly = paris_rows(read_source(data_dir, "elderly_alone_rp2022"), "elderly_alone_rp2022")
    filo = paris_rows(read_source(data_dir, "filosofi_2018"), "filosofi_2018")
    residents = iris_residents(data_dir)
    repairs: list[str] = []

    described = pop.index
    for name, table in (("households_rp2016", hh), ("housing_rp2016", housing)):
        missing = described.difference(table.index)
        if len(missing):
            raise DataFileError(data_dir / name, f"IRIS {missing[0]} of the population table is missing "
                                                 f"({len(missing)} in all)")
    hh, housing = hh.loc[described], housing.loc[described]

    age = pop[AGE_COLUMNS].astype(float)
    csp = pop[CS_COLUMNS].astype(float)
    types = pd.DataFrame({k: hh[c].astype(float) for k, c in TYPE_COLUMNS.items()})
    for name, frame in (("population_rp2016", pd.concat([age, csp], axis=1)), ("households_rp2016", types)):
        bad = frame.lt(0).any(axis=1) | frame.isna().any(axis=1)
        if bad.any():
            code = bad[bad].index[0]
            raise DataFileError(data_dir / name, f"IRIS {code} has a negative or missing count")

    total = age.sum(axis=1)
    pop15 = total - age["P16_POP0014"]
    household_pop = types.sum(axis=1)

    # CS counts must add up to the 15+ population (weighted census counts: small gaps happen)
    cs_gap = (csp.sum(axis=1) - pop15) / pop15.where(pop15 > 0, 1.0)
    _check_gap(cs_gap, "C16_POP15P_CS1..8 vs persons aged 15+", data_dir / "population_rp2016", repairs)
    csp = csp.mul(pop15 / csp.sum(axis=1).where(csp.sum(axis=1) > 0, 1.0), axis=0)

    # household population cannot exceed the population beyond rounding
    over = (household_pop - total) / total.where(total > 0, 1.0)
    _check_gap(over.clip(lower=0), "persons in households vs total population", data_dir / "households_rp2016",
               repairs)
    household_pop = np.minimum(household_pop, total)
    types = types.mul(household_pop / types.sum(axis=1).where(types.sum(axis=1) > 0, 1.0), axis=0)
    types[COMMUNITY] = total - household_pop

    households = (housing["P16_RPMAISON"] + housing["P16_RPAPPART"]).astype(float)
    social = housing["P16_RP_LOCHLMV"].astype(float).clip(upper=households)
    counts16 = pd.concat({"age": age, "csp": csp, "types": types,
                          "housing": pd.DataFrame({"households": households, "social": social})}, axis=1)

    # RP2016 rates per resident: the IRIS's own, or its arrondissement's; times the residents
    iris = residents.index
    arrondissement = residents["arrondissement"]
    own_rates = counts16.div(total.where(total > 0), axis=0)
    arr_rates = counts16.groupby(counts16.index.str[:5]).sum().div(total.groupby(total.index.str[:5]).sum(), axis=0)
    own = residents["structure"] == "iris"
    rates = arr_rates.loc[arrondissement].set_axis(iris)
    rates.loc[own] = own_rates.loc[iris[own]].to_numpy()
    counts = rates.mul(residents["residents"], axis=0).fillna(0.0)
    borrowed = residents.loc[~own & (residents["residents"] > 0)]
    if len(borrowed):
        repairs.append(
            f"{len(borrowed)} IRIS (dont {int((~borrowed.index.isin(described)).sum())} IRIS « non habitat » absents "
            f"des tableaux RP2016) prennent la structure de leur arrondissement (âges, CS, types de ménage, "
            f"logement) : {number(borrowed['residents'].sum())} habitants")
    community = counts[("types", COMMUNITY)]
    many = (community > 0.1 * residents["residents"]) & (residents["residents"] > 0)
    if many.any():
        repairs.append(f"{int(many.sum())} IRIS comptent plus de 10 % d'habitants hors ménage (établissements, "
                       f"résidences, communautés) ; {number(community.sum())} personnes en tout à Paris vivent hors "
                       f"ménage, synthétisées comme personnes vivant en communauté")

    deciles, shares, published = _income(filo, iris, arrondissement, counts["types"].sum(axis=1), repairs)
    return Margins(
        age=counts["age"], csp=counts["csp"], persons_by_type=counts["types"],
        households=counts[("housing", "households")], social_housing=counts[("housing", "social")],
        alone_80_plus=elderly["elderly_80_plus_alone"].reindex(iris).fillna(0.0).astype(float),
        alone_55_plus=elderly["elderly_55_plus_alone"].reindex(iris).fillna(0.0).astype(float),
        income_deciles=deciles, income_shares=shares, income_published=published,
        arrondissement=arrondissement, residents=residents, repairs=repairs,
    )


def _check_gap(gap: pd.Series, what: str, path: Path, repairs: list[str]) -> None:
    worst = gap.abs().idxmax()
    if abs(gap[worst]) > REPAIR_TOLERANCE:
        raise DataFileError(path, f"IRIS {worst}: {what} differ by {gap[worst]:+.1%} "
                                  f"(more than {REPAIR_TOLERANCE:.0%}): the table is inconsistent")
    fixed = gap[gap.abs() > 1e-9]
    if len(fixed):
        repairs.append(f"{what} : {len(fixed)} IRIS présentent un écart (au plus {gap[worst]:+.2%}, IRIS {worst}) ; "
                       f"remis à l'échelle proportionnellement")


def _income(filo: pd.DataFrame, iris: pd.Index, arrondissement: pd.Series, weights: pd.Series,
            repairs: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Deciles per IRIS; where Filosofi is secret, the population-weighted mean of the
    arrondissement's published IRIS deciles (a stated approximation of its distribution)."""
    cols = ["DISP_D118", "DISP_D218", "DISP_D318", "DISP_D418", "DISP_MED18",
            "DISP_D618", "DISP_D718", "DISP_D818", "DISP_D918"]
    share_cols = ["DISP_PACT18", "DISP_PPEN18", "DISP_PCHO18", "DISP_PPAT18"]
    table = filo.reindex(iris)
    deciles = table[cols].apply(pd.to_numeric, errors="coerce")
    shares = table[share_cols].apply(pd.to_numeric, errors="coerce")
    published = deciles.notna().all(axis=1)
    if not published.all():
        w = weights.where(published, 0.0)
        arr_dec = deciles.fillna(0.0).mul(w, axis=0).groupby(arrondissement).sum().div(
            w.groupby(arrondissement).sum(), axis=0)
        arr_sh = shares.fillna(0.0).mul(w, axis=0).groupby(arrondissement).sum().div(
            w.groupby(arrondissement).sum(), axis=0)
        missing = ~published
        deciles.loc[missing] = arr_dec.loc[arrondissement[missing]].to_numpy()
        shares.loc[missing] = arr_sh.loc[arrondissement[missing]].to_numpy()
        repairs.append(f"Filosofi : {int(missing.sum())} IRIS sont couverts par le secret statistique ou absents ; "
                       f"ils reçoivent les déciles moyens (pondérés par la population) des IRIS publiés de leur "
                       f"arrondissement")
    shares = shares.fillna(shares.mean())
    if (deciles.diff(axis=1).iloc[:, 1:] < 0).any().any():
        bad = deciles.index[(deciles.diff(axis=1).iloc[:, 1:] < 0).any(axis=1)][0]
        raise DataFileError("filosofi_2018", f"IRIS {bad}: income deciles are not increasing")
    deciles.columns = [f"D{i}" for i in range(1, 10)]
    return deciles, shares, published
