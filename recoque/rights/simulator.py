"""« À quelles aides ai-je droit ? » — the anonymous simulator. A few answers become one
household in the population schema, computed with the same bridge as the screening. Nothing is
stored, nothing is logged about the person."""

from __future__ import annotations

from datetime import date
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from recoque.rights import bridge
from recoque.rights.catalogue import benefits

ARRONDISSEMENTS = tuple(f"751{k:02d}" for k in range(1, 21))


class Situation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    age: int = Field(ge=16, le=120, description="votre âge")
    couple: bool = Field(default=False, description="vous vivez en couple")
    partner_age: int | None = Field(default=None, ge=16, le=120)
    children_ages: list[int] = Field(default_factory=list, max_length=12, description="âge de chaque enfant à charge")
    salary: float = Field(default=0, ge=0, le=1_000_000, description="salaire net mensuel, €")
    partner_salary: float = Field(default=0, ge=0, le=1_000_000)
    pension: float = Field(default=0, ge=0, le=1_000_000, description="retraite nette mensuelle, €")
    unemployment: float = Field(default=0, ge=0, le=1_000_000, description="allocation chômage mensuelle, €")
    tenure: Literal["private_rent", "social_rent", "owner", "free"] = "private_rent"
    rent: float = Field(default=0, ge=0, le=100_000, description="loyer mensuel hors charges, €")
    disability: bool = False
    years_in_paris: int = Field(default=5, ge=0, le=120)
    arrondissement: str = "75101"

    @model_validator(mode="after")
    def _coherent(self) -> "Situation":
        if any(a < 0 or a > 30 for a in self.children_ages):
            raise ValueError("children's ages must be between 0 and 30")
        if self.couple and self.partner_age is None:
            raise ValueError("give the partner's age (partner_age) for a couple")
        if self.arrondissement not in ARRONDISSEMENTS:
            raise ValueError("arrondissement must be an INSEE code 75101–75120")
        if self.tenure in ("owner", "free") and self.rent:
            raise ValueError("an owner or a person housed for free pays no rent")
        return self


def frames(s: Situation) -> tuple[pd.DataFrame, pd.DataFrame]:
    kids = len(s.children_ages)
    household_type = ("couple_with_children" if s.couple and kids else "couple_without_children" if s.couple
                      else "lone_parent" if kids else "alone_woman")
    adult_role = "parent_in_couple" if s.couple and kids else "couple_adult" if s.couple else \
        "lone_parent" if kids else "alone_woman"
    rows = [dict(age=s.age, role=adult_role, salary_month=s.salary, pension_month=s.pension,
                 unemployment_month=s.unemployment, disability=s.disability)]
    if s.couple:
        rows.append(dict(age=s.partner_age, role=adult_role, salary_month=s.partner_salary, pension_month=0.0,
                         unemployment_month=0.0, disability=False))
    child_role = "child_of_couple" if s.couple else "child_of_lone_parent"
    rows += [dict(age=a, role=child_role, salary_month=0.0, pension_month=0.0, unemployment_month=0.0,
                  disability=False) for a in s.children_ages]
    persons = pd.DataFrame(rows)
    persons["household_id"] = "SIM"
    persons["person_id"] = [f"SIM{k}" for k in range(len(rows))]
    persons["member"] = range(len(rows))
    persons["other_income_month"] = 0.0
    persons["years_in_paris"] = s.years_in_paris
    persons["activity"] = ["employed" if r["salary_month"] > 0 else "retired" if r["pension_month"] > 0 else
                           "unemployed" if r["unemployment_month"] > 0 else "child" if r["age"] < 16 else "inactive"
                           for r in rows]
    adults = 1 + int(s.couple)
    cu = 1 + 0.5 * (adults - 1) + sum(0.5 if a >= 14 else 0.3 for a in s.children_ages)
    households = pd.DataFrame([{"household_id": "SIM", "arrondissement": s.arrondissement, "household_type": household_type,
                                "size": len(rows), "tenure": s.tenure, "rent_eur_month": float(s.rent),
                                "consumption_units": cu}])
    return households, persons


def simulate(s: Situation, *, month: str | None = None) -> dict:
    """The aids the situation gives a right to this month, with amounts and how to claim them."""
    month = month or date.today().strftime("%Y-%m")
    households, persons = frames(s)
    amounts = bridge.compute(households, persons, month, past="computed").amounts
    found = []
    for row in amounts.groupby("benefit", sort=False)["amount_month"].sum().items():
        b = benefits()[row[0]]
        found.append({"benefit": b.id, "label": b.label_fr, "level": b.level, "kind": b.kind,
                      "amount_month": round(float(row[1]), 2), "organism": b.organism, "claim": b.claim_fr})
    found.sort(key=lambda r: (-r["amount_month"], r["label"]))
    return {"month": month, "aids": found, "total_month": round(sum(r["amount_month"] for r in found), 2),
            "note": "Estimation à partir des règles d'OpenFisca-France et d'OpenFisca-Paris ; seul l'organisme "
                    "décide. Aucune donnée saisie n'est conservée.",
            "openfisca": bridge.openfisca_versions()}
