"""« À quelles aides ai-je droit ? » — the anonymous simulator. A few answers become one
household in the population schema, computed with the same bridge as the screening. Nothing is
stored, nothing is logged about the person."""

from __future__ import annotations

from datetime import date
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from recoque.core.paris import ARRONDISSEMENTS
from recoque.rights import bridge
from recoque.rights.catalogue import benefits

#: the months the simulator accepts: the legislation OpenFisca-France carries (issue of the month
#: asked for is checked against the tax-benefit system's parameters)
FIRST_MONTH = "2020-01"


class Situation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="mois simulé (AAAA-MM ; défaut : le mois en cours)")
    age: int = Field(ge=16, le=120, description="votre âge")
    couple: bool = Field(default=False, description="vous vivez en couple")
    partner_age: int | None = Field(default=None, ge=16, le=120, description="âge du conjoint")
    partner_salary: float = Field(default=0, ge=0, le=1_000_000, description="salaire net mensuel du conjoint, €")
    partner_pension: float = Field(default=0, ge=0, le=1_000_000, description="retraite nette mensuelle du conjoint, €")
    partner_unemployment: float = Field(default=0, ge=0, le=1_000_000, description="allocation chômage mensuelle du conjoint, €")
    partner_disability: bool = Field(default=False, description="le conjoint a un handicap reconnu")
    children_ages: list[int] = Field(default_factory=list, max_length=12, description="âge de chaque enfant à charge")
    salary: float = Field(default=0, ge=0, le=1_000_000, description="salaire net mensuel, €")
    pension: float = Field(default=0, ge=0, le=1_000_000, description="retraite nette mensuelle, €")
    unemployment: float = Field(default=0, ge=0, le=1_000_000, description="allocation chômage mensuelle, €")
    tenure: Literal["private_rent", "social_rent", "owner", "free"] = "private_rent"
    rent: float = Field(default=0, ge=0, le=100_000, description="loyer mensuel hors charges, €")
    disability: bool = False
    student: bool = Field(default=False, description="vous êtes étudiant")
    years_in_paris: int = Field(default=5, ge=0, le=120)
    arrondissement: str = "75101"

    @model_validator(mode="after")
    def _coherent(self) -> "Situation":
        if any(a < 0 or a > 30 for a in self.children_ages):
            raise SituationError("children_ages", "l'âge de chaque enfant doit être compris entre 0 et 30 ans")
        partner_given = (self.partner_age is not None or self.partner_salary or self.partner_pension
                         or self.partner_unemployment or self.partner_disability)
        if self.couple and self.partner_age is None:
            raise SituationError("partner_age", "indiquez l'âge de votre conjoint")
        if partner_given and not self.couple:
            raise SituationError("couple", "vous avez renseigné votre conjoint : cochez « Je vis en couple », "
                                           "ou effacez les informations sur le conjoint")
        if self.arrondissement not in ARRONDISSEMENTS:
            raise SituationError("arrondissement", "choisissez un arrondissement de Paris (75101 à 75120)")
        if self.tenure in ("owner", "free") and self.rent:
            raise SituationError("rent", "un propriétaire ou une personne logée gratuitement ne paie pas de loyer")
        if self.tenure in ("private_rent", "social_rent") and not self.rent:
            raise SituationError("rent", "indiquez votre loyer mensuel hors charges (les aides au logement en dépendent)")
        if self.month is not None and not (FIRST_MONTH <= self.month <= _last_month()):
            raise SituationError("month", f"choisissez un mois entre {FIRST_MONTH} et {_last_month()}")
        return self


class SituationError(ValueError):
    """An incoherent situation, with the form field it concerns (French message)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.message = message


def _last_month() -> str:
    """The last month the simulator computes: twelve months ahead (the legislation of the
    latest known date applies)."""
    today = date.today()
    return str(pd.Period(today, freq="M") + 12)


#: French texts of pydantic's error types, for the form (the API keeps pydantic's own)
ERRORS_FR = {
    "missing": "à renseigner",
    "int_parsing": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "float_parsing": "un nombre est attendu",
    "bool_parsing": "oui ou non",
    "greater_than_equal": "doit être au moins {ge}",
    "less_than_equal": "doit être au plus {le}",
    "string_pattern_mismatch": "format attendu : AAAA-MM (par exemple 2026-11)",
    "literal_error": "valeur inconnue",
    "too_long": "trop de valeurs (au plus {max_length})",
    "extra_forbidden": "champ inconnu",
}


def errors_fr(exc: ValidationError) -> dict[str, str]:
    """Form field → French message, for each error of a failed validation."""
    out: dict[str, str] = {}
    for error in exc.errors():
        ctx = error.get("ctx") or {}
        cause = ctx.get("error")
        if isinstance(cause, SituationError):
            out.setdefault(cause.field_name, cause.message)
            continue
        field_name = str(error["loc"][0]) if error.get("loc") else "form"
        template = ERRORS_FR.get(error["type"], "valeur non valide")
        try:
            out.setdefault(field_name, template.format(**ctx))
        except (KeyError, IndexError):
            out.setdefault(field_name, template)
    return out


def frames(s: Situation) -> tuple[pd.DataFrame, pd.DataFrame]:
    kids = len(s.children_ages)
    household_type = ("couple_with_children" if s.couple and kids else "couple_without_children" if s.couple
                      else "lone_parent" if kids else "alone_woman")
    adult_role = "parent_in_couple" if s.couple and kids else "couple_adult" if s.couple else \
        "lone_parent" if kids else "alone_woman"
    rows = [dict(age=s.age, role=adult_role, salary_month=s.salary, pension_month=s.pension,
                 unemployment_month=s.unemployment, disability=s.disability)]
    if s.couple:
        rows.append(dict(age=s.partner_age, role=adult_role, salary_month=s.partner_salary,
                         pension_month=s.partner_pension, unemployment_month=s.partner_unemployment,
                         disability=s.partner_disability))
    child_role = "child_of_couple" if s.couple else "child_of_lone_parent"
    rows += [dict(age=a, role=child_role, salary_month=0.0, pension_month=0.0, unemployment_month=0.0,
                  disability=False) for a in s.children_ages]
    persons = pd.DataFrame(rows)
    persons["household_id"] = "SIM"
    persons["person_id"] = [f"SIM{k}" for k in range(len(rows))]
    persons["member"] = range(len(rows))
    persons["other_income_month"] = 0.0
    persons["years_in_paris"] = s.years_in_paris
    persons["activity"] = ["student" if k == 0 and s.student else
                           "employed" if r["salary_month"] > 0 else "retired" if r["pension_month"] > 0 else
                           "unemployed" if r["unemployment_month"] > 0 else "child" if r["age"] < 16 else "inactive"
                           for k, r in enumerate(rows)]
    adults = 1 + int(s.couple)
    cu = 1 + 0.5 * (adults - 1) + sum(0.5 if a >= 14 else 0.3 for a in s.children_ages)
    households = pd.DataFrame([{"household_id": "SIM", "arrondissement": s.arrondissement, "household_type": household_type,
                                "size": len(rows), "tenure": s.tenure, "rent_eur_month": float(s.rent),
                                "consumption_units": cu}])
    return households, persons


def simulate(s: Situation, *, month: str | None = None) -> dict:
    """The aids the situation gives a right to in the month asked for (default: this month), with
    amounts, what a right in kind costs, and how to claim them."""
    month = month or s.month or date.today().strftime("%Y-%m")
    households, persons = frames(s)
    computation = bridge.compute(households, persons, month, past="computed")
    amounts = computation.amounts
    costs: dict[str, float] = {}
    for (_unit, benefit_id), cost in computation.costs.items():
        costs[benefit_id] = costs.get(benefit_id, 0.0) + cost
    found = []
    for benefit_id, amount in amounts.groupby("benefit", sort=False)["amount_month"].sum().items():
        b = benefits()[benefit_id]
        found.append({"benefit": b.id, "label": b.label_fr, "level": b.level, "kind": b.kind,
                      "amount_month": round(float(amount), 2) if b.kind == "cash" else 0.0,
                      "cost_month": round(costs[b.id], 2) if b.id in costs else None,
                      "organism": b.organism, "claim": b.claim_fr})
    found.sort(key=lambda r: (-r["amount_month"], r["label"]))
    return {"month": month, "aids": found,
            "total_month": round(sum(r["amount_month"] for r in found if r["kind"] == "cash"), 2),
            "note": "Estimation à partir des règles d'OpenFisca-France et d'OpenFisca-Paris ; seul l'organisme "
                    "décide. Aucune donnée saisie n'est conservée. Les aides en nature ne sont pas comptées "
                    "dans le total ; une participation à payer est indiquée à part.",
            "openfisca": bridge.openfisca_versions()}
