"""HTML pages. Thin: they read through the territory service and render templates."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from recoque.api.deps import EngineDep, SettingsDep
from recoque.core.errors import NotBuiltError
from recoque.population import service as population_service
from recoque.territory import service
from recoque.core.layers import layer_specs
from recoque.web.i18n import strings
from recoque.web.reports import percent

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
templates.env.filters["pct"] = percent
router = APIRouter(include_in_schema=False)


def _render(request: Request, name: str, settings, **context) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, {"t": strings(settings.language), "lang": settings.language, **context}
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request, settings: SettingsDep, engine: EngineDep) -> HTMLResponse:
    try:
        built = service.summary(engine)
    except NotBuiltError:
        built = None
    return _render(request, "index.html", settings, built=built)


@router.get("/carte", response_class=HTMLResponse)
def map_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _render(request, "carte.html", settings)


@router.get("/donnees", response_class=HTMLResponse)
def data_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _render(request, "donnees.html", settings, layers=list(layer_specs().values()))


@router.get("/population", response_class=HTMLResponse)
def population_page(request: Request, settings: SettingsDep, engine: EngineDep) -> HTMLResponse:
    report = summary = None
    try:
        summary = population_service.summary(engine)
        report = population_service.validation_report(engine)
    except NotBuiltError:
        pass
    return _render(request, "population.html", settings, report=report, summary=summary)
