"""HTML pages. Thin: they read through the territory service and render templates."""

from __future__ import annotations

import contextlib
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from recoque.api.deps import EngineDep, SettingsDep
from recoque.api.security import csrf_field
from recoque.core.errors import NotBuiltError
from recoque.core.layers import layer_specs
from recoque.core.typography import (
    arrondissement_fr,
    date_fr,
    euros,
    month_fr,
    number,
    percent,
    scientific,
    significant,
)
from recoque.governance import register
from recoque.governance.bias import latest_audits
from recoque.governance.runs import footprint_by_algorithm
from recoque.population import report as population_report
from recoque.population import service as population_service
from recoque.territory import service
from recoque.web.i18n import strings

# the population's report tables are its own templates, included by the /population page
templates = Jinja2Templates(directory=[Path(__file__).with_name("templates"), population_report.TEMPLATES])
templates.env.filters["pct"] = percent
templates.env.filters["euros"] = euros
templates.env.filters["month_fr"] = month_fr
templates.env.filters["nombre"] = number
templates.env.filters["sig"] = significant
templates.env.filters["sci"] = scientific
templates.env.filters["arrdt"] = arrondissement_fr
templates.env.filters["date_fr"] = date_fr
templates.env.globals["csrf_field"] = csrf_field
templates.env.filters["fr"] = register.label_fr
router = APIRouter(include_in_schema=False)


def _render(request: Request, name: str, settings, **context) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, {"t": strings(), "lang": "fr", **context}
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request, settings: SettingsDep, engine: EngineDep) -> HTMLResponse:
    try:
        built = service.summary(engine)
    except NotBuiltError:
        built = None
    return _render(request, "index.html", settings, built=built)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The API reference (Swagger UI 5, served locally)."""
    return templates.TemplateResponse(request, "api_docs.html", {"openapi_url": request.app.openapi_url})


@router.get("/carte", response_class=HTMLResponse)
def map_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _render(request, "carte.html", settings)


@router.get("/donnees", response_class=HTMLResponse)
def data_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _render(request, "donnees.html", settings, layers=list(layer_specs().values()))


@router.get("/population", response_class=HTMLResponse)
def population_page(request: Request, settings: SettingsDep, engine: EngineDep) -> HTMLResponse:
    report = summary = None
    # no population, or not validated yet: the page says so and what to run
    with contextlib.suppress(NotBuiltError):
        summary = population_service.summary(engine)
        report = population_service.validation_report(engine)
    return _render(request, "population.html", settings, report=report, summary=summary)


@router.get("/transparence", response_class=HTMLResponse)
def transparency_page(request: Request, settings: SettingsDep, engine: EngineDep) -> HTMLResponse:
    from recoque.governance import checkpoints

    return _render(request, "transparence.html", settings, entries=list(register.entries().values()),
                   footprints=footprint_by_algorithm(engine), audits=latest_audits(engine),
                   head=checkpoints.latest(settings))


@router.get("/transparence/registre.json")
def transparency_json(engine: EngineDep) -> JSONResponse:
    footprints, audits = footprint_by_algorithm(engine), latest_audits(engine)
    body = [register.to_ats(e, footprints.get(e.id), audits.get(e.id)) for e in register.entries().values()]
    return JSONResponse(body, headers={"Content-Disposition": 'attachment; filename="registre-algorithmes-paris.json"'})


@router.get("/transparence/registre.csv")
def transparency_csv(engine: EngineDep) -> Response:
    footprints = footprint_by_algorithm(engine)
    rows = [(e, footprints.get(e.id, {})) for e in register.entries().values()]
    return Response(register.to_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="registre-algorithmes-paris.csv"'})


@router.get("/transparence/{algorithm_id}", response_class=HTMLResponse)
def transparency_entry(algorithm_id: str, request: Request, settings: SettingsDep, engine: EngineDep) -> HTMLResponse:
    e = register.entry(algorithm_id)
    return _render(request, "transparence_algo.html", settings, e=e,
                   footprint=footprint_by_algorithm(engine).get(e.id, {}), audit=latest_audits(engine).get(e.id))
