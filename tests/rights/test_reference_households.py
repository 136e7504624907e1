"""Reference households: documented situations whose entitlements are worked out here from the
rules and the legislation parameters (read from OpenFisca's parameter tree for the month, never
from the computed result), then checked against Recoque's bridge.

Conventions of the bridge that the reasoning relies on (recoque/rights/bridge.yaml):
- incomes are the same every month; gross pension = net × 1.1, gross salary = net × 1.282;
- past benefits are computed as if the situation had not changed (``past="computed"``), so a
  person entitled to an allowance counts it in the resources of the others (e.g. AAH in the RSA);
- the month is November 2026; all of Paris is housing-aid zone 1.
"""

from __future__ import annotations

import pytest

from recoque.rights import bridge
from recoque.rights.simulator import Situation, frames

MONTH = "2026-11"
pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def P():
    return bridge.tax_benefit_system().parameters(f"{MONTH}-01")


def rights(**situation) -> dict[str, float]:
    households, persons = frames(Situation(**situation))
    amounts = bridge.compute(households, persons, MONTH, past="computed").amounts
    return amounts.groupby("benefit")["amount_month"].sum().to_dict()


def rsa_base(P) -> float:
    return float(P.prestations_sociales.solidarite_insertion.minima_sociaux.rsa.rsa_m.montant_de_base_du_rsa)


def forfait(P, persons: int) -> float:
    fl = P.prestations_sociales.solidarite_insertion.minima_sociaux.rsa.rsa_fl.forfait_logement
    rate = {1: fl.taux_1_personne, 2: fl.taux_2_personnes}.get(persons, fl.taux_3_personnes_ou_plus)
    return float(rate) * rsa_base(P) * {1: 1, 2: 1.5}.get(persons, 1.8)


def test_1_single_no_income_private_tenant(P):
    # RSA = lump sum for one person − housing lump sum (the person receives a housing aid):
    # base × 1 − 12 % × base. Housing aid is due (rent 500 €, no resources); CSS free of charge.
    r = rights(age=30, rent=500)
    assert r["rsa"] == pytest.approx(rsa_base(P) - forfait(P, 1), abs=0.02)
    assert r["aide_logement"] > 0
    assert "cmu_c" in r


def test_2_single_part_time_salary(P):
    # 500 € of net salary count fully in the RSA resources: RSA = base − forfait − 500 (> 0 here);
    # the prime d'activité tops up low earnings.
    r = rights(age=30, rent=500, salary=500)
    assert r["rsa"] == pytest.approx(rsa_base(P) - forfait(P, 1) - 500, abs=0.02)
    assert r["ppa"] > 0


def test_3_single_well_paid_gets_nothing_means_tested():
    # 3,000 € net a month is far above every ceiling of the means-tested aids for one person.
    r = rights(age=35, rent=900, salary=3000)
    for name in ("rsa", "ppa", "aide_logement", "cmu_c", "css_participation_forfaitaire", "paris_logement"):
        assert name not in r


def test_4_single_80_year_old_tenant_small_pension(P):
    # ASPA for a single person = yearly maximum / 12 − resources (gross pension 700 × 1.1 = 770),
    # the resources being under the ceiling (equal to the maximum for a single person).
    aspa = P.prestations_sociales.solidarite_insertion.minimum_vieillesse.aspa
    expected = float(aspa.montant_maximum_annuel.personnes_seules) / 12 - 700 * 1.1
    r = rights(age=80, pension=700, rent=600)
    assert r["aspa"] == pytest.approx(expected, abs=1.0)
    assert r["aide_logement"] > 0
    assert "paris_pass_seniors" in r            # in kind: the Pass Paris Seniors


def test_5_elderly_couple_one_small_pension(P):
    # ASPA for a couple = couple maximum / 12 − household resources (770 € gross).
    aspa = P.prestations_sociales.solidarite_insertion.minimum_vieillesse.aspa
    expected = float(aspa.montant_maximum_annuel.couples) / 12 - 700 * 1.1
    r = rights(age=72, couple=True, partner_age=70, pension=700, rent=700)
    assert r["aspa"] == pytest.approx(expected, abs=1.0)


def test_6_disabled_adult_alone_no_income(P):
    # AAH at the full rate (no resources); the AAH then exceeds the RSA lump sum, so no RSA.
    r = rights(age=40, disability=True, tenure="social_rent", rent=400)
    assert r["aah"] == pytest.approx(float(P.prestations_sociales.prestations_etat_de_sante.invalidite.aah.montant), abs=0.02)
    assert "rsa" not in r
    assert "paris_pass_access" in r


def test_7_lone_parent_two_children_part_time(P):
    # Family allowances for 2 children, lowest income band: BMAF × 32 %; a lone parent receives
    # the ASF (allocation de soutien familial) for each child and the prime d'activité.
    pf = P.prestations_sociales.prestations_familiales
    r = rights(age=35, children_ages=[4, 7], salary=900, rent=800)
    assert r["af"] == pytest.approx(float(pf.bmaf.bmaf) * float(pf.prestations_generales.af.af_cm.taux.enf2), abs=0.02)
    assert r["asf"] > 0 and r["ppa"] > 0
    assert r["paris_logement_plfm"] > 0         # Paris Logement Familles Monoparentales


def test_8_couple_three_children_one_salary(P):
    # Three children: BMAF × (rate for 2 children + rate per further child); the complément
    # familial is due from the third child aged 3 or more under the ceiling.
    af = P.prestations_sociales.prestations_familiales.prestations_generales.af.af_cm.taux
    bmaf = float(P.prestations_sociales.prestations_familiales.bmaf.bmaf)
    r = rights(age=38, couple=True, partner_age=36, children_ages=[3, 6, 9], salary=2000, rent=1100)
    assert r["af"] == pytest.approx(bmaf * (float(af.enf2) + float(af.enf3)), abs=0.05)
    assert r["cf"] > 0


def test_9_couple_with_a_baby():
    # A child under 3 and modest earnings: the PAJE base allowance.
    r = rights(age=30, couple=True, partner_age=29, children_ages=[1], salary=1800, rent=900)
    assert r["paje_base"] > 0


def test_10_high_earning_couple_two_children(P):
    # Family allowances are paid whatever the income, modulated: above the top band they are
    # BMAF × 32 % × the third band's rate (a quarter). No means-tested aid.
    pf = P.prestations_sociales.prestations_familiales
    r = rights(age=45, couple=True, partner_age=44, children_ages=[8, 12], salary=5000, partner_salary=5000, rent=2500)
    expected = float(pf.bmaf.bmaf) * float(pf.prestations_generales.af.af_cm.taux.enf2) * float(
        pf.prestations_generales.af.af_cm.modulation.taux_tranche_3)
    assert r["af"] == pytest.approx(expected, abs=0.05)
    assert not {"rsa", "ppa", "aide_logement", "cf", "paris_logement_familles"} & set(r)


def test_11_unemployed_tenant(P):
    # 900 € of unemployment benefit exceed the RSA lump sum for one person (no RSA), but the
    # housing aid is still due with a 700 € rent.
    r = rights(age=45, unemployment=900, rent=700)
    assert 900 > rsa_base(P)
    assert "rsa" not in r
    assert r["aide_logement"] > 0


def test_12_comfortable_retired_owner():
    # 2,500 € net pension, owner: neither ASPA nor housing aid nor Paris Solidarité.
    r = rights(age=70, pension=2500, tenure="owner")
    assert not {"aspa", "aide_logement", "paris_solidarite_pa", "paris_logement"} & set(r)


def test_13_student_under_25_no_rsa():
    # The RSA is open from 25 (or with a child): a 22-year-old alone gets none.
    r = rights(age=22, rent=450)
    assert "rsa" not in r


def test_14_young_lone_parent_gets_rsa():
    # Under 25 with a dependent child, the RSA is open (majoration for lone parents).
    r = rights(age=23, children_ages=[1], rent=600)
    assert r["rsa"] > 0


def test_15_owner_no_income_no_housing_aid(P):
    # An owner without a loan receives no housing aid; the RSA still deducts the housing lump sum
    # (the person is housed without rent).
    r = rights(age=50, tenure="owner")
    assert "aide_logement" not in r
    assert r["rsa"] == pytest.approx(rsa_base(P) - forfait(P, 1), abs=0.02)


def test_16_housed_free_no_income(P):
    # Housed free of charge: no housing aid, RSA minus the housing lump sum.
    r = rights(age=30, tenure="free")
    assert "aide_logement" not in r
    assert r["rsa"] == pytest.approx(rsa_base(P) - forfait(P, 1), abs=0.02)


def test_17_childless_couple_no_income(P):
    # Couple: lump sum × 1.5 minus the housing lump sum for two persons.
    r = rights(age=40, couple=True, partner_age=41, rent=700)
    assert r["rsa"] == pytest.approx(rsa_base(P) * 1.5 - forfait(P, 2), abs=0.05)


def test_18_paris_aids_need_three_years_in_paris():
    # Paris Logement, the Complément Santé Paris and the Pass Paris Seniors require 3 years of
    # residence in Paris (règlement municipal): the same elderly tenant gets them after 10 years
    # and not after 1. (OpenFisca-Paris's Paris Solidarité for the elderly does not test residence.)
    residence = {"paris_logement", "paris_complement_sante", "paris_pass_seniors"}
    newcomer = rights(age=75, pension=900, rent=700, years_in_paris=1)
    settled = rights(age=75, pension=900, rent=700, years_in_paris=10)
    assert not residence & set(newcomer)
    assert residence <= set(settled)


def test_19_energy_cheque_for_low_income():
    # The energy cheque goes to households with a low reference tax income per consumption unit.
    r = rights(age=30, rent=500)
    assert r["cheque_energie"] > 0
    assert "cheque_energie" not in rights(age=30, rent=900, salary=3500)


def test_20_css_with_contribution_between_ceilings():
    # Resources just above the free CSS ceiling and below the ceiling with contribution: the CSS
    # with a contribution (in money) rather than the free one.
    r = rights(age=70, pension=950, tenure="owner")
    assert "cmu_c" not in r
    assert r.get("css_participation_forfaitaire", 0) > 0


def test_21_each_answer_is_an_openfisca_variable():
    # Every benefit of the catalogue is a variable of OpenFisca-France or OpenFisca-Paris.
    from recoque.rights.catalogue import benefits

    system = bridge.tax_benefit_system()
    assert len(benefits()) >= 15
    assert all(name in system.variables for name in benefits())
