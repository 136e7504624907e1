"""Call plans, the operators' console and the protocol's tasks, wired to the store.

- ``plan_day``: the day's plan from the latest scores, the register and every outcome so far in
  the episode (re-planned each day); stored once per (day, person): asking again returns it;
- ``next_call`` / ``record_outcome``: the console; each outcome, its protocol action, its task
  and a registration given on the call are written in one transaction;
- ``close_day``: home-visit tasks for NRP4, one transaction per task with a unique key, so a
  crash and a rerun create each task exactly once;
- ``queue_sms``: plain-French SMS with the nearest cool place, through the outreach outbox.
"""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from recoque.core.layers import replace_layer_values, value_rows
from recoque.core.settings import Settings, get_settings
from recoque.core.store import detached_rows, session_scope
from recoque.governance import journal
from recoque.governance.access import log_access
from recoque.governance.explanations import issue_code
from recoque.heat import planning, vulnerability
from recoque.heat.models import HeatAttempt, HeatCall, HeatRegistration, HeatTask
from recoque.heat.service import (
    ALGORITHM,
    MIN_PUBLISHED_COUNT,
    HeatError,
    alert_on,
    latest_scores,
    scores_frame,
)
from recoque.outreach import outbox, sms
from recoque.population import service as population
from recoque.territory import coolplaces

PARIS = ZoneInfo("Europe/Paris")


def _now() -> datetime:
    return datetime.now(UTC)


def local_text(value: datetime) -> str:
    """A time as Paris residents and operators read it: 26/11 14:05."""
    return _aware(value).astimezone(PARIS).strftime("%d/%m %H:%M")


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=value.tzinfo or UTC) if value is not None else None


def _parse_day(day: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(date.fromisoformat(day))
    except ValueError:
        raise HeatError(f"day {day!r} is not YYYY-MM-DD") from None


def plan_day(engine: Engine, *, day: str, operators: int | None = None, calls_per_operator: int | None = None,
             force: bool = False, share: float | None = None) -> dict:
    """The day's call plan (created once; asking again returns the stored one). ``share``: the
    part of the calls kept for registrants (protocol.yaml's ``registrant_share`` by default)."""
    when = _parse_day(day)
    calls = planning.capacity(operators, calls_per_operator)
    if planning.persons_for(calls) == 0:
        raise HeatError(f"un plan de 0 appel ne joint personne : indiquez au moins un opérateur et un nombre "
                        f"d'appels par opérateur ({calls} appel(s) demandé(s))")
    try:
        share = planning.registrant_share(share)
    except ValueError:
        raise HeatError("la part des appels réservée aux inscrits doit être comprise entre 0 et 100 %") from None
    alert = alert_on(engine, day)
    if alert["episode"] is None:
        if not force:
            raise HeatError(f"pas d'alerte canicule le {day} (niveau {alert['level']}) : chargez d'abord une "
                            "prévision qui la déclenche")
        alert["episode"] = day
    episode = alert["episode"]
    with session_scope(engine) as session:
        existing = session.scalar(select(func.count()).select_from(HeatCall).where(HeatCall.day == day))
    if existing:
        return {"day": day, "episode": episode, "created": 0, "planned": int(existing), "level": alert["level"]}
    people = plan_people(engine)
    with session_scope(engine) as session:
        rows = session.execute(select(HeatAttempt.person_id, HeatAttempt.at, HeatAttempt.outcome)
                               .where(HeatAttempt.episode == episode)).all()
        visits = set(session.scalars(select(HeatTask.person_id).where(HeatTask.episode == episode,
                                                                      HeatTask.kind == "home_visit")))
    attempts = pd.DataFrame(rows, columns=["person_id", "at", "outcome"])
    if len(attempts):
        attempts["at"] = pd.to_datetime(attempts["at"], utc=True).dt.tz_localize(None)
    state = planning.person_state(attempts, when)
    todays = planning.plan(when, people[["person_id", "registered", "score", "at_risk", "phone"]], state, visits, calls,
                           share=share)
    chosen = people.set_index("person_id").loc[todays["person_id"]]
    near = coolplaces.nearest_open(chosen["x"].to_numpy(), chosen["y"].to_numpy(), when.date())
    now = _now()
    values = []
    for i, (pid, row) in enumerate(chosen.iterrows()):
        n = near.iloc[i]
        places = coolplaces.describe(int(n["place_index"]), int(n["fountain_index"]), when.date(),
                                     float(n["place_m"]) if n["place_index"] >= 0 else 0.0, float(n["fountain_m"]))
        values.append({"day": day, "episode": episode, "person_id": pid, "arrondissement": row["arrondissement"],
                       "rank": int(todays["rank"].iloc[i]), "kind": todays["kind"].iloc[i],
                       "reason": todays["reason"].iloc[i], "score": float(row["score"]), "status": "pending",
                       "tries": 0, "places": places, "updated_at": now})
    # the unregistered at risk whom no phone reaches: a home visit by the arrondissement's team
    limit = planning.PARAMETERS["home_visits_per_day"]["value"]
    no_phone = people[~people["registered"] & people["at_risk"] & ~people["phone"]]
    with session_scope(engine) as session:
        known = set(session.scalars(select(HeatTask.person_id).where(HeatTask.episode == episode,
                                                                     HeatTask.kind == "home_visit")))
    no_phone = no_phone[~no_phone["person_id"].isin(known)].nlargest(limit, "score")
    visits = [{"key": f"{episode}:{pid}:home_visit", "kind": "home_visit", "person_id": pid, "arrondissement": arr,
               "episode": episode, "status": "open", "created_at": now,
               "reason": "non inscrit(e), à risque, sans téléphone connu : visite à domicile (inscription au registre "
                         "proposée, avec son accord)"}
              for pid, arr in zip(no_phone["person_id"], no_phone["arrondissement"])]
    with session_scope(engine) as session:   # the whole plan or nothing
        if values:
            session.execute(insert(HeatCall), values)
        if visits:
            session.execute(insert(HeatTask), visits)
    publish_dashboard_layers(engine, dashboard(engine, day=day))
    return {"day": day, "episode": episode, "created": len(values), "planned": len(values), "level": alert["level"],
            "capacity_calls": calls, "share_registered": share, "home_visits": len(visits),
            "registered": int((todays["kind"] == "registered").sum()),
            "unregistered": int((todays["kind"] == "unregistered").sum())}


def plan_people(engine: Engine) -> pd.DataFrame:
    """Registrants and the unregistered at risk, with their score and whether a phone reaches
    them (a mobile or a landline; the others get a home visit through close_day)."""
    build = latest_scores(engine)
    if build is None:
        raise HeatError("pas encore de scores de vulnérabilité : lancez le calcul des scores (recoque heat score)")
    scores = scores_frame(build)
    scores["registered"] = scores["person_id"].isin(_registered_now(engine))
    scores["phone"] = scores["contactability"].astype(str) != "none"
    return scores[scores["registered"] | scores["at_risk"]]


def preview_plan(engine: Engine, *, operators: int | None = None, calls_per_operator: int | None = None,
                 share: float | None = None) -> dict:
    """The consequence of a capacity and a split, before the plan is made (nothing stored)."""
    calls = planning.capacity(operators, calls_per_operator)
    try:
        return planning.preview(plan_people(engine), calls, share)
    except ValueError:
        raise HeatError("la part des appels réservée aux inscrits doit être comprise entre 0 et 100 %") from None


def _registered_now(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return set(session.scalars(select(HeatRegistration.person_id)))


def latest_plan_day(engine: Engine) -> str | None:
    """The day of the latest call plan (None before the first)."""
    with session_scope(engine) as session:
        return session.scalar(select(HeatCall.day).order_by(HeatCall.id.desc()).limit(1))


def calls_for(engine: Engine, day: str, *, arrondissement: str | None = None) -> list[HeatCall]:
    q = select(HeatCall).where(HeatCall.day == day).order_by(HeatCall.rank)
    if arrondissement:
        q = q.where(HeatCall.arrondissement == arrondissement)
    return detached_rows(engine, q)


def next_call(engine: Engine, *, day: str, operator: str, now: datetime | None = None) -> HeatCall | None:
    """The next call for ``operator``, in the plan's order (retries first, then the highest
    scores, registrants and the unregistered as the day's split gave them); retries when their
    time has come. The call is held for this operator for lock_minutes."""
    now = now or _now()
    lock = timedelta(minutes=planning.PARAMETERS["lock_minutes"])
    with session_scope(engine) as session:
        mine = session.scalars(select(HeatCall).where(HeatCall.day == day, HeatCall.status == "in_progress",
                                                      HeatCall.locked_by == operator)).first()
        if mine is not None:
            return mine
        candidates = session.scalars(
            select(HeatCall).where(HeatCall.day == day, HeatCall.status.in_(("pending", "in_progress")))
            .order_by(HeatCall.rank).limit(200))
        for call in candidates:
            if call.status == "in_progress" and _aware(call.locked_at) + lock > now:
                continue
            if call.next_try_at is not None and _aware(call.next_try_at) > now:
                continue
            call.status, call.locked_by, call.locked_at, call.updated_at = "in_progress", operator, now, now
            session.flush()
            return call
    return None


def situation(engine: Engine, call: HeatCall, *, actor: str, role: str) -> dict:
    """What the operator sees about the person (the read is logged)."""
    build = latest_scores(engine)
    scores = scores_frame(build)
    row = scores[scores["person_id"] == call.person_id].iloc[0]
    log_access(engine, actor=actor, role=role, resource="heat_call", subject=call.person_id, allowed=True,
               purpose="appel canicule")
    with session_scope(engine) as session:
        history = [{"at": local_text(a.at), "outcome": a.outcome, "operator": a.operator,
                    "note": a.note} for a in session.scalars(select(HeatAttempt).where(
                        HeatAttempt.person_id == call.person_id, HeatAttempt.episode == call.episode)
                        .order_by(HeatAttempt.at))]
    phone = row["phone_mobile"] if isinstance(row["phone_mobile"], str) else row["landline"]
    code = int(str(row["arrondissement"])[3:])
    name = row["name"] if "name" in row and isinstance(row.get("name"), str) else (
        f"{'Madame' if row['sex'] == 'F' else 'Monsieur'} — nom au registre de la Ville (les données synthétiques "
        f"n'en portent pas ; personne {call.person_id})")
    return {"person_id": call.person_id, "name": name, "age": int(row["age"]), "sex": row["sex"],
            "arrondissement": row["arrondissement"], "arrondissement_fr": "1er" if code == 1 else f"{code}e",
            "iris": row["iris"], "phone": phone if isinstance(phone, str) else None,
            "registered": call.kind == "registered", "multiplier": round(float(row["multiplier"]), 1),
            "factors": vulnerability.factor_labels(int(row["factors"])), "places": call.places, "history": history,
            "questions": planning.PARAMETERS["questions"]}


class NotHolderError(HeatError):
    """Another operator holds this call: only the operator who took it records its outcome."""


def held_call(engine: Engine, *, day: str, operator: str) -> HeatCall | None:
    """The call ``operator`` holds now, if any (taking none)."""
    return next(iter(detached_rows(engine, select(HeatCall).where(
        HeatCall.day == day, HeatCall.status == "in_progress", HeatCall.locked_by == operator).limit(1))), None)


def record_outcome(engine: Engine, call_id: int, *, outcome: str, operator: str, note: str = "",
                   register: bool = False, now: datetime | None = None, holder_only: bool = True) -> dict:
    """One call's outcome, with what the protocol does next, in one transaction. Only the operator
    holding the call records it (``holder_only``; the telephony system's own records pass False)."""
    if outcome not in planning.OUTCOMES:
        raise HeatError(f"outcome must be one of {', '.join(planning.OUTCOMES)}")
    now = now or _now()
    with session_scope(engine) as session:
        call = session.get(HeatCall, call_id)
        if call is None:
            raise HeatError(f"no call {call_id}")
        if call.status == "done":
            raise HeatError(f"call {call_id} is already closed ({call.outcome})")
        if holder_only and not (call.status == "in_progress" and call.locked_by == operator):
            raise NotHolderError(f"l'appel {call_id} n'est pas le vôtre : prenez l'appel suivant pour en obtenir un")
        earlier = session.execute(select(HeatAttempt.at, HeatAttempt.outcome).where(
            HeatAttempt.person_id == call.person_id, HeatAttempt.episode == call.episode)).all()
        session.add(HeatAttempt(call_id=call.id, person_id=call.person_id, episode=call.episode, at=now,
                                outcome=outcome, operator=operator, note=note[:1000]))
        times = [_aware(t) for t, _ in earlier] + [now]
        unanswered = planning.unanswered_within(times, [o for _, o in earlier] + [outcome], now)
        action = planning.after_outcome(outcome, now, unanswered, call.tries + 1)
        call.tries += 1
        call.outcome, call.updated_at, call.locked_by, call.locked_at = outcome, now, None, None
        call.status = "done" if action.done_today else "pending"
        call.next_try_at = action.retry_at
        task_id = None
        if action.task:
            task_id = _create_task(session, call, action.task, note)
        registered = False
        if register and outcome != "declined" and call.kind == "unregistered":
            exists = session.scalars(select(HeatRegistration.id).where(
                HeatRegistration.person_id == call.person_id)).first()
            if not exists:
                session.add(HeatRegistration(person_id=call.person_id, source="call_consent", registered_at=now,
                                             registered_by=operator))
                registered = True
    return {"call": call_id, "outcome": outcome, "task": action.task, "task_id": task_id,
            "retry_at": action.retry_at.isoformat(timespec="minutes") if action.retry_at else None,
            "retry_at_local": local_text(action.retry_at) if action.retry_at else None,
            "done_today": action.done_today, "registered": registered, "unanswered_48h": unanswered}


def _create_task(session, call: HeatCall, kind: str, note: str) -> int | None:
    """A task keyed by (episode, person, kind): created once whatever happens (a savepoint
    swallows the duplicate)."""
    key = f"{call.episode}:{call.person_id}:{kind}"
    existing = session.scalars(select(HeatTask.id).where(HeatTask.key == key)).first()
    if existing:
        return existing
    try:
        with session.begin_nested():
            task = HeatTask(key=key, kind=kind, person_id=call.person_id, arrondissement=call.arrondissement,
                            episode=call.episode, reason=(planning.PARAMETERS["tasks"][kind] + (f" — {note}" if note else ""))[:256],
                            status="open", created_at=_now())
            session.add(task)
            session.flush()
            return task.id
    except IntegrityError:
        return session.scalars(select(HeatTask.id).where(HeatTask.key == key)).first()


def close_day(engine: Engine, *, day: str) -> dict:
    """End of day, as a batch: a home-visit task for each person of the day's plan who has no
    phone at all, and for each person with 4 unanswered tries in 48 h who has none yet (outcomes
    can also arrive from the telephony system, not only from the console); calls still open
    are closed (tomorrow's plan carries them over). One transaction per task with a unique key:
    a crash and a rerun create each task exactly once."""
    end = datetime.combine(_parse_day(day).date(), datetime.max.time(), tzinfo=UTC)
    tries = planning.PARAMETERS["no_answer"]["tries"]["value"]
    delay = get_settings().heat_task_delay_s   # tests widen the crash window
    calls = calls_for(engine, day)
    build = latest_scores(engine)
    phones = scores_frame(build).set_index("person_id")[["phone_mobile", "landline"]] if build else None
    created = 0
    for call in calls:
        reason = None
        if call.tries == 0 and phones is not None and call.person_id in phones.index \
                and phones.loc[call.person_id].isna().all():
            reason = "aucun téléphone connu : visite à domicile"
        elif call.outcome == "no_answer":
            with session_scope(engine) as session:
                history = session.execute(select(HeatAttempt.at, HeatAttempt.outcome).where(
                    HeatAttempt.person_id == call.person_id, HeatAttempt.episode == call.episode)).all()
            if planning.unanswered_within([_aware(t) for t, _ in history], [o for _, o in history], end) >= tries:
                reason = planning.PARAMETERS["tasks"]["home_visit"]
        if reason is None:
            continue
        try:
            with session_scope(engine) as session:
                made = _create_task_once(session, call, reason)
        except IntegrityError:   # another process created it between our check and our insert
            made = False
        created += made
        if delay:
            clock.sleep(delay)
    with session_scope(engine) as session:
        session.execute(update(HeatCall).where(HeatCall.day == day, HeatCall.status != "done")
                        .values(status="done", locked_by=None, updated_at=_now()))
    publish_dashboard_layers(engine, dashboard(engine, day=day))
    return {"day": day, "home_visits_created": created}


def _create_task_once(session, call: HeatCall, reason: str) -> bool:
    key = f"{call.episode}:{call.person_id}:home_visit"
    if session.scalars(select(HeatTask.id).where(HeatTask.key == key)).first():
        return False
    session.add(HeatTask(key=key, kind="home_visit", person_id=call.person_id, arrondissement=call.arrondissement,
                         episode=call.episode, reason=reason[:256], status="open", created_at=_now()))
    return True


def tasks(engine: Engine, *, status: str = "open", arrondissement: str | None = None) -> list[HeatTask]:
    q = select(HeatTask).where(HeatTask.status == status).order_by(HeatTask.arrondissement, HeatTask.id)
    if arrondissement:
        q = q.where(HeatTask.arrondissement == arrondissement)
    return detached_rows(engine, q)


def close_task(engine: Engine, task_id: int, *, actor: str) -> None:
    with session_scope(engine) as session:
        task = session.get(HeatTask, task_id)
        if task is None:
            raise HeatError(f"no task {task_id}")
        task.status, task.closed_by = "done", actor


#: a heat SMS may take two concatenated GSM messages: the cool place, its hours and the fountain
#: always fit, with the help line and the algorithmic mention
HEAT_SMS_SEGMENTS = 2


def sms_text(settings: Settings, places: dict, code: str) -> str:
    """Plain French in GSM 03.38 (accents kept), at most two messages: the nearest cool place open
    that day with its hours and walking time (or plainly that none is open), the nearest
    fountain, the help line 3975 and the algorithmic mention with the personal code."""
    place = places.get("lieu_frais")
    fountain = places.get("fontaine")
    tail = f" Aide : 3975. Algorithme (art. L311-3-1 CRPA) : {settings.base_url}/explication code {code}"
    fountain_txt = (f" Fontaine : {fountain['adresse']} ({max(1, round(fountain['distance_m'] / 50))} min)."
                    if fountain else "")
    for cut in (60, 40, 28, 18):
        if place:
            hours = place.get("horaires_du_jour") or "horaires non publiés"
            where = (f" Lieu frais ouvert aujourd'hui : {place['nom'][:cut]}, {hours[:cut]}, à "
                     f"{place['minutes_a_pied']} min à pied.")
        else:
            where = " Aucun lieu frais n'est ouvert aujourd'hui près de chez vous : restez dans la pièce la plus fraîche."
        text = sms.to_gsm(f"Canicule : buvez souvent, restez au frais.{where}{fountain_txt[:cut + 20]}{tail}")
        if sms.segments(text) <= HEAT_SMS_SEGMENTS:
            return text
    raise HeatError(f"the public address {settings.base_url!r} is too long for a heat SMS")


def queue_sms(settings: Settings, engine: Engine, *, day: str) -> int:
    """Queue one SMS per person of the day's plan with a mobile phone (once per day and person);
    each carries a code opening the journaled explanation of their score."""
    build = latest_scores(engine)
    if build is None:
        raise HeatError("no vulnerability scores yet: run `recoque heat score` first")
    scores = scores_frame(build).set_index("person_id")
    queued = 0
    for call in calls_for(engine, day):
        mobile = scores.at[call.person_id, "phone_mobile"] if call.person_id in scores.index else None
        if not isinstance(mobile, str):
            continue
        entries = [e for e in journal.entries_for(engine, call.person_id) if e.algorithm_id == ALGORITHM]
        if not entries:
            continue
        key = f"heat-{day}-{call.person_id}"
        code = issue_code(engine, entries[-1].id)
        if outbox.enqueue(engine, key=key, channel="sms", recipient=mobile, body=sms_text(settings, call.places, code),
                          max_segments=HEAT_SMS_SEGMENTS):
            queued += 1
    return queued


def dashboard(engine: Engine, *, day: str) -> dict:
    """Per arrondissement: people at risk, registered, planned today, reached during the episode,
    not reached, home visits pending. Counts under 11 are shown only to agents (not published)."""
    alert = alert_on(engine, day)
    build = latest_scores(engine)
    scores = scores_frame(build) if build is not None else pd.DataFrame(
        {"arrondissement": pd.Series(dtype=str), "at_risk": pd.Series(dtype=bool), "person_id": pd.Series(dtype=str)})
    registered = _registered_now(engine)
    at_risk = scores[scores["at_risk"]].groupby("arrondissement").size()
    reg = scores[scores["person_id"].isin(registered)].groupby("arrondissement").size()
    with session_scope(engine) as session:
        planned = dict(session.execute(select(HeatCall.arrondissement, func.count()).where(HeatCall.day == day)
                                       .group_by(HeatCall.arrondissement)).all())
        reached, not_reached = {}, {}
        if alert["episode"]:
            answered = select(HeatAttempt.person_id).where(HeatAttempt.episode == alert["episode"],
                                                           HeatAttempt.outcome.in_(("ok", "help", "medical")))
            reached = dict(session.execute(
                select(HeatCall.arrondissement, func.count(func.distinct(HeatCall.person_id)))
                .where(HeatCall.episode == alert["episode"], HeatCall.person_id.in_(answered))
                .group_by(HeatCall.arrondissement)).all())
            not_reached = dict(session.execute(
                select(HeatCall.arrondissement, func.count(func.distinct(HeatCall.person_id)))
                .where(HeatCall.episode == alert["episode"], HeatCall.outcome == "no_answer",
                       HeatCall.person_id.not_in(answered))
                .group_by(HeatCall.arrondissement)).all())
        visits = dict(session.execute(select(HeatTask.arrondissement, func.count()).where(
            HeatTask.status == "open", HeatTask.kind == "home_visit").group_by(HeatTask.arrondissement)).all())
        medical = dict(session.execute(select(HeatTask.arrondissement, func.count()).where(
            HeatTask.status == "open", HeatTask.kind == "medical").group_by(HeatTask.arrondissement)).all())
    codes = sorted(set(at_risk.index) | set(planned) | set(visits))
    rows = [{"arrondissement": a, "at_risk": int(at_risk.get(a, 0)), "registered": int(reg.get(a, 0)),
             "planned_today": int(planned.get(a, 0)), "reached": int(reached.get(a, 0)),
             "not_reached": int(not_reached.get(a, 0)), "home_visits_pending": int(visits.get(a, 0)),
             "medical_pending": int(medical.get(a, 0))} for a in codes]
    return {"day": day, "alert": alert, "rows": rows,
            "totals": {k: sum(r[k] for r in rows) for k in ("at_risk", "registered", "planned_today", "reached",
                                                             "not_reached", "home_visits_pending", "medical_pending")}}


def publish_dashboard_layers(engine: Engine, board: dict) -> None:
    """Map layers of the day's dashboard, per arrondissement (made with each plan and at the end
    of each day; fewer than 11 people publish nothing)."""
    rows = []
    for layer, key in (("canicule_joints", "reached"), ("canicule_injoignables", "not_reached"),
                       ("canicule_visites", "home_visits_pending")):
        s = pd.Series({r["arrondissement"]: float(r[key]) for r in board["rows"]}, dtype=float)
        rows += value_rows(layer, "arrondissement", s.mask(s < MIN_PUBLISHED_COUNT))
    with session_scope(engine) as session:
        replace_layer_values(session, ["canicule_joints", "canicule_injoignables", "canicule_visites"], rows)


def population_ready(engine: Engine) -> bool:
    return population.latest(engine) is not None
