"""Parameters of the models, in one shape, read by one loader.

Each capability keeps its parameters in YAML files beside its code. A **parameter** is a mapping
with a ``value`` (or dated ``values`` where a rule changes over time), and says where it comes
from: a ``source``, or a ``note`` when it is the project's own choice (then ``estimate: true``,
shown to users as an estimate); it may give its ``unit``::

    call_every_days: {value: 2, unit: jours, source: "REFLEX: each registrant is called every 2 days"}
    ceiling:
      values: {"2024-04-01": 1012.02, "2025-04-01": 1034.28}
      unit: €/mois
      source: "décret n° …"

Around the parameters a file may hold rules and labels (text the code shows) and groups. A
``ParameterFile`` reads its file on first use, checks every parameter (a missing source, a
non-boolean ``estimate`` or an undated ``values`` is refused with the file and the path), and
then reads like the mapping it holds, or gives typed ``Parameter`` objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from recoque.core.errors import RecoqueError

#: every parameter file created in the package, for the contract test
REGISTRY: list[ParameterFile] = []


class ParameterError(RecoqueError):
    """A parameter file that does not hold what it must, or a parameter asked for that it lacks."""


@dataclass(frozen=True)
class Parameter:
    """One parameter: its value (or dated values), unit, source, and whether it is an estimate."""

    path: str
    value: Any
    unit: str | None = None
    source: str | None = None
    note: str | None = None
    estimate: bool = False
    values: tuple[tuple[date, Any], ...] = ()

    def at(self, when: date) -> Any:
        """The value in force on ``when`` (the latest dated value not after it)."""
        if not self.values:
            return self.value
        current = [v for start, v in self.values if start <= when]
        if not current:
            raise ParameterError(f"{self.path}: no value before {self.values[0][0]} (asked for {when})")
        return current[-1]


def _is_parameter(node: object) -> bool:
    return isinstance(node, Mapping) and ("value" in node or "values" in node)


def _typed(path: str, node: Mapping) -> Parameter:
    if "source" not in node and "note" not in node:
        raise ParameterError(f"{path}: no source (give `source`, or `note` with `estimate: true` for the project's choice)")
    estimate = node.get("estimate", False)
    if not isinstance(estimate, bool):
        raise ParameterError(f"{path}: estimate must be true or false, not {estimate!r}")
    dated: tuple[tuple[date, Any], ...] = ()
    if "values" in node:
        raw = node["values"]
        if not isinstance(raw, Mapping) or not raw:
            raise ParameterError(f"{path}: values must map dates (YYYY-MM-DD) to values")
        try:
            dated = tuple(sorted((date.fromisoformat(str(k)), v) for k, v in raw.items()))
        except ValueError as exc:
            raise ParameterError(f"{path}: values: {exc}") from None
    value = node["value"] if "value" in node else dated[-1][1]
    return Parameter(path=path, value=value, unit=node.get("unit"), source=node.get("source"),
                     note=node.get("note"), estimate=estimate, values=dated)



class ParameterFile(Mapping):
    """The parameters of ``name``, a YAML file beside the module ``anchor`` (its ``__file__``)."""

    def __init__(self, anchor: str, name: str) -> None:
        self.path = Path(anchor).with_name(name)
        REGISTRY.append(self)

    def __repr__(self) -> str:
        return f"ParameterFile({self.path.name!r})"

    @cached_property
    def _data(self) -> Mapping:
        try:
            raw = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ParameterError(f"{self.path}: {exc}") from None
        if not isinstance(raw, Mapping):
            raise ParameterError(f"{self.path}: expected a mapping of parameters")
        self._checked = {p.path: p for p in self._walk(raw, "")}
        return raw   # read-only by convention: every caller shares it

    def _walk(self, node: object, prefix: str) -> Iterator[Parameter]:
        if _is_parameter(node):
            yield _typed(f"{self.path.name}:{prefix}", node)
        elif isinstance(node, Mapping):
            for key, child in node.items():
                yield from self._walk(child, f"{prefix}.{key}" if prefix else str(key))

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def parameters(self) -> list[Parameter]:
        """Every parameter of the file, typed."""
        _ = self._data
        return list(self._checked.values())

    def parameter(self, dotted: str) -> Parameter:
        """The parameter at ``dotted`` (``"capacity.operators"``), typed."""
        _ = self._data
        found = self._checked.get(f"{self.path.name}:{dotted}")
        if found is None:
            raise ParameterError(f"{self.path.name}: no parameter {dotted!r}")
        return found

    def value(self, dotted: str, when: date | None = None) -> Any:
        """The value of the parameter at ``dotted`` (on ``when`` for dated values)."""
        p = self.parameter(dotted)
        return p.at(when) if when is not None else p.value
