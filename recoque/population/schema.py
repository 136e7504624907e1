"""The records schema, shared by the synthetic population and real records loaded in production.

One declaration per column (``HOUSEHOLD_FIELDS``, ``PERSON_FIELDS``): its type, its checks and
what it means. The pandera schemas and docs/population-schema.md are generated from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from recoque.population.params import PARAMETERS
from recoque.population.synthesis import HOUSEHOLD_TYPES, ROLES

IRIS_PATTERN = r"^751\d{6}$"
ARRONDISSEMENT_PATTERN = r"^751(0[1-9]|1\d|20)$"
MAX_MONTH = 10_000_000.0  # € a month: above any real income, far below 1e300


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "str", "int", "float", "bool", "category"
    description: str
    checks: tuple = ()
    nullable: bool = False
    categories: tuple[str, ...] = field(default=())


def _cat(name: str, values, description: str, nullable: bool = False) -> Field:
    values = tuple(values)
    return Field(name, "category", description, (pa.Check.isin(values),), nullable, values)


HOUSEHOLD_FIELDS: tuple[Field, ...] = (
    Field("household_id", "str", "pseudonymous household id (no meaning, no link to a real identifier)",
          (pa.Check.str_length(2, 64),)),
    Field("iris", "str", "INSEE IRIS code of the dwelling (9 characters, 751…)", (pa.Check.str_matches(IRIS_PATTERN),)),
    Field("arrondissement", "str", "INSEE code of the arrondissement (75101–75120)",
          (pa.Check.str_matches(ARRONDISSEMENT_PATTERN),)),
    _cat("household_type", HOUSEHOLD_TYPES, "INSEE household type: man alone, woman alone, couple without / with "
         "children, lone parent, other household without family; community: a person living outside ordinary "
         "households (care home, student residence, religious community, prison), one row each"),
    Field("size", "int", "number of persons", (pa.Check.in_range(1, 30),)),
    _cat("tenure", ("social_rent", "private_rent", "owner", "free", "community"),
         "tenure: social housing tenant (HLM), private tenant, owner-occupier, housed free of charge, "
         "lodged by a community (no rent of their own)"),
    Field("surface_m2", "float", "living area, m²", (pa.Check.in_range(5, 2000),)),
    Field("rent_eur_month", "float", "rent paid, € per month (0 for owners, free housing and communities)", (pa.Check.ge(0),)),
    Field("storeys", "int", "storeys of the building above the ground floor", (pa.Check.in_range(0, 60),)),
    Field("floor", "int", "floor of the dwelling (0 = ground floor)", (pa.Check.in_range(0, 60),)),
    Field("top_floor", "bool", "the dwelling is on the building's top floor"),
    Field("under_roof", "bool", "the dwelling is directly under the roof (heat risk factor)"),
    Field("lift", "bool", "the building has a lift"),
    Field("air_conditioning", "bool", "the dwelling is air-conditioned"),
    Field("landline", "str", "landline number (fictitious range 01 99 00 for synthetic data); null if none",
          (pa.Check.str_matches(r"^0\d( \d\d){4}$"),), nullable=True),
    Field("consumption_units", "float", "INSEE/OECD-modified consumption units", (pa.Check.in_range(1, 30),)),
    Field("standard_of_living_year", "float", "disposable income per consumption unit, € per year",
          (pa.Check.ge(0),)),
    Field("disposable_income_year", "float", "household disposable income, € per year", (pa.Check.ge(0),)),
    Field("postal_address", "str", "postal address for letters, lines separated by « ; » (e.g. « 12 rue X ; 75013 "
          "Paris »); null if the records hold none — null throughout the synthetic city, which has address points only",
          (pa.Check.str_matches(r"^.{3,200}; *75\d{3} Paris$"),), nullable=True),
    Field("x", "float", "address point, Lambert-93 (EPSG:2154) easting, m", (pa.Check.in_range(640_000, 665_000),)),
    Field("y", "float", "address point, Lambert-93 (EPSG:2154) northing, m",
          (pa.Check.in_range(6_855_000, 6_870_000),)),
)

PERSON_FIELDS: tuple[Field, ...] = (
    Field("person_id", "str", "pseudonymous person id", (pa.Check.str_length(2, 64),)),
    Field("household_id", "str", "the person's household (household_id of the households table)",
          (pa.Check.str_length(2, 64),)),
    Field("iris", "str", "INSEE IRIS code of the home", (pa.Check.str_matches(IRIS_PATTERN),)),
    Field("arrondissement", "str", "INSEE code of the arrondissement", (pa.Check.str_matches(ARRONDISSEMENT_PATTERN),)),
    Field("member", "int", "rank in the household (0 = reference person)", (pa.Check.in_range(0, 29),)),
    _cat("role", ROLES, "role in the household: alone, partner in a couple (without / with children), "
         "child of a couple, lone parent, child of a lone parent, member of a household without family, "
         "person living in a community"),
    Field("age", "int", "age in completed years", (pa.Check.in_range(0, 120),)),
    _cat("sex", ("F", "M"), "sex as recorded (F, M)"),
    _cat("csp", PARAMETERS["csp"]["labels"], "INSEE socio-professional category (persons 15+; null under 15)",
         nullable=True),
    _cat("activity", ("employed", "unemployed", "retired", "student", "inactive", "child"), "activity status"),
    Field("salary_month", "float", "net earnings from work, € per month", (pa.Check.ge(0), pa.Check.le(MAX_MONTH))),
    Field("pension_month", "float", "retirement pensions, € per month", (pa.Check.ge(0), pa.Check.le(MAX_MONTH))),
    Field("unemployment_month", "float", "unemployment benefits, € per month", (pa.Check.ge(0), pa.Check.le(MAX_MONTH))),
    Field("other_income_month", "float", "other income (property, transfers between households), € per month",
          (pa.Check.ge(0),)),
    Field("living_alone", "bool", "lives alone"),
    Field("dependency_gir", "int", "loss of autonomy, AGGIR group 1 (most dependent) to 4; 0 = none",
          (pa.Check.in_range(0, 4),)),
    Field("bedridden", "bool", "confined to bed (heat risk factor, OR 6.44)"),
    Field("disability", "bool", "recognised disability or loss of autonomy"),
    Field("chronic_illness", "bool", "long-term illness (ALD)"),
    Field("years_in_paris", "int", "years lived in Paris", (pa.Check.in_range(0, 120),)),
    Field("phone_mobile", "str", "mobile number (fictitious range 06 39 98 for synthetic data); null if none",
          (pa.Check.str_matches(r"^0\d( \d\d){4}$"),), nullable=True),
    _cat("contactability", ("mobile", "landline", "none"), "best way to reach the person by phone"),
    Field("email", "str", "e-mail address the person gave the City for its messages; null if none — null "
          "throughout the synthetic city", (pa.Check.str_matches(r"^[^@\s;]+@[^@\s;]+\.[^@\s;]+$"),), nullable=True),
)

_PANDERA_TYPES = {"str": str, "int": "int64", "float": "float64", "bool": "bool", "category": str}


FINITE = pa.Check(np.isfinite, error="a finite number")  # ≥ 0 alone lets inf through


def pandera_schema(fields: tuple[Field, ...], name: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {f.name: pa.Column(_PANDERA_TYPES[f.kind], checks=[*f.checks, *([FINITE] if f.kind == "float" else [])],
                           nullable=f.nullable, coerce=True, description=f.description) for f in fields},
        name=name, strict=True, ordered=False, coerce=True,
    )


HOUSEHOLDS = pandera_schema(HOUSEHOLD_FIELDS, "households")
PERSONS = pandera_schema(PERSON_FIELDS, "persons")


def to_storage_types(frame: pd.DataFrame, fields: tuple[Field, ...]) -> pd.DataFrame:
    """Compact column types for storage (categoricals, small ints) in the declared order."""
    out = {}
    for f in fields:
        col = frame[f.name]
        if f.kind == "category":
            out[f.name] = pd.Categorical(col, categories=list(f.categories))
        elif f.kind == "int":
            out[f.name] = col.astype("int16" if f.name != "dependency_gir" else "int8")
        elif f.kind == "str" and f.name in ("iris", "arrondissement"):
            out[f.name] = col.astype("category")
        else:
            out[f.name] = col
    return pd.DataFrame(out)


def markdown() -> str:
    """docs/population-schema.md, generated from the declarations."""
    lines = ["# Population records schema", "",
             "Generated from `recoque/population/schema.py` (`make docs`). Synthetic and real records "
             "follow it; `recoque population load` checks every row against it.", ""]
    for title, fields in (("households", HOUSEHOLD_FIELDS), ("persons", PERSON_FIELDS)):
        lines += [f"## {title}", "", "| column | type | null allowed | meaning | values |", "|---|---|---|---|---|"]
        for f in fields:
            values = ", ".join(f.categories) if f.categories else ""
            lines.append(f"| `{f.name}` | {f.kind} | {'yes' if f.nullable else 'no'} | {f.description} | {values} |")
        lines.append("")
    return "\n".join(lines)
