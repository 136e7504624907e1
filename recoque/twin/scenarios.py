"""Scenario files of the twin (YAML, documented in docs/twin.md): what to simulate and what to
change. Every problem is refused with the line and the reason, before anything runs:

    name: Planter 5 000 arbres dans le 13e
    component: urban_heat            # or seine_flood
    resolution_m: 25
    edits:
      - plant_trees: {arrondissement: "75113", trees: 5000}
      - green_schoolyards: {arrondissement: all}
      - green_roofs: {arrondissement: "75113", min_roof_m2: 200}

    name: Crue de 1910
    component: seine_flood
    seine: {scenario: "1910"}        # or {stage_m: 8.62}
    hours: 6
    resolution_m: 30
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from recoque.core.errors import RecoqueError
from recoque.core.paris import ARRONDISSEMENTS

MEMORY_BUDGET_GIB = 4.0


class ScenarioFileError(RecoqueError):
    """A scenario file that cannot run; the message names the line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _in_paris(value: str) -> str:
    if value != "all" and value not in ARRONDISSEMENTS:
        raise ValueError(f"{value!r} is outside Paris: an arrondissement is 75101–75120 (or 'all')")
    return value


class PlantTrees(_Strict):
    arrondissement: str
    trees: Annotated[int, Field(gt=0, le=200_000)]
    _paris = field_validator("arrondissement")(_in_paris)


class GreenSchoolyards(_Strict):
    arrondissement: str = "all"
    area_m2_each: Annotated[float | None, Field(gt=0, le=20_000)] = None
    _paris = field_validator("arrondissement")(_in_paris)


class GreenRoofs(_Strict):
    """Plant the roofs of buildings whose footprint is at least ``min_roof_m2``."""

    arrondissement: str = "all"
    min_roof_m2: Annotated[float, Field(ge=0, le=100_000)] = 200.0
    share: Annotated[float | None, Field(gt=0, le=1)] = None
    _paris = field_validator("arrondissement")(_in_paris)


class Edit(_Strict):
    plant_trees: PlantTrees | None = None
    green_schoolyards: GreenSchoolyards | None = None
    green_roofs: GreenRoofs | None = None


class Discharge(_Strict):
    start: date
    end: date


class Seine(_Strict):
    """Exactly one of: a named peak held (scenario), a stage held (stage_m), a stated hydrograph
    (hydrograph: "1910"), or the bundled daily discharge between two dates (discharge)."""

    scenario: str | None = None
    stage_m: Annotated[float | None, Field(gt=0, lt=15)] = None
    hydrograph: str | None = None
    discharge: Discharge | None = None

    def model_post_init(self, _context) -> None:
        given = [k for k in ("scenario", "stage_m", "hydrograph", "discharge") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of scenario, stage_m, hydrograph, discharge")


class Scenario(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: str = ""
    component: Literal["urban_heat", "seine_flood"]
    resolution_m: Annotated[float, Field(ge=5, le=200)] = 25.0
    edits: list[Edit] = Field(default_factory=list)
    seine: Seine | None = None
    hours: Annotated[float | None, Field(gt=0, le=1440)] = None
    backend: Literal["cpu", "cuda"] = "cpu"   # the flood's GPU path: a machine with an NVIDIA GPU


def _line_of(root, loc: tuple) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location."""
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == key]
            if not match:
                # an unknown key: point at the key itself
                keys = [k for k, _ in node.value if k.value == key]
                return keys[0].start_mark.line + 1 if keys else node.start_mark.line + 1
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


def parse(text: str, source: str = "scenario") -> Scenario:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "the file"
        raise ScenarioFileError(f"{source}, {where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise ScenarioFileError(f"{source}: a scenario is a mapping (name, component, …)")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        line = _line_of(root, tuple(err["loc"]))
        field = ".".join(str(x) for x in err["loc"])
        reason = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        raise ScenarioFileError(f"{source}, line {line}: {field}: {reason}") from None
    if scenario.component == "urban_heat" and scenario.seine is not None:
        raise ScenarioFileError(f"{source}, line {_line_of(root, ('seine',))}: seine: only for component seine_flood")
    if scenario.component == "urban_heat" and "backend" in data:
        raise ScenarioFileError(f"{source}, line {_line_of(root, ('backend',))}: backend: only for component seine_flood")
    if scenario.component == "seine_flood":
        if scenario.seine is None:
            raise ScenarioFileError(f"{source}: component seine_flood needs seine: {{scenario: \"1910\"}} or {{stage_m: …}}")
        if scenario.edits:
            raise ScenarioFileError(f"{source}, line {_line_of(root, ('edits',))}: edits: only for component urban_heat")
    return scenario


MAX_FILE_BYTES = 256_000


def read(path: Path) -> Scenario:
    path = Path(path)
    if not path.is_file():
        raise ScenarioFileError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioFileError(f"{path}: {path.stat().st_size:,} bytes; a scenario file holds at most "
                                f"{MAX_FILE_BYTES:,} (it is a short YAML text)")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = " (it looks like UTF-16: save it as UTF-8)" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        line = raw[:exc.start].count(b"\n") + 1
        raise ScenarioFileError(f"{path}, line {line}: not UTF-8 text{hint}") from None
    return parse(text.removeprefix("\ufeff"), source=str(path))


def memory_estimate_gib(scenario: Scenario) -> float:
    """Memory of a run over the Paris box: fields per cell × cells (flood 27 float64: the terrain,
    its filter and masks, the grid and the component's state, wet spells and outputs — measured
    by bench/bench_flood.py at 10 m; heat 24 float32)."""
    cells = (23_000 / scenario.resolution_m) * (15_000 / scenario.resolution_m)
    per_cell = 27 * 8 if scenario.component == "seine_flood" else 24 * 4
    return cells * per_cell / 2**30


def check_fits(scenario: Scenario) -> None:
    need = memory_estimate_gib(scenario)
    if need > MEMORY_BUDGET_GIB:
        raise ScenarioFileError(f"{scenario.name}: at {scenario.resolution_m:g} m the run needs about {need:.1f} GiB, "
                                f"more than the {MEMORY_BUDGET_GIB:g} GiB budget: choose a coarser resolution")
