"""The REFLEX protocol and the day's call plan (pure: frames in, frames out; protocol.yaml).

- registrants are called every 2 days; people not yet answered are called again;
- a call without answer is retried the same day (2 hours later) and the next day; 4 unanswered
  tries within 48 h ("NRP4") make a home-visit task for the arrondissement's team;
- a medical problem goes to the medical cell, a need for help to the arrondissement's team;
- the plan takes registrants due first (highest score first), then unregistered people at risk
  never reached in this episode (highest score first), up to the day's capacity less a reserve
  for same-day retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

OUTCOMES = ("ok", "help", "medical", "no_answer", "declined")
TASK_FOR_OUTCOME = {"help": "help", "medical": "medical"}


@lru_cache(maxsize=1)
def parameters() -> dict:
    return yaml.safe_load(Path(__file__).with_name("protocol.yaml").read_text(encoding="utf-8"))


def capacity(operators: int | None = None, calls_per_operator: int | None = None) -> int:
    """Calls the day's operators can make."""
    c = parameters()["capacity"]
    operators = c["operators"]["value"] if operators is None else operators
    per = c["calls_per_operator_day"]["value"] if calls_per_operator is None else calls_per_operator
    if operators < 0 or per < 0:
        raise ValueError("operators and calls per operator must be zero or more")
    return int(operators * per)


def persons_for(calls: int) -> int:
    """People the plan may hold for ``calls``: a reserve is kept for same-day retries."""
    return int(calls * (1 - parameters()["capacity"]["retry_reserve"]["value"]))


@dataclass(frozen=True)
class Action:
    """What the protocol does after one call."""

    task: str | None            # home_visit | medical | help | None
    retry_at: datetime | None   # another try today
    done_today: bool


def after_outcome(outcome: str, at: datetime, unanswered_48h: int, tries_today: int) -> Action:
    """The protocol's answer to one outcome. ``unanswered_48h`` counts this call's no answer too."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    p = parameters()["no_answer"]
    if outcome != "no_answer":
        return Action(TASK_FOR_OUTCOME.get(outcome), None, True)
    if unanswered_48h >= p["tries"]["value"]:
        return Action("home_visit", None, True)
    if tries_today < p["tries_per_day"]["value"]:
        return Action(None, at + timedelta(minutes=p["retry_after_minutes"]["value"]), False)
    return Action(None, None, True)


def unanswered_within(times: list[datetime], outcomes: list[str], now: datetime) -> int:
    """No-answer tries in the 48 h before ``now`` since the last answered call."""
    window = timedelta(hours=parameters()["no_answer"]["within_hours"]["value"])
    count = 0
    for t, o in sorted(zip(times, outcomes), reverse=True):
        if t > now:   # recorded after the moment asked about
            continue
        if now - t > window or o != "no_answer":
            break
        count += 1
    return count


def person_state(attempts: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Per person, from the episode's call attempts before ``day``: last answered day, whether
    the last try went unanswered, and whether calls are closed (declined, or a home visit)."""
    if attempts.empty:
        return pd.DataFrame(columns=["last_answered", "pending_no_answer", "closed", "ever_called"]).rename_axis("person_id")
    a = attempts[attempts["at"] < day].sort_values("at")
    answered = a[a["outcome"].isin(["ok", "help", "medical"])].groupby("person_id")["at"].max()
    last = a.groupby("person_id").agg(last_outcome=("outcome", "last"), ever_called=("at", "size"))
    closed = a[a["outcome"] == "declined"]["person_id"].unique()
    out = last.assign(last_answered=answered.reindex(last.index),
                      pending_no_answer=last["last_outcome"] == "no_answer",
                      closed=last.index.isin(closed), ever_called=True)
    return out[["last_answered", "pending_no_answer", "closed", "ever_called"]]


def plan(day: pd.Timestamp, people: pd.DataFrame, state: pd.DataFrame, visits: set[str], calls: int) -> pd.DataFrame:
    """The day's call list.

    ``people``: person_id, registered (bool), score, at_risk (bool) — registrants and the
    unregistered at risk. ``state``: person_state(). ``visits``: persons with a home visit in
    this episode (not called again). Returns person_id, rank, kind, reason.
    """
    every = timedelta(days=parameters()["call_every_days"]["value"])
    frame = people.set_index("person_id")
    st = state.reindex(frame.index)
    last = pd.to_datetime(st["last_answered"])
    closed = st["closed"].fillna(False).astype(bool).to_numpy() | frame.index.isin(list(visits))
    pending = st["pending_no_answer"].fillna(False).astype(bool).to_numpy()
    called = st["ever_called"].fillna(False).astype(bool).to_numpy()
    due_every = (last.isna() | (last.dt.normalize() + every <= day.normalize())).to_numpy()
    registered = frame["registered"].to_numpy(bool)
    kind = np.where(registered, "registered", "unregistered")
    reason = np.full(len(frame), "", dtype=object)
    take = np.zeros(len(frame), dtype=bool)
    # 1. no answer last time: try again (registered or not)
    m = ~closed & pending
    take |= m
    reason[m] = "nouvel essai (pas de réponse)"
    # 2. registrants due (never answered this episode, or answered 2 days ago or more)
    m = ~closed & ~take & registered & due_every
    take |= m
    reason[m] = np.where(last.isna().to_numpy()[m], "inscrit REFLEX : premier appel", "inscrit REFLEX : appel tous les 2 jours")
    # 3. unregistered at risk never called in this episode
    m = ~closed & ~take & ~registered & frame["at_risk"].to_numpy(bool) & ~called
    take |= m
    reason[m] = "non inscrit, à risque : appel proposé"
    order = np.lexsort((-frame["score"].to_numpy(), ~registered, ~pending))   # pending, then registered, score desc
    chosen = order[take[order]][:persons_for(calls)]
    return pd.DataFrame({"person_id": frame.index.to_numpy()[chosen], "rank": np.arange(1, len(chosen) + 1),
                         "kind": kind[chosen], "reason": reason[chosen]})
