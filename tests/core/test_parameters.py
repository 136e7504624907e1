"""Every parameter file of the package reads through the one loader, in one shape, with a source
for each parameter; dated values give the value in force on a day."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import pytest

import recoque
from recoque.core.parameters import REGISTRY, ParameterError, ParameterFile


def _all_files() -> list[ParameterFile]:
    for info in pkgutil.walk_packages(recoque.__path__, "recoque."):
        if "migrations" not in info.name:
            importlib.import_module(info.name)
    root = recoque.__path__[0]
    return [f for f in REGISTRY if str(f.path).startswith(root)]


def test_every_parameter_file_loads_and_every_parameter_has_a_source():
    files = _all_files()
    names = {f.path.name for f in files}
    assert {"seine.yaml", "urban_heat.yaml", "vulnerability.yaml", "protocol.yaml", "bridge.yaml",
            "footprint.yaml", "bias.yaml", "coolplaces.yaml", "vigilance.yaml"} <= names
    counted = 0
    for f in files:
        for p in f.parameters():   # raises on a parameter without a source
            assert p.source or p.note, p.path
            assert not p.estimate or p.note or p.source, p.path
            counted += 1
    assert counted >= 50


def test_typed_access_and_dated_values(tmp_path):
    (tmp_path / "anchor.py").write_text("")
    (tmp_path / "p.yaml").write_text(
        "ceiling:\n  values: {'2024-04-01': 100.0, '2025-04-01': 102.5}\n  unit: €\n  source: décret\n"
        "share: {value: 0.5, estimate: true, note: the project's choice}\n")
    f = ParameterFile(str(tmp_path / "anchor.py"), "p.yaml")
    ceiling = f.parameter("ceiling")
    assert ceiling.unit == "€" and ceiling.value == 102.5
    assert ceiling.at(date(2024, 12, 31)) == 100.0 and f.value("ceiling", date(2025, 4, 1)) == 102.5
    with pytest.raises(ParameterError, match="no value before 2024-04-01"):
        ceiling.at(date(2020, 1, 1))
    assert f.parameter("share").estimate and f["share"]["value"] == 0.5
    with pytest.raises(ParameterError, match="no parameter 'nope'"):
        f.parameter("nope")


@pytest.mark.parametrize("text, message", [
    ("x: {value: 1}\n", "x: no source"),
    ("x: {value: 1, source: s, estimate: maybe}\n", "estimate must be true or false"),
    ("x: {values: {soon: 1}, source: s}\n", "values"),
    ("- 1\n", "expected a mapping"),
])
def test_a_bad_parameter_file_is_refused_with_its_path(tmp_path, text, message):
    (tmp_path / "anchor.py").write_text("")
    (tmp_path / "bad.yaml").write_text(text)
    f = ParameterFile(str(tmp_path / "anchor.py"), "bad.yaml")
    with pytest.raises(ParameterError, match=message):
        f.parameters()
