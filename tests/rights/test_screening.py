"""Screening: records, the full run and its report, journal, layers; Dask = processes bit for
bit; incremental re-screening; exclusions with reasons; the affluence prefilter is safe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recoque.core.errors import NotBuiltError
from recoque.governance.journal import entries_for, verify
from recoque.population import service as population
from recoque.rights import bridge, engine, records, service
from recoque.rights.catalogue import BRIDGE_PARAMETERS, benefits, non_take_up
from tests.rights.conftest import MONTH

pytestmark = pytest.mark.filterwarnings("ignore")


def test_records_follow_the_non_take_up_rates(city):
    build = service.current_records(city.engine)
    assert build.details["synthetic"] is True
    assert city.run.report["records"] == {"build": build.id, "synthetic": True, "made_for_this_run": True}
    received = records.read(Path(build.location))
    ent = pd.read_parquet(Path(city.run.location) / "entitlements.parquet")
    # of the rights the screening finds (given what was received), the share received per benefit
    # follows 1 − the non-take-up rate (binomial noise: 4 standard deviations)
    checked = 0
    for name, group in ent.groupby("benefit"):
        n = len(group)
        if n < 200:
            continue
        share = group["received_month"].notna().mean()
        p = 1 - non_take_up()[name].rate
        assert abs(share - p) <= 4 * np.sqrt(p * (1 - p) / n), name
        checked += 1
    assert checked >= 3
    # the same seed gives the same draw, whatever the batches
    def drawn(frame, seed):
        return records.draw(frame, seed).sort_values(["unit_id", "benefit"]).reset_index(drop=True)

    assert drawn(ent, 5).equals(drawn(ent.sample(frac=1, random_state=1), 5))
    assert not drawn(ent, 5).equals(drawn(ent, 6))
    assert len(received) > 0


def test_records_are_a_consistent_history_city_wide(city):
    """Every record has an entitlement behind it, computed with what was received in the months
    before, and no unit holds the free CSS and the CSS with participation together."""
    report = city.run.report
    assert report["records_without_entitlement"] == 0
    received = records.read(Path(service.current_records(city.engine).location))
    ent = pd.read_parquet(Path(city.run.location) / "entitlements.parquet")
    held = ent[ent["received_month"].notna()].sort_values(["unit_id", "benefit"])
    received = received.sort_values(["unit_id", "benefit"])
    assert len(held) == len(received) > 1000
    assert (held["unit_id"].to_numpy() == received["unit_id"].to_numpy()).all()
    # what is recorded as paid is what the household is entitled to, to the cent
    assert np.allclose(held["received_month"].to_numpy(), held["amount_month"].to_numpy(), atol=0.01)
    css = received[received["benefit"].isin(("cmu_c", "css_participation_forfaitaire"))]
    assert css.groupby("unit_id")["benefit"].nunique().max() == 1


def test_an_allowance_received_counts_in_the_minimum_income():
    """The records' history matters: a famille that receives the AAH has it counted in its RSA
    resources, so the RSA falls by the AAH received (what made ~1,200 households hold both in
    full when records were made as if nothing had been received)."""
    from recoque.rights.simulator import Situation, frames

    households, persons = frames(Situation(age=40, couple=True, partner_age=42, partner_disability=True, rent=700,
                                           tenure="social_rent"))
    alone = bridge.compute(households, persons, MONTH, records=None).amounts.set_index("benefit")
    aah = alone.loc["aah"]
    paid = pd.DataFrame({"household_id": ["SIM"], "unit_id": [aah["unit_id"]], "benefit": ["aah"],
                         "amount_month": [aah["amount_month"]]})
    with_aah = bridge.compute(households, persons, MONTH, records=paid).amounts.set_index("benefit")
    assert aah["amount_month"] > 100
    drop = alone.loc["rsa", "amount_month"] - with_aah.loc["rsa", "amount_month"] if "rsa" in with_aah.index \
        else alone.loc["rsa", "amount_month"]
    assert drop == pytest.approx(min(aah["amount_month"], alone.loc["rsa", "amount_month"]), abs=1.0)


def test_full_run_report_journal_and_layers(city):
    run = city.run
    report = run.report
    households = population.current(city.engine).details
    assert run.status == "done" and run.progress == 1.0
    assert report["households_screened"] == report["households_total"] == households["households"]
    ent = pd.read_parquet(Path(run.location) / "entitlements.parquet")
    unclaimed = ent[ent["received_month"].isna()]
    assert report["unclaimed"] == len(unclaimed) > 0
    assert report["households_with_unclaimed"] == unclaimed["household_id"].nunique()
    assert set(ent["benefit"]) <= set(benefits())
    # one journal entry per household with unclaimed rights, with its explanation
    assert report["journal_entries"] == report["households_with_unclaimed"]
    hid = unclaimed["household_id"].iloc[0]
    entry = [e for e in entries_for(city.engine, hid) if e.algorithm_id == service.ALGORITHM][-1]
    listed = {d["aide"] for d in entry.output["droits_non_demandes"]}
    assert listed == set(unclaimed.loc[unclaimed["household_id"] == hid, "benefit"])
    assert entry.explanation["operations"] and entry.inputs["arrondissement"].startswith("751")
    assert verify(city.engine).ok
    from recoque.core.layers import layer_values

    values = layer_values(city.engine, "droits_montant_non_recouru", "arrondissement")
    assert values and all(v is None or v > 0 for v in values.values())


def test_dask_gives_the_same_results_bit_for_bit(city):
    folder = str(population.current(city.engine).location)
    rec = service.current_records(city.engine).location
    tasks = [engine.Task(folder, rec, a, MONTH) for a in ("75104", "75103")]
    local = engine.run_tasks(tasks, workers=2)
    dask = engine.run_tasks(tasks, workers=2, use_dask=True)
    for a, b in zip(local, dask):
        pd.testing.assert_frame_equal(a.entitlements, b.entitlements, check_exact=True)
        pd.testing.assert_frame_equal(a.digests, b.digests, check_exact=True)
        assert a.explanations == b.explanations


def test_incremental_rescreens_only_changed_households(city, tmp_path):
    build = service.current_records(city.engine)
    received = records.read(Path(build.location))
    # ten households stop receiving a benefit: only they change
    dropped = received.drop_duplicates("household_id").head(10)
    changed = set(dropped["household_id"])
    kept = received.drop(dropped.index)
    path = tmp_path / "records.csv"
    kept.to_csv(path, index=False)
    service.load_records(city.settings, city.engine, path)
    again = service.screen(city.settings, city.engine, month=MONTH, incremental=True, workers=1)
    assert again.kind == "incremental"
    assert again.report["households_changed"] == len(changed)
    assert again.report["households_screened"] == len(changed)
    full = service.screen(city.settings, city.engine, month=MONTH, workers=2)
    a = pd.read_parquet(Path(again.location) / "entitlements.parquet")
    b = pd.read_parquet(Path(full.location) / "entitlements.parquet")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    # the households whose payment stopped now show that right as unclaimed
    newly = b[b["household_id"].isin(changed) & b["received_month"].isna()]
    assert set(newly["household_id"]) == changed
    # back to the original records for the other tests
    service.load_records(city.settings, city.engine, _as_csv(received, tmp_path / "back.csv"))
    service.screen(city.settings, city.engine, month=MONTH, incremental=True, workers=1)


def _as_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_bad_records_are_refused_and_nothing_changes(city, tmp_path):
    before = service.current_records(city.engine).id
    bad = pd.DataFrame({"household_id": ["nobody"], "unit_id": ["x"], "benefit": ["free_money"], "amount_month": [-3]})
    with pytest.raises(records.RecordsError, match=r"column benefit: not a benefit of the catalogue on 1 line\(s\), "
                       r"first \[2\].*column amount_month: fails in_range\(0, 10000.0\)"):
        service.load_records(city.settings, city.engine, _as_csv(bad, tmp_path / "bad.csv"))
    real = records.read(Path(service.current_records(city.engine).location))
    # what the probe sent: infinities, 1e300, and the same rows copied over and over
    copied = pd.concat([real.head(50)] * 20, ignore_index=True)
    copied.loc[3, "amount_month"] = float("inf")
    copied.loc[7, "amount_month"] = 1e300
    with pytest.raises(records.RecordsError) as refused:
        service.load_records(city.settings, city.engine, _as_csv(copied, tmp_path / "copied.csv"))
    message = str(refused.value)
    assert "a duplicate of an earlier line on 950 line(s), first [52, 53" in message
    assert "fails a finite number on 1 line(s), first [5]" in message and "[5, 9]" in message  # inf, 1e300
    assert "nothing was loaded" in message
    stranger = real.head(3).assign(household_id="nobody")
    with pytest.raises(records.RecordsError, match=r"line\(s\) \[2, 3, 4\], column household_id: not a household"):
        service.load_records(city.settings, city.engine, _as_csv(stranger, tmp_path / "stranger.csv"))
    assert service.current_records(city.engine).id == before


def test_households_openfisca_cannot_compute_are_excluded_with_a_reason():
    h = pd.DataFrame({"household_id": ["A", "B", "C"], "arrondissement": "75101", "household_type": "lone_parent",
                      "size": 2, "tenure": "private_rent", "rent_eur_month": 600.0, "consumption_units": 1.3})
    p = pd.DataFrame({"household_id": ["A", "A", "B", "B", "C", "C"], "person_id": list("123456"),
                      "member": [0, 1] * 3, "role": ["lone_parent", "child_of_lone_parent"] * 3,
                      "age": [35, 5, 20, 15, 40, 10], "salary_month": [1000, 0, 900, 0, -50, 0],
                      "pension_month": 0.0, "unemployment_month": 0.0, "other_income_month": 0.0})
    excluded = bridge.exclusions(h, p).set_index("household_id")["reason"]
    assert set(excluded.index) == {"B", "C"}
    assert "âges incohérents" in excluded["B"] and "revenu négatif" in excluded["C"]


def test_people_living_in_a_community_are_excluded_with_their_reason(city):
    """A care-home or residence resident is a resident of Paris but not a household the model
    knows: listed in the run's exclusions with the reason, never screened."""
    reasons = city.run.report["exclusion_reasons"]
    community = [n for r, n in reasons.items() if r.startswith("vit en communauté")]
    assert community and community[0] > 100   # about 2 % of the 2 % city's ~43,000 residents
    folder = str(population.current(city.engine).location)
    h, _ = engine.read_partition(folder, "75114")
    ent = pd.read_parquet(Path(city.run.location) / "entitlements.parquet")
    assert not ent["household_id"].isin(set(h.loc[h["tenure"] == "community", "household_id"])).any()


def test_the_affluence_prefilter_never_drops_an_entitlement(city):
    """Households above the bound are computed here for every benefit: none of the prefiltered
    ones may be due to them (else the bound in bridge.yaml is too low), and the other benefits are
    due only where their stated condition holds (children, tenant, disability, age)."""
    folder = str(population.current(city.engine).location)
    checked = 0
    for code in ("75116", "75107", "75119"):
        h, p = engine.read_partition(folder, code)
        # as the engine does: the excluded (people living in a community…) are never computed
        h = h[~h["household_id"].isin(set(bridge.exclusions(h, p)["household_id"]))].reset_index(drop=True)
        p = p[p["household_id"].isin(set(h["household_id"]))]
        rich = engine.affluent(h, p)
        assert (engine.resources_per_cu(h, p)[rich] > BRIDGE_PARAMETERS["affluence_bound"]["value"]).all()
        ids = set(rich.index[rich.to_numpy()])
        checked += len(ids)
        rec = records.read(Path(service.current_records(city.engine).location), code)
        result = bridge.compute(h[h["household_id"].isin(ids)], p[p["household_id"].isin(ids)], MONTH,
                                records=rec[rec["household_id"].isin(ids)])
        prefiltered = [b for b, spec in benefits().items() if spec.prefilter]
        assert result.amounts[result.amounts["benefit"].isin(prefiltered)].empty
        # and a household meeting none of the remaining benefits' conditions is entitled to nothing
        skipped = set(engine.light_candidates(h, p).pipe(lambda c: c.index[~c.to_numpy()])) & ids
        assert skipped and result.amounts[result.amounts["household_id"].isin(skipped)].empty
        for b, spec in benefits().items():
            if spec.requires:
                ok = engine.meets(spec.requires, h, p)
                got = result.amounts.loc[result.amounts["benefit"] == b, "household_id"]
                assert ok.reindex(got).all(), b
    assert checked > 300


def test_screening_needs_records_and_a_valid_month(settings_for, city):
    with pytest.raises(service.ScreeningError, match="YYYY-MM"):
        service.screen(city.settings, city.engine, month="novembre")
    with pytest.raises(service.ScreeningError, match="unknown arrondissement"):
        service.screen(city.settings, city.engine, month=MONTH, arrondissements=["75199"])
    from recoque.core.store import create_store_engine, migrate

    empty = settings_for()
    eng = create_store_engine(empty.sqlalchemy_url)
    migrate(eng)
    with pytest.raises(NotBuiltError):   # no population at all
        service.screen(empty, eng, month=MONTH)


def test_findings_list_each_household_and_benefit_once(city):
    found = service.findings(city.engine, city.run, limit=None)
    assert not found.duplicated(["household_id", "benefit"]).any()
    ent = pd.read_parquet(Path(city.run.location) / "entitlements.parquet")
    unclaimed = ent[ent["received_month"].isna()]
    assert found["units"].sum() == len(unclaimed)
    assert found["amount_month"].sum() == pytest.approx(unclaimed["amount_month"].sum(), abs=0.01)
