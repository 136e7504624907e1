import numpy as np
import pandas as pd
import pytest

from recoque.governance.bias import (
    BiasAuditError,
    audit_scores,
    latest_audits,
    record_audit,
)


def _frame(n=4000, biased=False, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "age": rng.integers(0, 100, n), "sex": rng.choice(["F", "M"], n),
        "arrondissement": rng.choice([f"751{i:02d}" for i in range(1, 21)], n),
        "disability": rng.random(n) < 0.1,
    })
    frame["score"] = rng.random(n)
    if biased:
        frame.loc[frame["sex"] == "M", "score"] *= 0.5
    frame["selected"] = frame["score"] > 0.6
    return frame


def test_a_fair_score_is_not_flagged():
    # large groups: chance alone must not cross the four-fifths threshold
    result = audit_scores(_frame(n=20_000))
    assert not result["flagged"], result["flags"]
    assert set(result["groups"]) == {"sex", "age_band", "arrondissement", "disability"}
    assert result["groups"]["sex"]["selection_rate_ratio"] > 0.8


def test_a_disparity_flags_the_algorithm():
    result = audit_scores(_frame(biased=True))
    assert result["flagged"]
    assert any(flag.startswith("sex:") for flag in result["flags"])
    rates = result["groups"]["sex"]["by_group"]
    assert rates["M"]["selection_rate"] < rates["F"]["selection_rate"] / 2


def test_small_groups_are_withheld():
    frame = _frame(n=500)
    frame.loc[:4, "arrondissement"] = "75199"
    result = audit_scores(frame)
    assert "75199" in result["groups"]["arrondissement"]["withheld_groups"]
    assert "75199" not in result["groups"]["arrondissement"]["by_group"]


@pytest.mark.parametrize("group", ["nationality", "country_of_birth", "Nationalite"])
def test_nationality_and_its_proxies_are_refused(group):
    frame = _frame(n=100)
    frame[group] = "x"
    with pytest.raises(BiasAuditError, match="never model inputs"):
        audit_scores(frame, groups=["sex", group])


def test_audits_are_recorded_and_shown(engine):
    record_audit(engine, "synthetic-population", audit_scores(_frame(biased=True)))
    latest = latest_audits(engine)
    assert latest["synthetic-population"]["flagged"]


def test_a_flagged_audit_shows_on_the_register(settings_for):
    from fastapi.testclient import TestClient

    from recoque.server import create_app

    with TestClient(create_app(settings_for())) as client:
        record_audit(client.app.state.engine, "territory-indicators", audit_scores(_frame(biased=True)))
        assert "disparité signalée" in client.get("/transparence").text
        assert "disparité signalée" in client.get("/transparence/territory-indicators").text
        ats = client.get("/api/v1/register/territory-indicators").json()
        assert ats["non_discrimination"]["latest_measured_audit"]["flagged"] is True
