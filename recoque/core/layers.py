"""Map layers: their declared metadata (one YAML file per capability) and their stored values.

A layer is a value per territorial unit (arrondissement, quartier, IRIS) that the map and the
API can show. Capabilities declare theirs in a ``layers.yaml`` and write values into the store's
``layer_values`` table; surfaces read them here, never from a capability's internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from recoque.core.errors import NotBuiltError, UnknownNameError
from recoque.core.models import DataRevision, LayerValue
from recoque.core.store import session_scope

LEVELS = ("arrondissement", "quartier", "iris")
_PACKAGE = Path(__file__).resolve().parents[1]
#: every capability's layer declarations, in the order the map lists them
LAYER_FILES = (_PACKAGE / "territory" / "layers.yaml", _PACKAGE / "population" / "layers.yaml",
               _PACKAGE / "rights" / "layers.yaml", _PACKAGE / "heat" / "layers.yaml",
               _PACKAGE / "twin" / "layers.yaml")

Aggregation = Literal["sum", "area_mean", "population_mean", "density", "none", "median"]


@dataclass(frozen=True)
class LayerSpec:
    id: str
    label_fr: str
    label_en: str
    unit: str
    aggregation: Aggregation
    source: str
    note_fr: str
    numerator: str | None = None
    levels: tuple[str, ...] = LEVELS
    build_hint: str = "recoque up"

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", tuple(self.levels))



def read_layer_specs(path: Path) -> dict[str, LayerSpec]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return {key: LayerSpec(id=key, **value) for key, value in raw.items()}


@lru_cache(maxsize=1)
def layer_specs() -> dict[str, LayerSpec]:
    specs: dict[str, LayerSpec] = {}
    for path in LAYER_FILES:
        for key, spec in read_layer_specs(path).items():
            if key in specs:
                raise ValueError(f"layer {key!r} is declared twice ({path})")
            specs[key] = spec
    return specs


def layer_spec(layer_id: str) -> LayerSpec:
    specs = layer_specs()
    if layer_id not in specs:
        raise UnknownNameError(f"unknown layer {layer_id!r}; known layers: {', '.join(specs)}")
    return specs[layer_id]


def require_level(level: str) -> None:
    if level not in LEVELS:
        raise UnknownNameError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")


def replace_layer_values(session: Session, layer_ids: list[str], rows: list[dict]) -> None:
    """Inside the caller's transaction: drop ``layer_ids``' values, insert ``rows``, and bump the
    layers' revision (the open reads' cache serves the new values from then on)."""
    session.execute(delete(LayerValue).where(LayerValue.layer.in_(layer_ids)))
    if rows:
        session.execute(insert(LayerValue), rows)
    session.execute(update(DataRevision).where(DataRevision.name == "layers")
                    .values(revision=DataRevision.revision + 1))


def value_rows(layer_id: str, level: str, values) -> list[dict]:
    """Store rows from a ``{code: value}`` mapping or Series (NaN becomes NULL)."""
    items = values.items()
    return [{"layer": layer_id, "level": level, "code": str(code),
             "value": None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)}
            for code, v in items]


def layer_values(engine: Engine, layer: str, level: str) -> dict[str, float | None]:
    """``{code: value}`` of one layer at one level, from the store."""
    spec = layer_spec(layer)
    require_level(level)
    if level not in spec.levels:
        raise UnknownNameError(f"layer {layer!r} is published only per {', '.join(spec.levels)}")
    with session_scope(engine) as session:
        rows = session.execute(
            select(LayerValue.code, LayerValue.value)
            .where(LayerValue.layer == layer, LayerValue.level == level)
            .order_by(LayerValue.code)
        ).all()
    if not rows:
        raise NotBuiltError(f"layer {layer!r} is not built yet — run `{spec.build_hint}`")
    return {code: value for code, value in rows}


def available_layers(engine: Engine) -> list[str]:
    """Ids of the declared layers that have values in the store, in declaration order."""
    with session_scope(engine) as session:
        present = set(session.scalars(select(LayerValue.layer).distinct()))
    return [layer_id for layer_id in layer_specs() if layer_id in present]


def class_breaks(values: list[float | None], classes: int = 5) -> list[float]:
    """Quantile class breaks of the known values (for map legends), distinct and ascending."""
    known = np.array([v for v in values if v is not None], dtype=float)
    if known.size == 0:
        return []
    qs = np.quantile(known, np.linspace(0, 1, classes + 1))
    breaks = sorted({round(float(q), 3) for q in qs})
    distinct = np.unique(known)
    if len(breaks) < classes + 1 and 2 <= len(distinct) <= classes:
        # a few distinct values, most of them equal (e.g. classes 1–3): one class per value, so
        # that the rare values still show, bounded by the midpoints between values
        middles = (distinct[:-1] + distinct[1:]) / 2
        breaks = sorted({round(float(v), 3) for v in (distinct[0], *middles, distinct[-1])})
    return breaks
