"""Twin API: scenario runs (aggregates: open to read; running needs an agent account), their
reports, maps and side-by-side comparisons."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException
from fastapi.responses import Response

from recoque.api.deps import EngineDep, SettingsDep, require
from recoque.core import jobs
from recoque.core.errors import NotBuiltError
from recoque.governance.models import User
from recoque.twin import basemap, maps, scenarios, service

router = APIRouter(prefix="/api/v1/twin", tags=["twin"])


def _run_dict(build) -> dict:
    return {"id": build.id, "created_at": build.created_at.isoformat(), "code_version": build.code_version,
            "input_digest": build.input_digest, "component": build.details["component"],
            "parameters": build.details.get("parameters"), "summary": service.summary(build)}


@router.get("/runs", summary="Stored runs of the twin, newest first")
def runs(engine: EngineDep) -> list[dict]:
    return [_run_dict(b) for b in service.list_runs(engine)]


@router.get("/runs/{run_id}", summary="One run: its parameters, inputs' digests, code version and full report")
def one(run_id: int, engine: EngineDep) -> dict:
    try:
        build = service.get_run(engine, run_id)
    except NotBuiltError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return _run_dict(build) | {"report": build.details["report"]}


@router.get("/runs/{run_id}/maps/{field}.png", summary="A map of one field of a run (PNG, north up)")
def map_png(run_id: int, field: str, engine: EngineDep, settings: SettingsDep) -> Response:
    """The Seine and the arrondissements (outlines, « 13e ») are drawn over the field."""
    try:
        build = service.get_run(engine, run_id)
        png, _ = maps.render(Path(build.location), field, base=basemap.load(settings.data_dir))
    except (NotBuiltError, KeyError, FileNotFoundError):
        raise HTTPException(status_code=404, detail=f"no map {field!r} for run {run_id}; fields: {', '.join(maps.FIELDS)}") from None
    return Response(png, media_type="image/png")


@router.get("/compare", summary="Two runs side by side")
def compare(a: int, b: int, engine: EngineDep) -> dict:
    try:
        return service.compare(engine, a, b)
    except NotBuiltError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


@router.get("/status", summary="The run in progress, if any")
def status(settings: SettingsDep, engine: EngineDep) -> dict:
    running = service.running(settings)
    failed = None if running else jobs.failure(engine, service.JOB_KIND)
    return {"running": running, "last_failure": None if failed is None else {
        "started_at": failed.started_at.isoformat(), "started_by": failed.started_by, "exit_code": failed.exit_code,
        "error": failed.error}}


@router.post("/runs", status_code=202, summary="Run a scenario (YAML body, see docs/twin.md) in the background")
def start(settings: SettingsDep, engine: EngineDep, user: Annotated[User, Depends(require("run_twin"))],
          body: Annotated[str, Body(media_type="text/plain", max_length=100_000)]) -> dict:
    try:
        scenario = scenarios.parse(body, "body")
        scenarios.check_fits(scenario)
    except scenarios.ScenarioFileError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    if service.running(settings):
        raise HTTPException(status_code=409, detail="a run is already in progress: GET /api/v1/twin/status")
    service.start_in_background(settings, engine, body, started_by=user.username)
    return {"accepted": scenario.name, "status": "/api/v1/twin/status", "runs": "/api/v1/twin/runs"}
