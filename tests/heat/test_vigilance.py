"""IBM and vigilance levels by the stated rules, on hand-made series and on real past summers."""

from __future__ import annotations

import pandas as pd
import pytest

from recoque.heat import seasons, vigilance
from recoque.heat.forecast import ForecastError


def frame(tmin: list[float], tmax: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"date": pd.date_range("2026-07-01", periods=len(tmin)), "tmin": tmin, "tmax": tmax})


def test_ibm_is_the_mean_of_the_day_and_the_next_two():
    out = vigilance.ibm(frame([10, 20, 30, 40], [20, 23, 29, 32]))
    assert out["ibm_min"].tolist()[:2] == [20.0, 30.0]
    assert out["ibm_max"].tolist()[:2] == [24.0, 28.0]
    assert out["ibm_min"].isna().tolist()[2:] == [True, True]


def test_orange_needs_both_ibm_over_the_paris_thresholds():
    # IBMmin 22 ≥ 21 and IBMmax 32 ≥ 31 on day 1 → orange
    out = vigilance.levels(frame([22, 22, 22, 15, 15], [32, 32, 32, 22, 22]), "75")
    # days 2 and 3: IBM below the thresholds, but the day itself is a heat peak → yellow
    assert out["level"].tolist() == [3, 2, 2, 0, 0]
    assert out["reason"].tolist()[1:3] == ["pic de chaleur", "pic de chaleur"]
    assert out["reason"].iloc[0] == "IBMmin ≥ 21 °C et IBMmax ≥ 31 °C"
    # hot days but cool nights: never orange
    out = vigilance.levels(frame([17, 17, 17, 17], [35, 35, 35, 35]), "75")
    assert set(out["level"]) == {1, 0}
    # Bouches-du-Rhône has higher thresholds: the same heat is not an alert there
    out = vigilance.levels(frame([22, 22, 22], [32, 32, 32]), "13")
    assert out["level"].iloc[0] == 1


def test_red_and_yellow_rules():
    out = vigilance.levels(frame([25, 25, 25], [36, 36, 36]), "75")      # IBMmax ≥ 31 + 4
    assert out["level"].iloc[0] == 4 and out["reason"].iloc[0] == "canicule extrême"
    out = vigilance.levels(frame([21, 16, 16], [31, 25, 25]), "75")      # one hot day and night
    assert out["level"].iloc[0] == 2 and out["reason"].iloc[0] == "pic de chaleur"
    out = vigilance.levels(frame([20, 20, 20], [30, 30, 30]), "75")      # within 2 °C of both
    assert out["level"].iloc[0] == 2


def test_episodes_and_their_id():
    out = vigilance.levels(frame([22, 22, 22, 22, 15, 15, 15], [32, 32, 32, 32, 22, 22, 22]), "75")
    assert vigilance.episodes(out) == [{"start": "2026-07-01", "end": "2026-07-02", "days": 2, "max_level": 3}]
    assert vigilance.episode_of(out, "2026-07-02") == "2026-07-01"
    assert vigilance.episode_of(out, "2026-07-04") is None


def test_august_2003_alert_from_the_bundled_reanalysis():
    f = seasons.season(2003)
    out = vigilance.levels(f.days, "75")
    assert vigilance.episodes(out) == [{"start": "2003-08-02", "end": "2003-08-12", "days": 11, "max_level": 4}]
    # the deadliest days (11–14 August) are inside or right after the alert
    assert out.set_index("date").loc["2003-08-11", "level"] == 4


def test_station_series_in_fahrenheit_are_converted_and_gaps_reported():
    f = seasons.season(2013)
    assert f.repairs[0] == "106 day(s) converted from °F to °C"
    assert f.days["tmax"].between(5, 45).all()
    with pytest.raises(ForecastError, match=r"2006-08-07 → 2006-08-09: 3 day\(s\)"):
        seasons.season(2006)   # the station's own gap: refused, not invented


def test_published_vigilance_record_2025():
    pub = seasons.published(2025)
    red = pub[pub["level"] == 4]["date"].dt.strftime("%Y-%m-%d").tolist()
    assert red == ["2025-06-30", "2025-07-01"]
    assert [e["start"] for e in vigilance.episodes(pub)] == ["2025-06-28", "2025-08-11"]
