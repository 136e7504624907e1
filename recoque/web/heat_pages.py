"""Heat-wave pages: the heat-plan desk (/canicule: forecast, IBM curves, vigilance, scores, the
day's plan, SMS, dashboard, tasks, backtests) and the operators' call console (/canicule/appels)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from recoque.api.deps import EngineDep, SettingsDep, page_require
from recoque.api.security import notice
from recoque.core import jobs
from recoque.core.errors import NotBuiltError
from recoque.core.typography import number
from recoque.governance import access
from recoque.governance.models import User
from recoque.heat import backtest, calls, planning, seasons, service
from recoque.heat import forecast as fc
from recoque.heat.vigilance import LEVEL_FR, episodes, thresholds
from recoque.web.pages import _render

router = APIRouter(include_in_schema=False)
LEVEL_COLOUR = {0: "#cccccc", 1: "#3b9c4b", 2: "#f2d200", 3: "#f08c00", 4: "#d7191c"}
W, H, PAD = 900, 260, 36


def _may(user, permission: str) -> bool:
    return user is not None and access.allowed(user.role, permission)


Manager = Annotated[User, Depends(page_require("manage_heat_plan"))]
Caller = Annotated[User, Depends(page_require("record_call"))]
HeatDesk = Annotated[User, Depends(page_require("manage_heat_plan", "record_call"))]


def chart(days: list[dict], departement: str) -> dict:
    """Coordinates of the IBM chart (inline SVG, no script): daily Tmin/Tmax, IBMmin/IBMmax, the
    thresholds, and a coloured band per day for the vigilance level."""
    s = thresholds(departement)
    values = [v for d in days for v in (d["tmin"], d["tmax"])] + [s["ibm_min"], s["ibm_max"]]
    lo, hi = min(values) - 2, max(values) + 2
    step = (W - 2 * PAD) / max(len(days), 1)

    def y(v: float) -> float:
        return round(H - PAD - (v - lo) / (hi - lo) * (H - 2 * PAD), 1)

    def line(key: str) -> str:
        return " ".join(f"{PAD + (i + 0.5) * step:.1f},{y(d[key])}" for i, d in enumerate(days) if d[key] is not None)

    ticks = [{"x": round(PAD + (i + 0.5) * step, 1), "label": d["date"][5:]} for i, d in enumerate(days)
             if i % max(1, len(days) // 12) == 0]
    return {"w": W, "h": H, "pad": PAD, "tmin": line("tmin"), "tmax": line("tmax"), "ibm_min": line("ibm_min"),
            "ibm_max": line("ibm_max"), "thr_min": y(s["ibm_min"]), "thr_max": y(s["ibm_max"]), "s": s,
            "bands": [{"x": round(PAD + i * step, 1), "w": round(step, 2), "colour": LEVEL_COLOUR[d["level"]],
                       "title": f"{d['date']} : {LEVEL_FR[d['level']]}"} for i, d in enumerate(days)],
            "ticks": ticks, "yticks": [{"y": y(v), "label": f"{v:.0f}"} for v in range(int(lo) + 1, int(hi), 5)]}


def _default_day(engine, forecast) -> str:
    if forecast is not None:
        found = episodes(service.forecast_frame(forecast))
        if found:
            return found[0]["start"]
    return str(date.today())


@router.get("/canicule", response_model=None)
def desk(request: Request, settings: SettingsDep, engine: EngineDep, user: HeatDesk) -> Response:
    forecast = service.current_forecast(engine)
    day = request.query_params.get("jour") or _default_day(engine, forecast)
    try:
        date.fromisoformat(day)
    except ValueError:
        day = _default_day(engine, forecast)
    build = service.latest_scores(engine)
    board = calls.dashboard(engine, day=day)
    night = None
    if forecast is not None:
        today = next((d for d in forecast.days if d["date"] == day), None)
        if today is not None:
            try:
                temps = service.night_temperatures(engine, today["tmin"])
                by_value = temps.groupby(temps).size().sort_index(ascending=False)
                night = {"tmin": today["tmin"], "classes": [{"value": v, "iris": int(n)} for v, n in by_value.items()]}
            except NotBuiltError:
                night = {"tmin": today["tmin"], "classes": []}
    share_default = int(round(planning.registrant_share() * 100))
    q = request.query_params
    plan_form = {"operateurs": q.get("operateurs") or planning.PARAMETERS["capacity"]["operators"]["value"],
                 "appels": q.get("appels") or planning.PARAMETERS["capacity"]["calls_per_operator_day"]["value"],
                 "part": q.get("part") or share_default}
    preview, preview_error = None, None
    if q.get("apercu") and _may(user, "manage_heat_plan"):
        try:
            preview = calls.preview_plan(engine, operators=int(plan_form["operateurs"]),
                                         calls_per_operator=int(plan_form["appels"]),
                                         share=float(plan_form["part"]) / 100)
        except (service.HeatError, ValueError) as exc:
            preview_error = str(exc) if isinstance(exc, service.HeatError) else "des nombres entiers sont attendus"
    scoring = service.scoring_status(settings)
    return _render(request, "canicule.html", settings, user=user, forecast=forecast, day=day, board=board,
                   plan_form=plan_form, preview=preview, default_share_pct=share_default,
                   chart=chart(forecast.days, forecast.departement) if forecast else None,
                   episodes=episodes(service.forecast_frame(forecast)) if forecast else [], level_fr=LEVEL_FR,
                   level_colour=LEVEL_COLOUR, scores=build, scoring=scoring,
                   failed_job=None if scoring else jobs.failure(engine, service.SCORE_JOB), night=night,
                   # the teams' tasks name people: shown with the permission the API asks for them
                   tasks=calls.tasks(engine)[:200] if _may(user, "manage_heat_plan") else [],
                   may_manage=_may(user, "manage_heat_plan"),
                   seasons=[y for y in seasons.available() if y not in seasons.PUBLISHED_YEARS],
                   backtest_years=seasons.available(), other=service.other_alerts(engine),
                   capacity=planning.PARAMETERS["capacity"], message=notice(request, "message"),
                   error=notice(request, "erreur") or preview_error)


def _back(message: str = "", error: str = "", day: str = "") -> RedirectResponse:
    query = "&".join(x for x in (f"jour={day}" if day else "", f"message={quote(message)}" if message else "",
                                 f"erreur={quote(error)}" if error else "") if x)
    return RedirectResponse("/canicule" + (f"?{query}" if query else ""), status_code=303)


@router.post("/canicule/prevision", response_model=None)
async def load_forecast(engine: EngineDep, user: Manager, fichier: Annotated[UploadFile | None, File()] = None,
                        saison: Annotated[str, Form()] = "") -> Response:
    try:
        if saison:
            f = seasons.season(int(saison))
        elif fichier is not None and fichier.filename:
            # read at most one byte more than allowed: a huge upload is refused without being read
            raw = await fichier.read(fc.PARAMETERS["max_upload_bytes"]["value"] + 1)
            fc.check_size(raw)
            fmt = "json" if fichier.filename.lower().endswith(".json") else "csv"
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise fc.ForecastError(f"{fichier.filename}: not UTF-8 text") from None
            f = fc.parse(text, fmt=fmt, source=fichier.filename)
        else:
            raise fc.ForecastError("choisissez un fichier ou un été passé")
    except (fc.ForecastError, ValueError) as exc:
        return _back(error=f"Prévision refusée, rien n'a changé : {exc}")
    service.load_forecast(engine, f, actor=user.username)
    repairs = " ; ".join(f.repairs)
    return _back(message=f"Prévision chargée ({f.source})." + (f" Réparations : {repairs}" if repairs else ""))


@router.post("/canicule/scores", response_model=None)
def start_scoring(settings: SettingsDep, engine: EngineDep, user: Manager) -> Response:
    """Score in a background process; the page shows its progress."""
    if service.scoring_status(settings) or jobs.running(engine, service.SCORE_JOB):
        return _back(message="Un calcul est déjà en cours.")
    jobs.start(settings, engine, kind=service.SCORE_JOB, command=["heat", "score"], started_by=user.username)
    return _back(message="Calcul des scores lancé.")


@router.post("/canicule/plan", response_model=None)
def make_plan(settings: SettingsDep, engine: EngineDep, user: Manager, jour: Annotated[str, Form()],
              action: Annotated[str, Form()] = "plan", operateurs: Annotated[int | None, Form(ge=0, le=1000)] = None,
              appels: Annotated[int | None, Form(ge=0, le=500)] = None,
              part: Annotated[float | None, Form(ge=0, le=100)] = None) -> Response:
    if action == "apercu":
        query = f"jour={jour}&apercu=1&operateurs={operateurs or 0}&appels={appels or 0}&part={part if part is not None else ''}"
        return RedirectResponse(f"/canicule?{query}#apercu", status_code=303)
    try:
        if action == "sms":
            n = calls.queue_sms(settings, engine, day=jour)
            return _back(message=f"{n} SMS en file d'envoi.", day=jour)
        if action == "clore":
            r = calls.close_day(engine, day=jour)
            return _back(message=f"Journée close : {r['home_visits_created']} visite(s) à domicile créée(s).", day=jour)
        r = calls.plan_day(engine, day=jour, operators=operateurs, calls_per_operator=appels,
                           share=None if part is None else part / 100)
    except service.HeatError as exc:
        return _back(error=str(exc), day=jour)
    text = (f"Plan du {jour} : {number(r['planned'])} personnes ({number(r['registered'])} inscrites, "
            f"{number(r['unregistered'])} non inscrites à risque ; {round(100 * r['share_registered'])} % des appels "
            "réservés aux inscrits)."
            if r["created"] else f"Le plan du {jour} existait déjà ({r['planned']} personnes).")
    return _back(message=text, day=jour)


@router.post("/canicule/taches/{task_id}", response_model=None)
def task_done(task_id: int, engine: EngineDep, user: Manager) -> Response:
    try:
        calls.close_task(engine, task_id, actor=user.username)
    except service.HeatError as exc:
        return _back(error=str(exc))
    return _back(message=f"Tâche {task_id} faite.")


@router.get("/canicule/retro", response_model=None)
def backtest_page(request: Request, settings: SettingsDep, engine: EngineDep) -> Response:
    """Open to everyone, as its API is: aggregates only."""
    try:
        year = int(request.query_params.get("annee", "2003"))
    except ValueError:
        year = 2003
    if year not in seasons.available():
        year = 2003
    people = service.backtest_people(engine)
    report = backtest.replay(year, people)
    baseline = backtest.replay(year, people, registry_only=True) if people is not None else None
    return _render(request, "canicule_retro.html", settings, report=report, year=year, years=seasons.available(),
                   level_fr=LEVEL_FR, level_colour=LEVEL_COLOUR, bars=retro_chart(report, baseline),
                   baseline=baseline)


def retro_chart(report: dict, baseline: dict | None) -> dict | None:
    """Stacked bars (inline SVG, no script): per alert day, the people at risk reached at least
    once so far, registered and not, with the registry-only baseline as a line."""
    days = [d for d in report.get("days", []) if "episode" in d]
    if not days or not report.get("at_risk"):
        return None
    base = {d["date"]: d for d in (baseline or {}).get("days", []) if "episode" in d}
    top = max(max(d["reached_so_far_registered"] + d["reached_so_far_unregistered"] for d in days), 1)
    width, height, pad = 900, 240, 40
    step = (width - 2 * pad) / len(days)

    def y(v: float) -> float:
        return round(height - pad - v / top * (height - 2 * pad), 1)

    bars, line = [], []
    for i, d in enumerate(days):
        x = round(pad + i * step + step * 0.15, 1)
        r, u = d["reached_so_far_registered"], d["reached_so_far_unregistered"]
        bars.append({"x": x, "w": round(step * 0.7, 1), "y_r": y(r), "h_r": round(y(0) - y(r), 1),
                     "y_u": y(r + u), "h_u": round(y(r) - y(r + u), 1), "label": d["date"][5:],
                     "title": f"{d['date']} : {number(r)} inscrits et {number(u)} non inscrits à risque joints"})
        b = base.get(d["date"])
        if b:
            line.append(f"{x + step * 0.35:.1f},{y(b['reached_so_far_registered'] + b['reached_so_far_unregistered'])}")
    return {"w": width, "h": height, "pad": pad, "bars": bars, "baseline": " ".join(line), "top": number(top),
            "axis_y": y(0)}


# ---------------------------------------------------------------------------------------------
# the call console


@router.get("/canicule/appels", response_model=None)
def console(request: Request, settings: SettingsDep, engine: EngineDep, user: Caller) -> Response:
    day = request.query_params.get("jour") or calls.latest_plan_day(engine)
    call, situation, todays = None, None, []
    if day:
        try:
            pd.Timestamp(date.fromisoformat(day))
        except ValueError:
            day = calls.latest_plan_day(engine)
        # opening the page takes no call: the operator presses « appel suivant »; a call this
        # operator already holds is shown again (that display is a read, logged)
        call = calls.held_call(engine, day=day, operator=user.username)
        if call is not None:
            situation = calls.situation(engine, call, actor=user.username, role=user.role)
        todays = calls.calls_for(engine, day)
    done = sum(1 for c in todays if c.status == "done")
    waiting = sum(1 for c in todays if c.status == "pending")
    return _render(request, "canicule_appels.html", settings, user=user, day=day, call=call, situation=situation,
                   total=len(todays), done=done, waiting=waiting, outcomes=planning.PARAMETERS["outcomes"],
                   questions_note=planning.PARAMETERS["questions_note_fr"],
                   message=notice(request, "message"), error=notice(request, "erreur"))


@router.post("/canicule/appels/suivant", response_model=None)
def take_next(engine: EngineDep, user: Caller, jour: Annotated[str, Form()]) -> Response:
    try:
        date.fromisoformat(jour)
    except ValueError:
        return RedirectResponse(f"/canicule/appels?erreur={quote('jour au format AAAA-MM-JJ')}", status_code=303)
    call = calls.next_call(engine, day=jour, operator=user.username)
    if call is None:
        message = "Plus d'appel à passer pour le moment (les nouveaux essais apparaissent à leur heure)."
        return RedirectResponse(f"/canicule/appels?jour={jour}&message={quote(message)}", status_code=303)
    return RedirectResponse(f"/canicule/appels?jour={jour}", status_code=303)


@router.post("/canicule/appels/{call_id}", response_model=None)
def outcome(call_id: int, engine: EngineDep, user: Caller, resultat: Annotated[str, Form()],
            jour: Annotated[str, Form()], note: Annotated[str, Form(max_length=1000)] = "",
            inscription: Annotated[str, Form()] = "") -> Response:
    try:
        r = calls.record_outcome(engine, call_id, outcome=resultat, operator=user.username, note=note,
                                 register=bool(inscription))
    except calls.NotHolderError as exc:
        access.log_access(engine, actor=user.username, role=user.role, resource=f"/canicule/appels/{call_id}",
                          allowed=False, purpose="refused: the call is held by another operator")
        return Response(str(exc), status_code=403, media_type="text/plain; charset=utf-8")
    except service.HeatError as exc:
        return RedirectResponse(f"/canicule/appels?jour={jour}&erreur={quote(str(exc))}", status_code=303)
    texts = {"home_visit": "4 appels sans réponse en 48 h : visite à domicile demandée à l'équipe de l'arrondissement.",
             "medical": "Transmis à la cellule médicale.", "help": "Demande d'aide transmise à l'équipe de l'arrondissement."}
    message = texts.get(r["task"], "Résultat enregistré.")
    if r["retry_at"]:
        message += f" Nouvel essai à partir du {r['retry_at_local']}."
    if r["registered"]:
        message += " Inscription au registre REFLEX enregistrée (avec l'accord de la personne)."
    return RedirectResponse(f"/canicule/appels?jour={jour}&message={quote(message)}", status_code=303)
