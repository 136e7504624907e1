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

import numpy as np
import pandas as pd

OUTCOMES = ("ok", "help", "medical", "no_answer", "declined")
TASK_FOR_OUTCOME = {"help": "help", "medical": "medical"}


from recoque.core.parameters import ParameterFile

PARAMETERS = ParameterFile(__file__, "protocol.yaml")


def capacity(operators: int | None = None, calls_per_operator: int | None = None) -> int:
    """Calls the day's operators can make."""
    c = PARAMETERS["capacity"]
    operators = c["operators"]["value"] if operators is None else operators
    per = c["calls_per_operator_day"]["value"] if calls_per_operator is None else calls_per_operator
    if operators < 0 or per < 0:
        raise ValueError("operators and calls per operator must be zero or more")
    return int(operators * per)


def persons_for(calls: int) -> int:
    """People the plan may hold for ``calls``: a reserve is kept for same-day retries."""
    return int(calls * (1 - PARAMETERS["capacity"]["retry_reserve"]["value"]))


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
    p = PARAMETERS["no_answer"]
    if outcome != "no_answer":
        return Action(TASK_FOR_OUTCOME.get(outcome), None, True)
    if unanswered_48h >= p["tries"]["value"]:
        return Action("home_visit", None, True)
    if tries_today < p["tries_per_day"]["value"]:
        return Action(None, at + timedelta(minutes=p["retry_after_minutes"]["value"]), False)
    return Action(None, None, True)


def unanswered_within(times: list[datetime], outcomes: list[str], now: datetime) -> int:
    """No-answer tries in the 48 h before ``now`` since the last answered call."""
    window = timedelta(hours=PARAMETERS["no_answer"]["within_hours"]["value"])
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


def registrant_share(value: float | None = None) -> float:
    """The share of the day's calls kept for registrants (protocol.yaml unless given)."""
    share = PARAMETERS["registrant_share"]["value"] if value is None else float(value)
    if not 0.0 <= share <= 1.0:
        raise ValueError("the registrants' share of the calls must be between 0 and 1")
    return share


def plan(day: pd.Timestamp, people: pd.DataFrame, state: pd.DataFrame, visits: set[str], calls: int, *,
         share: float | None = None) -> pd.DataFrame:
    """The day's call list.

    ``people``: person_id, registered (bool), score, at_risk (bool), and optionally phone (bool:
    a mobile or a landline; without one a person is reached by a home visit, not a call) —
    registrants and the unregistered at risk. ``state``: person_state(). ``visits``: persons
    with a home visit in this episode (not called again). ``share``: the part of the calls kept
    for registrants (:func:`registrant_share`); what one group cannot use goes to the other.
    Returns person_id, rank, kind, reason.
    """
    every = timedelta(days=PARAMETERS["call_every_days"]["value"])
    frame = people.set_index("person_id")
    st = state.reindex(frame.index)
    last = pd.to_datetime(st["last_answered"])
    closed = st["closed"].fillna(False).astype(bool).to_numpy() | frame.index.isin(list(visits))
    pending = st["pending_no_answer"].fillna(False).astype(bool).to_numpy()
    called = st["ever_called"].fillna(False).astype(bool).to_numpy()
    due_every = (last.isna() | (last.dt.normalize() + every <= day.normalize())).to_numpy()
    registered = frame["registered"].to_numpy(bool)
    phone = frame["phone"].to_numpy(bool) if "phone" in frame else np.ones(len(frame), dtype=bool)
    score = frame["score"].to_numpy(float)
    kind = np.where(registered, "registered", "unregistered")
    reason = np.full(len(frame), "", dtype=object)
    take = np.zeros(len(frame), dtype=bool)
    # 1. no answer last time: try again (registered or not)
    m = ~closed & pending & phone
    take |= m
    reason[m] = "nouvel essai (pas de réponse)"
    # 2. registrants due (never answered this episode, or answered 2 days ago or more)
    m = ~closed & ~take & registered & due_every & phone
    take |= m
    reason[m] = np.where(last.isna().to_numpy()[m], "inscrit REFLEX : premier appel", "inscrit REFLEX : appel tous les 2 jours")
    # 3. unregistered at risk with a phone, never called in this episode
    m = ~closed & ~take & ~registered & frame["at_risk"].to_numpy(bool) & ~called & phone
    take |= m
    reason[m] = "non inscrit, à risque : appel proposé (inscription au registre proposée)"
    persons = persons_for(calls)
    quota = {True: int(round(persons * registrant_share(share)))}
    quota[False] = persons - quota[True]
    picked = {}
    for group in (True, False):
        idx = np.flatnonzero(take & (registered == group))
        # retries first, then the highest scores
        order = idx[np.lexsort((-score[idx], ~pending[idx]))]
        picked[group] = order
    spare_r = max(0, quota[True] - len(picked[True]))
    spare_u = max(0, quota[False] - len(picked[False]))
    chosen_r = picked[True][:quota[True] + spare_u]
    chosen_u = picked[False][:quota[False] + spare_r]
    chosen = np.concatenate([chosen_r, chosen_u])
    chosen = chosen[np.lexsort((-score[chosen], ~pending[chosen]))]
    return pd.DataFrame({"person_id": frame.index.to_numpy()[chosen], "rank": np.arange(1, len(chosen) + 1),
                         "kind": kind[chosen], "reason": reason[chosen]})


def band_of(multiplier: np.ndarray) -> np.ndarray:
    """Risk band label of each product of odds ratios (protocol.yaml risk_bands; '' below the lowest)."""
    out = np.full(len(multiplier), "", dtype=object)
    for band in sorted(PARAMETERS["risk_bands"], key=lambda b: b["min"]):
        out[np.asarray(multiplier) >= band["min"]] = band["label"]
    return out


def preview(people: pd.DataFrame, calls: int, share: float | None = None, answer_rate: float | None = None) -> dict:
    """What a split of the day's calls means before the plan is validated (``people`` with their
    ``multiplier``, the product of odds ratios, for the risk bands): people called and
    expected to be reached per day in each group, and the days it takes to reach every
    unregistered person with a phone in each risk band at that pace (highest band first)."""
    share = registrant_share(share)
    rate = PARAMETERS["backtest"]["answer_rate"]["value"] if answer_rate is None else answer_rate
    persons = persons_for(calls)
    registrants = int(people["registered"].sum())
    phone = people["phone"].to_numpy(bool) if "phone" in people else np.ones(len(people), dtype=bool)
    per_day_r = min(int(round(persons * share)), registrants)
    per_day_u = persons - per_day_r
    unregistered = people[~people["registered"].to_numpy(bool) & people["at_risk"].to_numpy(bool) & phone]
    bands = band_of(unregistered["multiplier"].to_numpy())
    out_bands, cumulative = [], 0
    for band in sorted(PARAMETERS["risk_bands"], key=lambda b: -b["min"]):
        n = int((bands == band["label"]).sum())
        cumulative += n
        days = None if per_day_u == 0 else int(np.ceil(cumulative / per_day_u))
        out_bands.append({"band": band["label"], "min_score": band["min"], "people": n, "days_to_reach_all": days})
    every = PARAMETERS["call_every_days"]["value"]
    return {"calls": calls, "persons_per_day": persons, "share_registered": share,
            "registered_called_per_day": per_day_r, "unregistered_called_per_day": per_day_u,
            "registered_reached_per_day": int(per_day_r * rate), "unregistered_reached_per_day": int(per_day_u * rate),
            "registrants": registrants, "registrants_every_days": (None if per_day_r == 0
                                                                  else round(registrants / per_day_r, 1)),
            "protocol_every_days": every, "unregistered_no_phone": int((~phone & ~people["registered"].to_numpy(bool)
                                                                        & people["at_risk"].to_numpy(bool)).sum()),
            "bands": out_bands, "answer_rate": rate}
