"""The REFLEX protocol and the day's plan, on hand-made people and outcomes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from recoque.heat import planning

DAY = pd.Timestamp("2026-07-10")


def people(n_reg: int, n_unreg: int) -> pd.DataFrame:
    rows = [{"person_id": f"R{i}", "registered": True, "score": 0.1 + i / 100, "at_risk": i % 2 == 0} for i in range(n_reg)]
    rows += [{"person_id": f"U{i}", "registered": False, "score": 0.5 + i / 100, "at_risk": True} for i in range(n_unreg)]
    return pd.DataFrame(rows)


def attempts(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"person_id": p, "at": pd.Timestamp(t), "outcome": o} for p, t, o in rows])


def test_capacity_and_the_retry_reserve():
    assert planning.capacity() == 40 * 60
    assert planning.capacity(2, 10) == 20 and planning.persons_for(20) == 15
    with pytest.raises(ValueError):
        planning.capacity(-1, 10)


def test_the_calls_are_split_between_registrants_and_the_unregistered_by_score():
    plan = planning.plan(DAY, people(3, 5), planning.person_state(attempts(), DAY), set(), calls=8)
    assert len(plan) == planning.persons_for(8) == 6
    # half for registrants (3 due), half for the three highest-risk unregistered; in score order
    assert plan["person_id"].tolist() == ["U4", "U3", "U2", "R2", "R1", "R0"]
    assert plan["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    # a share the manager changes: registrants only, or none
    only = planning.plan(DAY, people(3, 5), planning.person_state(attempts(), DAY), set(), calls=8, share=1.0)
    assert (only["kind"] == "registered").sum() == 3          # all registrants due, the spare calls go on
    none = planning.plan(DAY, people(3, 5), planning.person_state(attempts(), DAY), set(), calls=8, share=0.0)
    assert (none["kind"] == "unregistered").sum() == 5 and (none["kind"] == "registered").sum() == 1
    with pytest.raises(ValueError):
        planning.plan(DAY, people(3, 5), planning.person_state(attempts(), DAY), set(), calls=8, share=1.5)


def test_many_registrants_leave_room_for_the_unregistered():
    """The old registry's plan called registrants only as long as they filled the day."""
    plan = planning.plan(DAY, people(40, 40), planning.person_state(attempts(), DAY), set(), calls=40)
    assert len(plan) == 30 and (plan["kind"] == "registered").sum() == 15 == (plan["kind"] == "unregistered").sum()


def test_people_without_a_phone_are_left_to_home_visits_and_the_preview_counts_them():
    frame = people(2, 4).assign(phone=[True, True, True, False, True, False])
    plan = planning.plan(DAY, frame, planning.person_state(attempts(), DAY), set(), calls=100)
    assert set(plan["person_id"]) == {"R0", "R1", "U0", "U2"}
    view = planning.preview(frame.assign(multiplier=[1, 1, 20, 9, 5, 4.5]), calls=8, share=0.5)
    assert view["persons_per_day"] == 6 and view["registered_called_per_day"] == 2
    assert view["unregistered_called_per_day"] == 4 and view["unregistered_no_phone"] == 2
    bands = {b["band"]: b for b in view["bands"]}
    assert bands["très élevé"]["people"] == 1 and bands["à risque"]["people"] == 1
    assert bands["à risque"]["days_to_reach_all"] == 1


def test_a_call_every_two_days_and_no_second_call_to_the_unregistered():
    state = planning.person_state(attempts(("R0", "2026-07-09 10:00", "ok"), ("R1", "2026-07-08 10:00", "ok"),
                                           ("U0", "2026-07-08 10:00", "ok")), DAY)
    plan = planning.plan(DAY, people(2, 2), state, set(), calls=100)
    assert set(plan["person_id"]) == {"R1", "U1"}   # R0 answered yesterday, U0 was reached already


def test_no_answer_is_tried_again_first_and_declined_or_visited_are_not_called():
    state = planning.person_state(attempts(("U3", "2026-07-09 10:00", "no_answer"), ("R0", "2026-07-09 10:00", "declined")), DAY)
    plan = planning.plan(DAY, people(2, 4), state, visits={"R1"}, calls=100)
    assert plan["person_id"].iloc[0] == "U3" and plan["reason"].iloc[0] == "nouvel essai (pas de réponse)"
    assert not {"R0", "R1"} & set(plan["person_id"])


def test_nrp4_four_unanswered_tries_within_48_hours_make_a_home_visit():
    t0 = datetime(2026, 7, 9, 9)
    times = [t0, t0 + timedelta(hours=2), t0 + timedelta(hours=24)]
    n = planning.unanswered_within(times + [t0 + timedelta(hours=26)], ["no_answer"] * 4, t0 + timedelta(hours=26))
    assert n == 4
    assert planning.after_outcome("no_answer", t0, n, tries_today=2) == planning.Action("home_visit", None, True)
    # an answered call in between resets the count
    assert planning.unanswered_within(times + [t0 + timedelta(hours=26)], ["no_answer", "ok", "no_answer", "no_answer"],
                                      t0 + timedelta(hours=26)) == 2
    # tries spread over more than 48 h do not add up
    late = [t0, t0 + timedelta(hours=30), t0 + timedelta(hours=50), t0 + timedelta(hours=52)]
    assert planning.unanswered_within(late, ["no_answer"] * 4, late[-1]) == 3


def test_retry_later_today_then_tomorrow():
    at = datetime(2026, 7, 10, 9)
    first = planning.after_outcome("no_answer", at, unanswered_48h=1, tries_today=1)
    assert first.retry_at == at + timedelta(minutes=120) and not first.done_today and first.task is None
    second = planning.after_outcome("no_answer", at, unanswered_48h=2, tries_today=2)
    assert second.retry_at is None and second.done_today


@pytest.mark.parametrize("outcome, task", [("ok", None), ("help", "help"), ("medical", "medical"), ("declined", None)])
def test_answered_outcomes(outcome, task):
    action = planning.after_outcome(outcome, datetime(2026, 7, 10, 9), 0, 1)
    assert action.task == task and action.done_today
    with pytest.raises(ValueError):
        planning.after_outcome("maybe", datetime(2026, 7, 10, 9), 0, 1)
