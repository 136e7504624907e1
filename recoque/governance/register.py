"""The public algorithm register: one YAML entry per algorithm (recoque/governance/register/),
checked on load, exported in the shape of the Eurocities Algorithmic Transparency Standard
(JSON) and as CSV. Field names follow the Etalab inventory of public algorithms, CRPA L312-1-3,
the EU AI Act (art. 12, 26, 27, 86) and Barcelona's seven principles."""

from __future__ import annotations

import csv
import io
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from recoque.core.errors import RecoqueError, UnknownNameError

REGISTER_DIR = Path(__file__).with_name("register")
BARCELONA = ("human_agency_and_oversight", "robustness_and_security", "privacy_and_data_governance",
             "transparency", "diversity_non_discrimination_and_fairness",
             "social_and_environmental_commitment", "accountability_and_democratic_control")


# what a French reader sees for each enumerated value (the YAML and the ATS export keep the codes)
LABELS_FR = {
    "in production": "en service", "in development": "en développement", "retired": "retiré",
    "not an AI system": "pas un système d'IA", "minimal": "risque minimal", "limited": "risque limité",
    "high": "haut risque",
    "not applicable": "sans objet", "planned": "prévu", "passed": "conforme", "flagged": "disparité signalée",
    "rules": "règles", "rules and statistics": "règles et statistiques", "statistical model": "modèle statistique",
    "human_agency_and_oversight": "Action humaine et contrôle humain",
    "robustness_and_security": "Robustesse et sécurité",
    "privacy_and_data_governance": "Vie privée et gouvernance des données",
    "transparency": "Transparence",
    "diversity_non_discrimination_and_fairness": "Diversité, non-discrimination et équité",
    "social_and_environmental_commitment": "Engagement social et environnemental",
    "accountability_and_democratic_control": "Responsabilité et contrôle démocratique",
}


def label_fr(value: str) -> str:
    """The French label of an enumerated value; free text is returned as it is."""
    return LABELS_FR.get(value, value)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Administration(_Strict):
    name: str
    department: str
    contact: str = Field(description="owner contact (service e-mail)")
    updated: date


class Automation(_Strict):
    level: Literal["aucune décision sur les personnes", "aide à la décision", "décision partiellement automatisée"]
    human_decision: str = Field(description="where a human decides")


class DataSet(_Strict):
    name: str
    source: str
    personal: bool


class AIAct(_Strict):
    risk_category: Literal["not an AI system", "minimal", "limited", "high"]
    annex_iii: str | None = None
    human_oversight: str
    fria_summary: str
    log_retention_months: int = Field(ge=6)


class Metric(_Strict):
    name: str
    value: str
    source: str


class BiasAudit(_Strict):
    status: Literal["not applicable", "planned", "passed", "flagged"]
    detail: str
    audited_on: date | None = None


class RegisterEntry(_Strict):
    id: str
    version: str
    name_fr: str
    name_en: str
    status: Literal["in production", "in development", "retired"]
    administration: Administration
    purpose: str
    context: str
    when_it_intervenes: str
    automation: Automation
    legal_basis: list[str] = Field(min_length=1)
    decisions_per_year: str
    public_affected: str
    data: list[DataSet] = Field(min_length=1)
    type: Literal["rules", "statistical model", "machine learning", "rules and statistics"]
    operations: list[str] = Field(min_length=1)
    code: list[str] = Field(min_length=1)
    ai_act: AIAct
    barcelona_principles: dict[str, str]
    metrics: list[Metric] = Field(min_length=1)
    bias_audit: BiasAudit

    def model_post_init(self, _context) -> None:
        missing = [p for p in BARCELONA if not self.barcelona_principles.get(p, "").strip()]
        extra = sorted(set(self.barcelona_principles) - set(BARCELONA))
        if missing or extra:
            raise ValueError(f"barcelona_principles must say how each of the seven is met; missing {missing}, "
                             f"unknown {extra}")


class RegisterError(RecoqueError):
    """A register entry is missing a field or malformed."""


def read_entry(path: Path) -> RegisterEntry:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return RegisterEntry(**raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise RegisterError(f"{path}: {problems}") from None
    except (yaml.YAMLError, TypeError) as exc:
        raise RegisterError(f"{path}: not a register entry ({exc})") from None


@lru_cache(maxsize=1)
def entries() -> dict[str, RegisterEntry]:
    out: dict[str, RegisterEntry] = {}
    for path in sorted(REGISTER_DIR.glob("*.yaml")):
        entry = read_entry(path)
        if entry.id != path.stem:
            raise RegisterError(f"{path}: id {entry.id!r} differs from the file name")
        out[entry.id] = entry
    return out


def entry(algorithm_id: str) -> RegisterEntry:
    if algorithm_id not in entries():
        raise UnknownNameError(f"no algorithm {algorithm_id!r} in the register")
    return entries()[algorithm_id]


def to_ats(e: RegisterEntry, footprint: dict | None = None, latest_audit: dict | None = None) -> dict:
    """One entry in the shape of the Eurocities Algorithmic Transparency Standard."""
    return {
        "general_information": {
            "id": e.id, "name": e.name_fr, "name_en": e.name_en, "version": e.version, "status": e.status,
            "organisation": e.administration.name, "department": e.administration.department,
            "contact_email": e.administration.contact, "last_updated": e.administration.updated.isoformat(),
        },
        "purpose": {"purpose": e.purpose, "context": e.context, "when_it_intervenes": e.when_it_intervenes,
                    "legal_basis": e.legal_basis, "decisions_per_year": e.decisions_per_year,
                    "public_affected": e.public_affected},
        "data": [d.model_dump() for d in e.data],
        "data_processing": {"type": e.type, "operations": e.operations, "source_code": e.code},
        "human_oversight": {"level_of_automation": e.automation.level, "human_decision": e.automation.human_decision,
                            "ai_act_human_oversight": e.ai_act.human_oversight},
        "risks": {"ai_act_risk_category": e.ai_act.risk_category, "annex_iii": e.ai_act.annex_iii,
                  "fundamental_rights_impact_assessment": e.ai_act.fria_summary,
                  "log_retention_months": e.ai_act.log_retention_months},
        "non_discrimination": {"bias_audit": e.bias_audit.model_dump(mode="json"),
                               "latest_measured_audit": latest_audit},
        "principles": e.barcelona_principles,
        "metrics": [m.model_dump() for m in e.metrics],
        "footprint": footprint or {},
    }


CSV_COLUMNS = ("id", "name", "version", "status", "department", "contact", "purpose", "automation",
               "human_decision", "legal_basis", "type", "ai_act_risk_category", "log_retention_months",
               "bias_audit", "runs", "energy_kwh", "co2_g")


def to_csv(rows: list[tuple[RegisterEntry, dict]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for e, fp in rows:
        writer.writerow([e.id, e.name_fr, e.version, e.status, e.administration.department,
                         e.administration.contact, e.purpose, e.automation.level, e.automation.human_decision,
                         " | ".join(e.legal_basis), e.type, e.ai_act.risk_category, e.ai_act.log_retention_months,
                         e.bias_audit.status, fp.get("runs", 0), fp.get("energy_kwh", 0.0), fp.get("co2_g", 0.0)])
    return buffer.getvalue()
