"""Replay a real past summer: when alerts would have fired, and how many people each day's plan
reached. Pure: the same planner and protocol as the live service, with calls answered at the
stated rate of protocol.yaml (drawn reproducibly); nothing is stored."""

from __future__ import annotations

from datetime import datetime, time

import numpy as np
import pandas as pd

from recoque.heat import planning, seasons, vigilance
from recoque.heat.forecast import ForecastError


def season_levels(year: int, departement: str = "75") -> tuple[pd.DataFrame, dict]:
    """Levels of a bundled summer: computed from temperatures, or as published (2023–2025)."""
    if year in seasons.PUBLISHED_YEARS:
        return seasons.published(year, departement), {"source": "vigilance publiée (Météo-France)", "repairs": []}
    f = seasons.season(year)
    return vigilance.levels(f.days, departement), {"source": f.source, "repairs": f.repairs}


def replay(year: int, people: pd.DataFrame | None, *, calls: int | None = None, departement: str = "75") -> dict:
    """The backtest report of one summer. ``people``: person_id, registered, score, at_risk,
    arrondissement (None: alerts only)."""
    try:
        levels, meta = season_levels(year, departement)
    except ForecastError as exc:
        return {"year": year, "refused": str(exc), "days": [], "episodes": []}
    calls = planning.capacity() if calls is None else calls
    p = planning.parameters()
    rate = p["backtest"]["answer_rate"]["value"]
    tries = p["no_answer"]["tries_per_day"]["value"]
    report = {"year": year, "source": meta["source"], "repairs": meta["repairs"],
              "episodes": vigilance.episodes(levels), "calls_per_day": calls, "answer_rate": rate,
              "people_considered": None if people is None else int(len(people)), "days": []}
    if year in seasons.PUBLISHED_YEARS:
        report["published"] = True
    attempts: list[dict] = []
    visits: dict[str, set] = {}
    history: dict[str, list] = {}
    reached: set = set()
    registered = set() if people is None else set(people.loc[people["registered"], "person_id"])
    for row in levels.itertuples(index=False):
        day = pd.Timestamp(row.date)
        entry = {"date": str(day.date()), "level": int(row.level)}
        episode = vigilance.episode_of(levels, str(day.date()))
        if episode is None or people is None:
            report["days"].append(entry)
            continue
        ep_attempts = pd.DataFrame([a for a in attempts if a["episode"] == episode],
                                   columns=["person_id", "at", "outcome", "episode"])
        state = planning.person_state(ep_attempts, day)
        todays = planning.plan(day, people, state, visits.setdefault(episode, set()), calls)
        rng = np.random.default_rng([year, day.toordinal()])
        pids = todays["person_id"].to_numpy()
        answered = np.zeros(len(todays), dtype=bool)
        for k in range(tries):   # a first try, then same-day retries of those not answered
            at = datetime.combine(day.date(), time(9 + 2 * k))
            trying = ~answered
            draw = rng.random(len(todays)) < rate
            for pid, ok in zip(pids[trying], draw[trying]):
                attempts.append({"person_id": pid, "at": at, "outcome": "ok" if ok else "no_answer",
                                 "episode": episode})
                history.setdefault(pid, []).append((at, "ok" if ok else "no_answer"))
            answered |= trying & draw
        new_visits = 0
        end = datetime.combine(day.date(), time(23))
        for pid in pids[~answered]:
            times, outcomes = zip(*history[pid])
            if planning.unanswered_within(list(times), list(outcomes), end) >= p["no_answer"]["tries"]["value"]:
                visits[episode].add(pid)
                new_visits += 1
        reached |= set(todays["person_id"].to_numpy()[answered])
        entry.update({"episode": episode, "planned": int(len(todays)),
                      "planned_registered": int((todays["kind"] == "registered").sum()),
                      "reached": int(answered.sum()), "not_reached": int((~answered).sum()),
                      "home_visits": new_visits})
        report["days"].append(entry)
    report["alert_days"] = int(sum(1 for d in report["days"] if "episode" in d))
    report["people_reached"] = len(reached)
    report["registrants_reached"] = len(reached & registered)
    report["home_visits"] = int(sum(len(v) for v in visits.values()))
    return report
