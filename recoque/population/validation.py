"""Synthetic (or loaded) population against the published tables, IRIS by IRIS.

For every calibrated table: the total absolute error as a share of the published total, at
IRIS and at arrondissement level, and the median over IRIS of each IRIS's own error share.
Incomes: the persons' median standard of living per IRIS against Filosofi's DISP_MED18.
Aggregates are computed with DuckDB over the stored Parquet.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from recoque.population.margins import Margins
from recoque.population.params import PARAMETERS
from recoque.population.synthesis import HOUSEHOLD_TYPES

#: targets of the issue (shares)
TARGETS = {"arrondissement_tae_share": 0.01, "median_iris_error": 0.05, "income_median_error": 0.05,
           "residents_per_arrondissement": 0.03, "residents_paris": 0.01}
BAND_SQL = ("CASE WHEN age < 15 THEN 0 WHEN age < 30 THEN 1 WHEN age < 45 THEN 2 "
            "WHEN age < 60 THEN 3 WHEN age < 75 THEN 4 ELSE 5 END")


def _pivot(con: duckdb.DuckDBPyConnection, sql: str, columns: list) -> pd.DataFrame:
    frame = con.sql(sql).df()
    if frame.empty:
        return pd.DataFrame(columns=columns, dtype=float)
    table = frame.pivot_table(index="iris", columns="k", values="n", aggfunc="sum", fill_value=0)
    return table.reindex(columns=columns, fill_value=0).astype(float)


def synthetic_tables(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    labels = PARAMETERS["csp"]["labels"]
    return {
        "age": _pivot(con, f"SELECT iris, {BAND_SQL} AS k, count(*) AS n FROM persons GROUP BY ALL",
                      list(range(6))),
        "csp": _pivot(con, "SELECT iris, csp AS k, count(*) AS n FROM persons WHERE csp IS NOT NULL GROUP BY ALL",
                      labels),
        "persons_by_household_type": _pivot(
            con, "SELECT iris, household_type AS k, sum(size) AS n FROM households GROUP BY ALL", HOUSEHOLD_TYPES),
        "households": _pivot(con, "SELECT iris, 'households' AS k, count(*) AS n FROM households "
                                  "WHERE household_type::VARCHAR <> 'community' GROUP BY ALL", ["households"]),
        "social_housing": _pivot(
            con, "SELECT iris, 'social_rent' AS k, count(*) AS n FROM households "
                 "WHERE tenure = 'social_rent' GROUP BY ALL", ["social_rent"]),
        "alone_80_plus": _pivot(
            con, "SELECT iris, 'alone_80_plus' AS k, count(*) AS n FROM persons "
                 "WHERE living_alone AND age >= 80 GROUP BY ALL", ["alone_80_plus"]),
        "residents": _pivot(con, "SELECT iris, 'residents' AS k, count(*) AS n FROM persons GROUP BY ALL",
                            ["residents"]),
    }


def published_tables(m: Margins) -> dict[str, pd.DataFrame]:
    labels = PARAMETERS["csp"]["labels"]
    return {
        "age": m.age.set_axis(list(range(6)), axis=1),
        "csp": m.csp.set_axis(labels, axis=1),
        "persons_by_household_type": m.persons_by_type[HOUSEHOLD_TYPES],
        "households": m.households.to_frame("households"),
        "social_housing": m.social_housing.to_frame("social_rent"),
        "alone_80_plus": m.alone_80_plus.to_frame("alone_80_plus"),
        "residents": m.residents[["residents"]],
    }


TABLE_INFO = {
    "residents": ("Habitants (tous âges, ménages et communautés)",
                  "INSEE RP2022, population de 15 ans ou plus de chaque IRIS × rapport tous âges / 15 ans ou plus "
                  "du RP2016 (recoque/territory/residents.py)", True),
    "age": ("Âge (6 tranches) par IRIS", "INSEE RP2016, base-ic-evol-struct-pop (population des ménages)", False),
    "csp": ("Catégorie socioprofessionnelle des 15 ans ou plus", "INSEE RP2016, base-ic-evol-struct-pop", False),
    "persons_by_household_type": ("Personnes par type de ménage (dont personnes seules par sexe)",
                                  "INSEE RP2016, base-ic-couples-familles-menages", False),
    "households": ("Nombre de ménages (résidences principales)", "INSEE RP2016, base-ic-logement", False),
    "social_housing": ("Ménages locataires HLM", "INSEE RP2016, base-ic-logement (P16_RP_LOCHLMV)", False),
    "alone_80_plus": ("Personnes de 80 ans ou plus vivant seules",
                      "INSEE RP2022 (via antoineverhulst/heat-risk-france) — autre millésime", False),
    "age_sex": ("Âge × sexe par arrondissement", "tranches INSEE RP2016 × part des femmes par âge (estimation)", True),
}


def compare(published: pd.DataFrame, synthetic: pd.DataFrame, arrondissement: pd.Series) -> dict:
    """Error metrics of ``synthetic`` against ``published`` (IRIS × cells)."""
    syn = synthetic.reindex(index=published.index, columns=published.columns).fillna(0.0)
    diff = (syn - published).abs()
    iris_total = published.sum(axis=1)
    iris_err = diff.sum(axis=1) / iris_total.where(iris_total > 0)
    arr_pub = published.groupby(arrondissement).sum()
    arr_syn = syn.groupby(arrondissement).sum()
    arr_err = (arr_syn - arr_pub).abs().sum(axis=1)
    total = float(published.to_numpy().sum())
    return {
        "published_total": round(total, 1),
        "synthetic_total": float(syn.to_numpy().sum()),
        "iris_tae_share": float(diff.to_numpy().sum() / total) if total else 0.0,
        "arrondissement_tae_share": float(arr_err.sum() / total) if total else 0.0,
        "median_iris_error": float(iris_err.dropna().median()) if iris_err.notna().any() else 0.0,
        "by_arrondissement": [
            {"code": code, "published": round(float(arr_pub.loc[code].sum()), 1),
             "synthetic": float(arr_syn.loc[code].sum()) if code in arr_syn.index else 0.0,
             "error_share": float(arr_err.loc[code] / arr_pub.loc[code].sum()) if arr_pub.loc[code].sum() else 0.0}
            for code in arr_pub.index
        ],
        "iris_error": {code: (None if pd.isna(v) else round(float(v), 4)) for code, v in iris_err.items()},
    }


def validate(con: duckdb.DuckDBPyConnection, m: Margins) -> dict:
    """The validation report of the stored population against margins ``m`` (already scaled)."""
    syn, pub = synthetic_tables(con), published_tables(m)
    tables = {}
    for key in pub:
        label, source, estimate = TABLE_INFO[key]
        tables[key] = {"label": label, "source": source, "estimate": estimate, **compare(pub[key], syn[key], m.arrondissement)}
    tables["age_sex"] = _age_sex(con, m)

    income = _income(con, m)
    checked = {k: t for k, t in tables.items() if k in ("age_sex", "persons_by_household_type", "households",
                                                           "alone_80_plus")}
    verdicts = {
        "arrondissement_tae_share": {k: t["arrondissement_tae_share"] <= TARGETS["arrondissement_tae_share"]
                                     for k, t in checked.items()},
        "median_iris_error": {k: t["median_iris_error"] <= TARGETS["median_iris_error"] for k, t in tables.items()
                              if t.get("median_iris_error") is not None},
        "income_median_error": income["median_abs_error"] <= TARGETS["income_median_error"],
        "residents_per_arrondissement": all(abs(a["synthetic"] / a["published"] - 1)
                                            <= TARGETS["residents_per_arrondissement"]
                                            for a in tables["residents"]["by_arrondissement"] if a["published"]),
        "residents_paris": abs(tables["residents"]["synthetic_total"] / tables["residents"]["published_total"] - 1)
        <= TARGETS["residents_paris"],
    }
    return {"targets": TARGETS, "tables": tables, "income": income, "verdicts": verdicts,
            "household_sizes": _household_sizes(con)}


def _age_sex(con: duckdb.DuckDBPyConnection, m: Margins) -> dict:
    women = np.asarray(PARAMETERS["sex"]["women_share_by_band"])
    pub_band = m.age.set_axis(list(range(6)), axis=1).groupby(m.arrondissement).sum()
    published = pd.concat({"F": pub_band * women, "M": pub_band * (1 - women)}, axis=1)
    frame = con.sql(f"SELECT arrondissement, {BAND_SQL} AS band, sex, count(*) AS n FROM persons GROUP BY ALL").df()
    synthetic = frame.pivot_table(index="arrondissement", columns=["sex", "band"], values="n",
                                  aggfunc="sum", fill_value=0).astype(float)
    label, source, estimate = TABLE_INFO["age_sex"]
    result = compare(published, synthetic, pd.Series(published.index, index=published.index))
    result.pop("iris_error")
    result["median_iris_error"] = None  # published per arrondissement only
    return {"label": label, "source": source, "estimate": estimate, **result}


def _income(con: duckdb.DuckDBPyConnection, m: Margins) -> dict:
    frame = con.sql("SELECT p.iris, median(h.standard_of_living_year) AS median FROM persons p "
                    "JOIN households h USING (household_id) GROUP BY ALL").df().set_index("iris")["median"]
    published = m.income_deciles["D5"][m.income_published]
    synthetic = frame.reindex(published.index)
    rel = ((synthetic - published) / published).dropna()
    return {
        "label": "Niveau de vie médian par IRIS", "source": "INSEE Filosofi 2018 (DISP_MED18), IRIS publiés",
        "iris_compared": int(rel.size),
        "median_abs_error": float(rel.abs().median()) if rel.size else 0.0,
        "share_within_5pct": float((rel.abs() <= 0.05).mean()) if rel.size else 0.0,
        "iris": {code: {"published": float(published[code]), "synthetic": float(synthetic[code]),
                        "error": round(float(rel[code]), 4)} for code in rel.index},
    }


def _household_sizes(con: duckdb.DuckDBPyConnection) -> dict:
    rows = con.sql("SELECT least(size, 5) AS s, count(*) AS n FROM households "
                   "WHERE household_type::VARCHAR <> 'community' GROUP BY ALL ORDER BY 1").fetchall()
    total = sum(n for _, n in rows) or 1
    return {("5+" if s == 5 else str(s)): round(n / total, 4) for s, n in rows}

