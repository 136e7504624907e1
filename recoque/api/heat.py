"""Heat-wave early warning API: vigilance (open), forecasts and plans (heat-plan manager), the
operators' console (callers; every read of a person's situation is logged), dashboard."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from recoque.api.deps import EngineDep, SettingsDep, require
from recoque.governance.models import User
from recoque.heat import calls, seasons, service
from recoque.heat import forecast as fc

router = APIRouter(prefix="/api/v1/heat", tags=["heat"])
DAY = r"^\d{4}-\d{2}-\d{2}$"


def _bad(exc: Exception) -> HTTPException:
    return HTTPException(status_code=422, detail=str(exc))


@router.get("/vigilance", summary="The current forecast: IBM and vigilance level day by day, alert episodes")
def vigilance(engine: EngineDep, departement: str = "75") -> dict:
    from recoque.heat.vigilance import episodes

    row = service.current_forecast(engine, departement)
    if row is None:
        raise HTTPException(status_code=404, detail="no forecast loaded")
    return {"departement": row.departement, "source": row.source, "loaded_at": row.loaded_at.isoformat(),
            "days": row.days, "repairs": row.repairs, "episodes": episodes(service.forecast_frame(row))}


@router.post("/forecast", summary="Load a forecast (CSV or JSON body, see docs/heat.md); refused with the line at fault")
def load_forecast(engine: EngineDep, user: Annotated[User, Depends(require("manage_heat_plan"))],
                  body: Annotated[str, Body(media_type="text/plain", max_length=2_000_000)],
                  fmt: Annotated[Literal["csv", "json"], Query(alias="format")] = "csv",
                  departement: str = "75") -> dict:
    try:
        f = fc.parse(body, fmt=fmt, departement=departement, source=f"API ({user.username})")
    except fc.ForecastError as exc:
        raise _bad(exc) from None
    row = service.load_forecast(engine, f, actor=user.username)
    return {"forecast": row.id, "repairs": row.repairs, "days": len(row.days)}


@router.post("/forecast/season/{year}", summary="Replay a bundled real summer as the current forecast")
def load_season(year: int, engine: EngineDep, user: Annotated[User, Depends(require("manage_heat_plan"))]) -> dict:
    try:
        f = seasons.season(year)
    except fc.ForecastError as exc:
        raise _bad(exc) from None
    row = service.load_forecast(engine, f, actor=user.username)
    return {"forecast": row.id, "repairs": row.repairs, "days": len(row.days)}


class PlanRequest(BaseModel):
    day: str = Field(pattern=DAY)
    operators: int | None = Field(default=None, ge=0, le=1000)
    calls_per_operator: int | None = Field(default=None, ge=0, le=500)
    force: bool = False


@router.post("/plans", summary="Build the day's call plan (once; asking again returns it)")
def plan(request: PlanRequest, engine: EngineDep, user: Annotated[User, Depends(require("manage_heat_plan"))]) -> dict:
    try:
        return calls.plan_day(engine, day=request.day, operators=request.operators,
                              calls_per_operator=request.calls_per_operator, force=request.force)
    except service.HeatError as exc:
        raise _bad(exc) from None


@router.post("/plans/{day}/sms", summary="Queue the day's SMS in the outbox")
def sms(day: Annotated[str, PathParam(pattern=DAY)], settings: SettingsDep, engine: EngineDep,
        user: Annotated[User, Depends(require("manage_heat_plan"))]) -> dict:
    try:
        return {"queued": calls.queue_sms(settings, engine, day=day)}
    except service.HeatError as exc:
        raise _bad(exc) from None


def _call_dict(call) -> dict:
    return {"id": call.id, "day": call.day, "episode": call.episode, "rank": call.rank, "kind": call.kind,
            "reason": call.reason, "status": call.status, "tries": call.tries, "outcome": call.outcome,
            "arrondissement": call.arrondissement}


@router.post("/calls/next", summary="The next call for this operator (held for them a few minutes)")
def next_call(engine: EngineDep, user: Annotated[User, Depends(require("record_call"))],
              day: Annotated[str, Query(pattern=DAY)]) -> dict:
    call = calls.next_call(engine, day=day, operator=user.username)
    if call is None:
        return {"call": None}
    return {"call": _call_dict(call), "situation": calls.situation(engine, call, actor=user.username, role=user.role)}


class OutcomeRequest(BaseModel):
    outcome: Literal["ok", "help", "medical", "no_answer", "declined"]
    note: str = Field(default="", max_length=1000)
    consent_to_register: bool = Field(default=False, description="the person agrees to join the REFLEX register")


@router.post("/calls/{call_id}/outcome", summary="Record a call's outcome; the protocol does the rest")
def outcome(call_id: int, request: OutcomeRequest, engine: EngineDep,
            user: Annotated[User, Depends(require("record_call"))]) -> dict:
    try:
        return calls.record_outcome(engine, call_id, outcome=request.outcome, operator=user.username,
                                    note=request.note, register=request.consent_to_register)
    except calls.NotHolderError as exc:
        from recoque.governance.access import log_access

        log_access(engine, actor=user.username, role=user.role, resource=f"/api/v1/heat/calls/{call_id}/outcome",
                   allowed=False, purpose="refused: the call is held by another operator")
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except service.HeatError as exc:
        raise _bad(exc) from None


@router.get("/dashboard", summary="Per arrondissement: at risk, reached, not reached, visits pending")
def dashboard(engine: EngineDep, user: Annotated[User, Depends(require("record_call"))],
              day: Annotated[str, Query(pattern=DAY)]) -> dict:
    return calls.dashboard(engine, day=day)


@router.get("/tasks", summary="Open tasks for the teams (home visits, medical cell, help)")
def open_tasks(engine: EngineDep, user: Annotated[User, Depends(require("manage_heat_plan"))],
               arrondissement: str | None = None) -> list[dict]:
    return [{"id": t.id, "kind": t.kind, "person_id": t.person_id, "arrondissement": t.arrondissement,
             "episode": t.episode, "reason": t.reason, "created_at": t.created_at.isoformat()}
            for t in calls.tasks(engine, arrondissement=arrondissement)]


@router.get("/backtest/{year}", summary="Replay a bundled real summer (alerts; people reached with scores)")
def backtest_year(year: int, engine: EngineDep, calls_per_day: Annotated[int | None, Query(ge=0, le=100_000)] = None) -> dict:
    from recoque.heat import backtest

    if year not in seasons.available():
        raise HTTPException(status_code=404, detail=f"bundled summers: {seasons.available()}")
    return backtest.replay(year, service.backtest_people(engine), calls=calls_per_day)
