"""Figures and dates as Parisians read them."""

from datetime import UTC, date, datetime

from recoque.core.typography import arrondissement_fr, date_fr


def test_dates_in_french_in_paris_time():
    assert date_fr(date(2026, 12, 1)) == "1er décembre 2026"
    assert date_fr("2003-08-02") == "2 août 2003"
    # the store keeps UTC: 13 h 05 UTC in winter is 14 h 05 in Paris, 22 h 30 UTC in summer the next day
    assert date_fr(datetime(2026, 12, 1, 13, 5, tzinfo=UTC), time=True) == "1er décembre 2026 à 14 h 05"
    assert date_fr(datetime(2026, 7, 14, 22, 30), time=True) == "15 juillet 2026 à 0 h 30"
    assert date_fr(None) == date_fr("") == "—"


def test_arrondissements_as_residents_name_them():
    assert arrondissement_fr("75101") == "1er" and arrondissement_fr("75113") == "13e"
    assert arrondissement_fr("93048") == "93048"
