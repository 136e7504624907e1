"""The heat watch wired to the store and governance: scoring, plans, the protocol's tasks (exactly
once after a crash), SMS, dashboard."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select, update

from recoque.core.layers import layer_values
from recoque.core.store import session_scope
from recoque.governance.models import BiasAudit, JournalEntry
from recoque.heat import backtest, calls, planning, service
from recoque.heat.models import HeatAttempt, HeatCall, HeatTask
from recoque.outreach import sms
from recoque.outreach.models import OutboxMessage
from recoque.population import service as population_service


def _count(engine, model, *where) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_scoring_journals_each_person_at_risk_audits_and_publishes(city):
    d = city.scores.details
    scores = service.scores_frame(city.scores)
    assert d["at_risk"] == int(scores["at_risk"].sum()) > 100
    assert d["persons_scored"] > d["public"] == len(scores)
    assert (scores["age"].ge(65) | scores["disability"]).all()
    assert _count(city.engine, JournalEntry, JournalEntry.algorithm_id == "heat-vulnerability") == d["at_risk"]
    assert _count(city.engine, BiasAudit, BiasAudit.algorithm_id == "heat-vulnerability") >= 1
    assert d["registered"] > 0   # the synthetic REFLEX register was drawn first
    values = layer_values(city.engine, "canicule_personnes_a_risque", "arrondissement")
    published = {k: v for k, v in values.items() if v is not None}
    assert published and all(v >= 11 for v in published.values())
    assert sum(published.values()) <= d["at_risk"]


def test_a_plan_is_made_once_split_between_registrants_and_the_unregistered(city):
    with pytest.raises(service.HeatError, match="pas d'alerte canicule le 2003-07-20") as refused:
        calls.plan_day(city.engine, day="2003-07-20")
    assert "--force" not in str(refused.value)
    with pytest.raises(service.HeatError, match="0 appel"):
        calls.plan_day(city.engine, day="2003-08-03", operators=0)
    made = calls.plan_day(city.engine, day="2003-08-03", operators=2, calls_per_operator=30)
    assert made["created"] == made["planned"] == planning.persons_for(60) == 45
    assert made["episode"] == "2003-08-02" and made["level"] == 3
    # the stated default split: half for registrants due, half for the highest-risk unregistered
    assert made["share_registered"] == planning.registrant_share() == 0.5
    assert made["registered"] == 22 and made["unregistered"] == 23
    again = calls.plan_day(city.engine, day="2003-08-03", operators=40)
    assert again["created"] == 0 and again["planned"] == 45
    rows = calls.calls_for(city.engine, "2003-08-03")
    scores = service.scores_frame(city.scores).set_index("person_id")
    unregistered = [c for c in rows if c.kind == "unregistered"]
    # the unregistered called are the highest scores among those a phone reaches
    people = calls.plan_people(city.engine)
    pool = people[~people["registered"] & people["at_risk"] & people["phone"]]
    assert min(c.score for c in unregistered) >= pool["score"].nlargest(len(unregistered)).min() - 1e-9
    assert all(scores.loc[c.person_id, "contactability"] != "none" for c in rows)
    # the unregistered at risk whom no phone reaches get a home visit from their team, once
    no_phone = people[~people["registered"] & people["at_risk"] & ~people["phone"]]
    visits = [t for t in calls.tasks(city.engine) if t.kind == "home_visit" and "sans téléphone" in t.reason
              and t.episode == "2003-08-02"]
    assert len(no_phone) > 0 and {t.person_id for t in visits} <= set(no_phone["person_id"])
    # the highest risks first, within the teams' day, once per episode (plans made earlier count)
    assert len(visits) == len({t.person_id for t in visits}) >= min(len(no_phone), 200)
    assert set(no_phone.nlargest(min(len(no_phone), 200), "score")["person_id"]) <= {t.person_id for t in visits}
    assert all(c.places.get("fontaine") for c in rows)
    assert sum(1 for c in rows if c.places.get("lieu_frais")) == len(rows)   # mairies open 14h–17h every day


def test_protocol_nrp4_makes_one_home_visit_and_medical_goes_to_the_cell(city):
    calls.plan_day(city.engine, day="2003-08-05", operators=1, calls_per_operator=20)
    first = calls.calls_for(city.engine, "2003-08-05")
    person, other = first[0], first[1]
    at = lambda h, d=5: datetime(2003, 8, d, h, tzinfo=UTC)  # noqa: E731
    r1 = calls.record_outcome(city.engine, person.id, outcome="no_answer", operator="op", now=at(9), holder_only=False)
    assert r1["retry_at"] and not r1["done_today"] and r1["task"] is None
    r2 = calls.record_outcome(city.engine, person.id, outcome="no_answer", operator="op", now=at(11), holder_only=False)
    assert r2["done_today"] and r2["unanswered_48h"] == 2
    with pytest.raises(service.HeatError, match="already closed"):
        calls.record_outcome(city.engine, person.id, outcome="ok", operator="op", now=at(12), holder_only=False)
    r = calls.record_outcome(city.engine, other.id, outcome="medical", operator="op", note="vertiges", now=at(10), holder_only=False)
    assert r["task"] == "medical"
    # next day: the unanswered person is tried again first
    calls.plan_day(city.engine, day="2003-08-06", operators=1, calls_per_operator=20)
    second = calls.calls_for(city.engine, "2003-08-06")
    assert second[0].person_id == person.person_id and second[0].reason == "nouvel essai (pas de réponse)"
    calls.record_outcome(city.engine, second[0].id, outcome="no_answer", operator="op", now=at(9, 6), holder_only=False)
    r4 = calls.record_outcome(city.engine, second[0].id, outcome="no_answer", operator="op", now=at(11, 6), holder_only=False)
    assert r4["task"] == "home_visit" and r4["unanswered_48h"] == 4
    visits = [t for t in calls.tasks(city.engine) if t.kind == "home_visit" and t.person_id == person.person_id]
    assert len(visits) == 1 and visits[0].arrondissement == person.arrondissement
    # a home visit closes the calls of the episode
    calls.plan_day(city.engine, day="2003-08-07", operators=1, calls_per_operator=20)
    assert person.person_id not in {c.person_id for c in calls.calls_for(city.engine, "2003-08-07")}
    board = calls.dashboard(city.engine, day="2003-08-06")
    assert board["totals"]["home_visits_pending"] >= 1 and board["totals"]["medical_pending"] >= 1


def test_consent_on_a_call_registers_the_person(city):
    calls.plan_day(city.engine, day="2003-08-08", operators=10, calls_per_operator=100)
    unregistered = [c for c in calls.calls_for(city.engine, "2003-08-08") if c.kind == "unregistered"][0]
    before = service.registered_ids(city.engine)
    assert unregistered.person_id not in before
    r = calls.record_outcome(city.engine, unregistered.id, outcome="ok", operator="op", register=True,
                             now=datetime(2003, 8, 8, 10, tzinfo=UTC), holder_only=False)
    assert r["registered"] and unregistered.person_id in service.registered_ids(city.engine)
    calls.plan_day(city.engine, day="2003-08-10", operators=40)
    again = [c for c in calls.calls_for(city.engine, "2003-08-10") if c.person_id == unregistered.person_id]
    assert again and again[0].kind == "registered"   # called every 2 days from now on


def test_sms_short_with_the_mention_and_queued_once(city):
    calls.plan_day(city.engine, day="2003-08-09", operators=1, calls_per_operator=40)
    n = calls.queue_sms(city.settings, city.engine, day="2003-08-09")
    assert n > 0
    assert calls.queue_sms(city.settings, city.engine, day="2003-08-09") == 0
    with session_scope(city.engine) as session:
        bodies = list(session.scalars(select(OutboxMessage.body).where(OutboxMessage.key.like("heat-2003-08-09-%"))))
    assert len(bodies) == n and all(sms.segments(b) <= 2 and "L311-3-1" in b and "3975" in b for b in bodies)
    # every SMS names the nearest cool place open that day, its hours and walking time, and a fountain
    assert all("Lieu frais ouvert aujourd'hui" in b and "min à pied" in b and "Fontaine" in b for b in bodies)
    assert all("à pied" in b for b in bodies)   # French accents kept (GSM 03.38)


def test_close_day_creates_each_home_visit_exactly_once_after_a_kill(city):
    """Outcomes arriving from the telephony system (written straight to the store here) leave
    people with 4 unanswered tries; the end-of-day batch is killed mid-way, then run again."""
    day = "2003-08-11"
    calls.plan_day(city.engine, day=day, operators=1, calls_per_operator=40)
    todays = calls.calls_for(city.engine, day)
    silent = todays[:12]
    with session_scope(city.engine) as session:
        for c in silent:
            for h in (8, 10, 14, 16):
                session.add(HeatAttempt(call_id=c.id, person_id=c.person_id, episode=c.episode, outcome="no_answer",
                                        at=datetime(2003, 8, 11, h, tzinfo=UTC), operator="telephonie"))
            session.execute(update(HeatCall).where(HeatCall.id == c.id).values(outcome="no_answer", tries=4))
    scores = service.scores_frame(city.scores).set_index("person_id")
    no_phone = {c.person_id for c in todays[12:] if scores.loc[c.person_id, ["phone_mobile", "landline"]].isna().all()}
    expected = {c.person_id for c in silent} | no_phone
    env = os.environ | {"RECOQUE_HEAT_TASK_DELAY_S": "0.4"}
    code = ("from recoque.core.store import create_store_engine; from recoque.heat.calls import close_day; "
            f"close_day(create_store_engine({city.settings.sqlalchemy_url!r}), day={day!r})")
    key = HeatTask.key.like("2003-08-02:%:home_visit")
    before = _count(city.engine, HeatTask, key)
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, start_new_session=True)
    deadline = time.time() + 60
    while _count(city.engine, HeatTask, key) < before + 3 and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = _count(city.engine, HeatTask, key) - before
    assert 3 <= partial < len(expected), "the kill must land mid-batch"
    calls.close_day(city.engine, day=day)
    calls.close_day(city.engine, day=day)   # and once more: nothing new
    with session_scope(city.engine) as session:
        people = list(session.scalars(select(HeatTask.person_id).where(
            HeatTask.person_id.in_([c.person_id for c in todays]), HeatTask.kind == "home_visit",
            HeatTask.episode == "2003-08-02")))
    assert len(people) == len(set(people)), "a task was created twice"
    missing = expected - set(people)
    assert not missing, [(c.person_id, c.tries, c.outcome, c.status) for c in calls.calls_for(city.engine, day) if c.person_id in missing]
    assert set(people) == expected


def test_backtest_reaches_the_unregistered_from_the_first_alert_day(city):
    s = service.scores_frame(city.scores)
    s["registered"] = s["person_id"].isin(service.registered_ids(city.engine))
    s["phone"] = s["contactability"].astype(str) != "none"
    people = s[["person_id", "registered", "score", "multiplier", "at_risk", "arrondissement", "phone"]]
    report = backtest.replay(2003, people, calls=100)
    days = [d for d in report["days"] if "episode" in d]
    assert len(days) == report["alert_days"] == 11
    assert all(d["planned"] <= planning.persons_for(100) and d["reached"] + d["not_reached"] == d["planned"] for d in days)
    # half the calls for registrants, half for the unregistered at highest risk, from the first day
    assert days[0]["planned_registered"] == round(planning.persons_for(100) * 0.5) == 38
    assert days[0]["planned_unregistered"] == planning.persons_for(100) - 38 and days[0]["reached_unregistered"] > 0
    for d in days:
        assert sum(v["registered"] + v["unregistered"] for v in d["reached_by_band"].values()) <= d["reached"]
    # per band: people at risk, reached (registered and not), never reached
    bands = {b["band"]: b for b in report["bands"]}
    assert sum(b["people"] for b in report["bands"]) == report["at_risk"] == int(s["at_risk"].sum())
    for b in report["bands"]:
        assert b["reached"] + b["never_reached"] == b["people"]
        assert b["reached_registered"] + b["reached_unregistered"] == b["reached"]
    assert bands["très élevé"]["reached_unregistered"] > 0
    # the registry-only baseline reaches no unregistered person
    baseline = backtest.replay(2003, people, calls=100, registry_only=True)
    assert all(d["reached_unregistered"] == 0 for d in baseline["days"] if "episode" in d)
    assert report["at_risk_reached"] > baseline["at_risk_reached"]
    # reproducible
    again = backtest.replay(2003, people, calls=100)
    assert again["people_reached"] == report["people_reached"]
    refused = backtest.replay(2006, None)
    assert "3 day(s) without a complete forecast" in refused["refused"]
    assert pd.Timestamp(report["episodes"][0]["start"]) == pd.Timestamp("2003-08-02")


def test_map_layers_of_the_night_and_of_the_dashboard(city):
    night = layer_values(city.engine, "canicule_nuit_iris", "iris")
    hottest = max(d["tmin"] for d in service.current_forecast(city.engine).days)
    # the hottest night of the forecast, plus 0 / 1.5 / 3 °C by IRIS heat class
    assert set(night.values()) <= {round(hottest + k, 1) for k in (0.0, 1.5, 3.0)} and len(set(night.values())) == 3
    calls.plan_day(city.engine, day="2003-08-12", operators=40)
    board = calls.dashboard(city.engine, day="2003-08-12")
    joined = layer_values(city.engine, "canicule_joints", "arrondissement")
    for row in board["rows"]:
        expected = row["reached"] if row["reached"] >= 11 else None
        assert joined.get(row["arrondissement"]) == expected


def test_the_twin_night_temperature_replaces_the_iris_class_once_a_run_exists(city):
    """Last in this file: it re-scores the city."""
    from recoque.twin import scenarios
    from recoque.twin.service import night_classes_at, run_heat

    persons = population_service.read_persons(city.engine)
    classes, source = service.home_heat_classes(city.engine, persons)
    assert source.startswith("classe d'îlot")
    run = run_heat(city.settings, city.engine, scenarios.parse("name: actuel\ncomponent: urban_heat\nresolution_m: 100\n"))
    classes, source = service.home_heat_classes(city.engine, persons)
    assert source == f"jumeau numérique (simulation {run.id})"
    twin = night_classes_at(run, persons["x"].to_numpy(), persons["y"].to_numpy())
    assert (twin > 0).mean() > 0.99 and set(np.unique(twin[twin > 0])) <= {1, 2, 3}
    assert (classes == np.where(twin > 0, twin, classes)).all()
    build = service.score_population(city.settings, city.engine)
    assert build.details["night_heat_source"] == source


def test_a_flood_run_counts_the_residents_of_the_city(city):
    from recoque.twin.service import run_seine

    build = run_seine(city.settings, city.engine, scenario="1910", hours=1.0, resolution_m=200)
    a = build.details["report"]["affected"]
    assert a is not None and a["residents"] == sum(v["residents"] for v in a["per_arrondissement"].values())
    assert a["residents"] >= sum(a["per_iris_top"].values()) > 0
    assert isinstance(a["schools_flooded"], list) and isinstance(a["cool_places_flooded"], list)
