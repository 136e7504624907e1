import csv
import io

import pytest
import yaml

from recoque.governance import register
from recoque.governance.algorithms import discover


def test_every_algorithm_in_the_code_has_a_valid_entry_and_back():
    declared = discover()
    entries = register.entries()
    assert set(declared) == set(entries), (
        f"in the code but not the register: {set(declared) - set(entries)}; "
        f"in the register but not the code: {set(entries) - set(declared)}")
    for algorithm_id, d in declared.items():
        assert entries[algorithm_id].version == d.version, f"{algorithm_id}: versions differ"


def _write(tmp_path, edit):
    raw = yaml.safe_load((register.REGISTER_DIR / "synthetic-population.yaml").read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "synthetic-population.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("edit,needle", [
    (lambda r: r.pop("legal_basis"), "legal_basis"),
    (lambda r: r["ai_act"].update(log_retention_months=3), "log_retention_months"),
    (lambda r: r["barcelona_principles"].pop("transparency"), "transparency"),
    (lambda r: r["automation"].update(level="automatique"), "automation.level"),
    (lambda r: r.update(nationality_used=True), "nationality_used"),
])
def test_an_incomplete_entry_is_refused_naming_the_field(tmp_path, edit, needle):
    with pytest.raises(register.RegisterError, match=needle):
        register.read_entry(_write(tmp_path, edit))


def test_ats_shape_and_csv():
    e = register.entry("synthetic-population")
    ats = register.to_ats(e, {"runs": 2, "energy_kwh": 0.001, "co2_g": 0.044})
    assert set(ats) >= {"general_information", "purpose", "data", "data_processing", "human_oversight", "risks",
                        "non_discrimination", "principles", "footprint"}
    assert ats["risks"]["log_retention_months"] >= 6
    rows = list(csv.reader(io.StringIO(register.to_csv([(e, {"runs": 2})]))))
    assert rows[0][0] == "id" and rows[1][0] == "synthetic-population" and len(rows[1]) == len(rows[0])


def test_unknown_algorithm():
    from recoque.core.errors import UnknownNameError

    with pytest.raises(UnknownNameError):
        register.entry("predictive-policing")


def test_every_file_a_register_entry_or_parameter_cites_is_in_the_repository():
    """Citations resolve on a fresh clone: no path outside the repository, no file that is gone."""
    import re

    from recoque.core.settings import PROJECT_ROOT

    cited = re.compile(r"(?<![\w/.])((?:data|docs|recoque|scenarios|tests|bench)/[\w./-]+\.[a-z]{2,7})")
    sources = [*register.REGISTER_DIR.glob("*.yaml"), *(PROJECT_ROOT / "recoque").glob("*/*.yaml"),
               *(PROJECT_ROOT / "docs").glob("*.md"), PROJECT_ROOT / "README.md"]
    found = 0
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert "../shared" not in text, f"{source.name} cites a path outside the repository"
        for path in cited.findall(text):
            found += 1
            assert (PROJECT_ROOT / path.rstrip(".")).exists(), f"{source.name} cites {path}, which is not in the repository"
    assert found > 30  # the check read real citations
