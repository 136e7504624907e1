"""The benefits Recoque screens (benefits.yaml), the bridge parameters (bridge.yaml) and the
non-take-up rates that make the synthetic city's records (non_take_up.yaml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from recoque.core.parameters import ParameterFile

HERE = Path(__file__).parent


class Benefit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label_fr: str
    level: Literal["national", "paris"]
    kind: Literal["cash", "in_kind"]
    organism: str
    claim_fr: str
    prefilter: bool
    yearly_amount: bool = False
    participation: bool = False
    requires: Literal["children", "tenant", "disability", "elderly_or_disability"] | None = None
    explain: tuple[str, ...] = ()
    rule_fr: str = ""                      # the rule in plain French (the explanation's point 3)
    law_fr: str = ""                       # the legal basis, as the law is cited
    legislation: tuple[str, ...] = ()      # OpenFisca parameters the amount rests on (value and reference shown)


class NonTakeUp(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rate: float
    source: str
    estimate: bool = False


@lru_cache(maxsize=1)
def benefits() -> dict[str, Benefit]:
    raw = yaml.safe_load((HERE / "benefits.yaml").read_text(encoding="utf-8"))
    return {key: Benefit(id=key, **value) for key, value in raw.items()}


#: how records become OpenFisca inputs (bridge.yaml)
BRIDGE_PARAMETERS = ParameterFile(__file__, "bridge.yaml")


@lru_cache(maxsize=1)
def non_take_up() -> dict[str, NonTakeUp]:
    raw = yaml.safe_load((HERE / "non_take_up.yaml").read_text(encoding="utf-8"))
    return {key: NonTakeUp(**value) for key, value in raw.items()}


def benefit(benefit_id: str) -> Benefit:
    from recoque.core.errors import UnknownNameError

    try:
        return benefits()[benefit_id]
    except KeyError:
        raise UnknownNameError(f"unknown benefit {benefit_id!r}; known: {', '.join(benefits())}") from None
