"""Figures and dates as Parisians read them."""

from datetime import UTC, date, datetime

from recoque.core.typography import (
    arrondissement_fr,
    date_fr,
    place_name,
    scientific,
    significant,
)


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


def test_small_and_tiny_figures_in_french():
    assert significant(0.0031416) == "0,00314" and significant(12.5) == "12,5" and significant(3.0) == "3"
    assert significant(123456) == "123\u202f456" and significant(-0.05) == "\u22120,05" and significant(0) == "0"
    assert scientific(1.4e-16) == "1,4\u00a0×\u00a010⁻¹⁶" and scientific(9.99e-5) == "1,0\u00a0×\u00a010⁻⁴"
    assert scientific(2500) == "2,5\u00a0×\u00a010³"


def test_names_typed_in_capitals_read_in_ordinary_case():
    assert place_name("KIOSQUE A MUSIQUE SQUARE SERGE REGGIANI") == "Kiosque à Musique Square Serge Reggiani"
    assert place_name("ABRI JARDIN DU CHAMP DE MARS ET PELOUSES DE L'ECOLE MILITAIRE") == \
        "Abri Jardin du Champ de Mars et Pelouses de l'Ecole Militaire"
    assert place_name("L'ILE  SAINT-LOUIS") == "L'Ile Saint-Louis"
    assert place_name("Eglise  Notre-Dame des Otages") == "Eglise Notre-Dame des Otages"   # mixed case kept
