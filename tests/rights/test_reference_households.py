"""Reference households (tests/rights/reference_households/*.yaml): situations a policy officer
can read, whose amounts are worked out by hand from the legislation (the parameter values each
case lists, checked here against OpenFisca's parameter tree at the case's period). Each case is
run through the simulator (the months before computed by OpenFisca) and through the screening
path (the months before read from records holding what the household receives), and both must
give the worked-out amounts to the margin (one cent)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from recoque.rights import bridge
from recoque.rights.catalogue import benefits
from recoque.rights.simulator import Situation, frames, simulate

pytestmark = pytest.mark.filterwarnings("ignore")
HERE = Path(__file__).parent / "reference_households"
CASES = [case for path in sorted(HERE.glob("*.yaml")) for case in yaml.safe_load(path.read_text(encoding="utf-8"))]
KEYS = {"name", "period", "absolute_error_margin", "legislation", "description", "input", "output", "present",
        "absent", "incomes", "cost"}


def test_there_are_thirty_readable_cases():
    assert len(CASES) >= 30
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names)
    for case in CASES:
        assert set(case) <= KEYS and {"name", "period", "input", "output", "description"} <= set(case), case["name"]
        assert len(case["description"]) > 40, case["name"]
        known = set(case["output"]) | set(case.get("present", [])) | set(case.get("absent", [])) | set(case.get("cost", {}))
        assert known <= set(benefits()), case["name"]
        # every case checks something: an amount, a right found or refused, or an income
        assert known or case.get("incomes"), case["name"]


def _parameter(path: str, instant: str):
    node = bridge.tax_benefit_system().parameters(instant)
    for key in path.split("."):
        node = node[key] if not hasattr(node, key) else getattr(node, key)
    return float(node)


@pytest.mark.parametrize("case", CASES, ids=[c["name"][:2] + c["name"][2:4].strip() for c in CASES])
def test_the_legislation_a_case_relies_on_is_openfiscas(case):
    instant = f"{case['period']}-01"
    for path, value in (case.get("legislation") or {}).items():
        assert _parameter(path, instant) == pytest.approx(float(value), abs=1e-9), path


def _check(found: dict[str, float], case: dict, how: str) -> None:
    margin = case.get("absolute_error_margin", 0.01) + 1e-9
    for name, amount in case["output"].items():
        assert name in found, f"{case['name']} ({how}): {name} not found"
        assert found[name] == pytest.approx(float(amount), abs=margin), f"{case['name']} ({how}): {name}"
    for name in case.get("present", []):
        assert name in found, f"{case['name']} ({how}): {name} not found"
    for name in case.get("absent", []):
        assert name not in found, f"{case['name']} ({how}): {name} found"


@pytest.mark.parametrize("case", CASES, ids=[c["name"][:2] + c["name"][2:4].strip() for c in CASES])
def test_simulator_and_screening_give_the_worked_out_amounts(case):
    situation = Situation(**case["input"])
    month = str(case["period"])
    result = simulate(situation, month=month)
    found = {a["benefit"]: a["amount_month"] for a in result["aids"]}
    _check(found, case, "simulateur")
    for name, cost in (case.get("cost") or {}).items():
        aid = next(a for a in result["aids"] if a["benefit"] == name)
        assert aid["kind"] == "in_kind" and aid["amount_month"] == 0 and aid["cost_month"] == pytest.approx(cost, abs=0.01)
    # costs are never counted as aids
    assert result["total_month"] == pytest.approx(sum(a["amount_month"] for a in result["aids"] if a["kind"] == "cash"))
    households, persons = frames(situation)
    incomes = bridge.gross_incomes(households, persons, month)
    for variable, value in (case.get("incomes") or {}).items():
        assert float(incomes[variable].iloc[0]) == pytest.approx(value, abs=0.01), f"{case['name']}: {variable}"
    # the screening path: the months before hold what the household receives (its records)
    computed = bridge.compute(households, persons, month, past="computed").amounts
    received = computed[["household_id", "unit_id", "benefit", "amount_month"]]
    screened = bridge.compute(households, persons, month, records=received).amounts
    found_screening = screened.groupby("benefit")["amount_month"].sum().to_dict()
    _check(found_screening, case, "repérage")


def test_each_answer_is_an_openfisca_variable():
    system = bridge.tax_benefit_system()
    assert len(benefits()) >= 15
    assert all(name in system.variables for name in benefits())
