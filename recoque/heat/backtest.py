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


def replay(year: int, people: pd.DataFrame | None, *, calls: int | None = None, departement: str = "75",
           share: float | None = None, registry_only: bool = False) -> dict:
    """The backtest report of one summer. ``people``: person_id, registered, score, at_risk,
    arrondissement, phone, multiplier (None: alerts only). ``share``: the part of the calls kept for
    registrants (protocol.yaml by default); ``registry_only``: the old registry's way, calling
    registrants only (the baseline).

    Each day says how many people of each risk band were reached, registered and not; the
    report ends with, per band, the people at risk reached at least once and never reached."""
    try:
        levels, meta = season_levels(year, departement)
    except ForecastError as exc:
        return {"year": year, "refused": str(exc), "days": [], "episodes": []}
    calls = planning.capacity() if calls is None else calls
    p = planning.PARAMETERS
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
    if people is not None:
        people = people[people["registered"] | people["at_risk"]]
        if registry_only:
            people = people[people["registered"]]
        band = pd.Series(planning.band_of(people["multiplier"].to_numpy()) if "multiplier" in people
                         else np.full(len(people), "", dtype=object), index=people["person_id"].to_numpy())
        report["share_registered"] = 1.0 if registry_only else planning.registrant_share(share)
        report["registry_only"] = registry_only
        columns = ["person_id", "registered", "score", "at_risk"] + (["phone"] if "phone" in people else [])
        planned_people = people[columns]
        at_risk_ids = set(people.loc[people["at_risk"], "person_id"])
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
        todays = planning.plan(day, planned_people, state, visits.setdefault(episode, set()), calls,
                               share=1.0 if registry_only else share)
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
        got = todays[answered]
        got_band = band.reindex(got["person_id"]).to_numpy()
        by_band = {}
        for b in planning.PARAMETERS["risk_bands"]:
            here = got_band == b["label"]
            by_band[b["label"]] = {"registered": int((here & (got["kind"] == "registered").to_numpy()).sum()),
                                   "unregistered": int((here & (got["kind"] == "unregistered").to_numpy()).sum())}
        entry.update({"episode": episode, "planned": int(len(todays)),
                      "planned_registered": int((todays["kind"] == "registered").sum()),
                      "planned_unregistered": int((todays["kind"] == "unregistered").sum()),
                      "reached": int(answered.sum()), "not_reached": int((~answered).sum()),
                      "reached_registered": int((got["kind"] == "registered").sum()),
                      "reached_unregistered": int((got["kind"] == "unregistered").sum()),
                      "reached_by_band": by_band, "home_visits": new_visits,
                      # people at risk reached at least once so far, registered and not
                      "reached_so_far_registered": len(reached & registered & at_risk_ids),
                      "reached_so_far_unregistered": len((reached - registered) & at_risk_ids)})
        report["days"].append(entry)
    report["alert_days"] = int(sum(1 for d in report["days"] if "episode" in d))
    report["people_reached"] = len(reached)
    report["registrants_reached"] = len(reached & registered)
    report["home_visits"] = int(sum(len(v) for v in visits.values()))
    if people is not None:
        at_risk = people[people["at_risk"]]
        bands = []
        for b in planning.PARAMETERS["risk_bands"]:
            members = at_risk[band.reindex(at_risk["person_id"]).to_numpy() == b["label"]]
            hit = members["person_id"].isin(reached).to_numpy()
            reg = members["registered"].to_numpy(bool)
            bands.append({"band": b["label"], "min_score": b["min"], "people": int(len(members)),
                          "registered": int(reg.sum()), "reached": int(hit.sum()),
                          "reached_registered": int((hit & reg).sum()), "reached_unregistered": int((hit & ~reg).sum()),
                          "never_reached": int((~hit).sum())})
        report["bands"] = bands
        report["at_risk"] = int(len(at_risk))
        report["at_risk_reached"] = int(at_risk["person_id"].isin(reached).sum())
    return report
