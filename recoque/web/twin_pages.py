"""Twin pages for planners: pick or compose a scenario and run it with a progress bar (/jumeau),
see it beside the current situation (/jumeau/simulations/{id}) and compare two runs side by side
(/jumeau/comparer). Results are aggregates: anyone may look; running needs an agent account."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import yaml
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from recoque.api.deps import CurrentUser, EngineDep, SettingsDep, page_require
from recoque.api.security import notice
from recoque.core import jobs
from recoque.core.errors import NotBuiltError
from recoque.core.paris import ARRONDISSEMENTS
from recoque.core.settings import PROJECT_ROOT
from recoque.core.typography import number, significant
from recoque.governance import access
from recoque.governance.models import User
from recoque.twin import basemap, maps, scenarios, service
from recoque.web.errors import error_page
from recoque.web.pages import _render, templates

router = APIRouter(include_in_schema=False)
BUNDLED = PROJECT_ROOT / "scenarios"
LABELS = {"flooded_km2": "zone inondée dans Paris (km²)", "iou_with_ppri": "accord avec le PPRI (IoU)",
          "residents": "habitants dont le domicile est sous l'eau", "alone_75": "dont 75 ans ou plus seuls",
          "vulnerable": "dont vulnérables", "cool_places_flooded": "lieux frais inondés",
          "residents_cooler": "habitants aux nuits plus fraîches", "elderly_80_alone_cooler": "dont 80 ans ou plus seuls",
          "night_change_k_min": "plus fort rafraîchissement nocturne (K)",
          "a_residents_flooded": "A : habitants inondés", "a_alone_75_flooded": "A : 75 ans+ seuls inondés",
          "b_residents_flooded": "B : habitants inondés", "b_alone_75_flooded": "B : 75 ans+ seuls inondés",
          "a_night_change_k": "A : nuit (K)", "a_residents_cooler": "A : habitants rafraîchis",
          "b_night_change_k": "B : nuit (K)", "b_residents_cooler": "B : habitants rafraîchis"}

#: result columns that are measures, with their decimals; every other figure is a count of people
#: or places (expected values of the synthetic city: shown as whole numbers)
MEASURES = {"flooded_km2": 2, "ppri_km2": 2, "iou_with_ppri": 2, "night_change_k_min": 2, "a_night_change_k": 2,
            "b_night_change_k": 2, "level_m_ngf": 2, "stage_m": 2, "hours": 1}


def figure(value: object, key: str) -> str:
    """A result cell in French: measures with their decimals, counts as whole numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—" if value is None else str(value)
    return number(float(value), MEASURES.get(key, 0))


templates.env.filters["chiffre"] = figure


def bundled() -> list[dict]:
    found = []
    for path in sorted(BUNDLED.glob("*.yaml")):
        s = scenarios.read(path)
        found.append({"file": path.name, "name": s.name, "description": s.description, "component": s.component})
    return found


@router.get("/jumeau", response_model=None)
def twin_home(request: Request, settings: SettingsDep, engine: EngineDep, user: CurrentUser) -> Response:
    runs = [service.summary(b) | {"created_at": b.created_at} for b in service.list_runs(engine, limit=30)]
    running = service.running(settings)
    return _render(request, "jumeau.html", settings, user=user, scenarios=bundled(), runs=runs,
                   running=running, may_run=user is not None and access.allowed(user.role, "run_twin"),
                   failed_job=None if running else jobs.failure(engine, service.JOB_KIND),
                   arrondissements=ARRONDISSEMENTS, message=notice(request, "message"),
                   error=notice(request, "erreur"))


def _back(message: str = "", error: str = "") -> RedirectResponse:
    query = "&".join(x for x in (f"message={quote(message)}" if message else "",
                                 f"erreur={quote(error)}" if error else "") if x)
    return RedirectResponse("/jumeau" + (f"?{query}" if query else ""), status_code=303)


@router.post("/jumeau/simuler", response_model=None)
def start(settings: SettingsDep, engine: EngineDep, user: Annotated[User, Depends(page_require("run_twin"))], fichier: Annotated[str, Form()] = "",
          type_: Annotated[str, Form(alias="type")] = "", arrondissement: Annotated[str, Form()] = "75113",
          arbres: Annotated[int, Form(ge=0, le=200_000)] = 0, cours: Annotated[str, Form()] = "",
          toits: Annotated[str, Form()] = "", toit_min: Annotated[float, Form(ge=0, le=100_000)] = 200.0,
          cote: Annotated[float, Form(ge=0, le=15)] = 0.0, heures: Annotated[float, Form(gt=0, le=240)] = 6.0,
          resolution: Annotated[float, Form(ge=5, le=200)] = 25.0, nom: Annotated[str, Form(max_length=200)] = "") -> Response:
    if fichier:
        source = BUNDLED / Path(fichier).name
        if not source.exists():
            return _back(error=f"scénario inconnu : {fichier}")
        text = source.read_text(encoding="utf-8")
    elif type_ == "urban_heat":
        edits = ([{"plant_trees": {"arrondissement": arrondissement, "trees": arbres}}] if arbres else []) + \
                ([{"green_schoolyards": {"arrondissement": arrondissement}}] if cours else []) + \
                ([{"green_roofs": {"arrondissement": arrondissement, "min_roof_m2": toit_min}}] if toits else [])
        text = yaml.safe_dump({"name": nom or "Scénario composé", "component": "urban_heat", "resolution_m": resolution,
                               "edits": edits}, allow_unicode=True, sort_keys=False)
    elif type_ == "seine_flood":
        text = yaml.safe_dump({"name": nom or f"Seine à {significant(cote)} m", "component": "seine_flood",
                               "seine": {"stage_m": cote}, "hours": heures, "resolution_m": max(resolution, 30.0)},
                              allow_unicode=True, sort_keys=False)
    else:
        return _back(error="choisissez un scénario ou composez-en un")
    try:
        scenario = scenarios.parse(text, source=fichier or "scénario composé")
        scenarios.check_fits(scenario)
    except scenarios.ScenarioFileError as exc:
        return _back(error=f"Scénario refusé : {exc}")
    if service.running(settings):
        return _back(message="Une simulation est déjà en cours.")
    service.start_in_background(settings, engine, text, started_by=user.username)
    return _back(message=f"Simulation lancée : {scenario.name}")


def _limits(a: tuple, b: tuple) -> tuple[float, float]:
    return min(a[0], b[0]), max(a[1], b[1])


@router.get("/jumeau/simulations/{run_id}", response_model=None)
def result(run_id: int, request: Request, settings: SettingsDep, engine: EngineDep) -> Response:
    try:
        build = service.get_run(engine, run_id)
    except NotBuiltError:
        return error_page(request, 404, f"Aucune simulation n° {run_id}.", "Simulation introuvable")
    component = build.details["component"]
    if component == "urban_heat":
        lim = _limits(maps.span(Path(build.location), "night"), maps.span(Path(build.location), "scenario_night"))
        panels = [("night", lim), ("scenario_night", lim), ("night_change", None), ("day_change", None)]
    else:
        panels = [("terrain", None), ("max_depth", None)]
    shown = []
    base = basemap.load(settings.data_dir)
    for field, lim in panels:
        used = lim or maps.span(Path(build.location), field)
        query = f"?lo={used[0]}&hi={used[1]}"
        shown.append({"src": f"/jumeau/carte/{run_id}/{field}.png{query}", "legend": maps.legend(field, used),
                      "table": maps.table(Path(build.location), field, base), "field": field})
    scenario_text = (Path(build.location) / "scenario.yaml")
    report = build.details["report"]
    # arrondissements whose mean changes by at least 0.0001 K (shown to 4 decimals), night or day
    changed = {a: v for a, v in report.get("per_arrondissement", {}).items()
               if component == "urban_heat" and max(abs(v["night_change_k_resident_weighted"]), abs(v["day_change_k"])) >= 5e-5}
    extent = (f"/jumeau/carte/{run_id}/{maps.EXTENT_FIELD}.png"
              if component != "urban_heat" and maps.has_extent(Path(build.location)) else None)
    return _render(request, "jumeau_resultat.html", settings, build=build, report=report, changed=changed,
                   summary=service.summary(build), panels=shown, component=component, extent=extent,
                   extent_legend=[label for label, _colour in maps.EXTENT.values()],
                   scenario_text=scenario_text.read_text(encoding="utf-8") if scenario_text.exists() else None)


@router.get("/jumeau/carte/{run_id}/{field}.png", response_model=None)
def map_png(run_id: int, field: str, engine: EngineDep, settings: SettingsDep, lo: Annotated[float | None, Query()] = None,
            hi: Annotated[float | None, Query()] = None) -> Response:
    try:
        build = service.get_run(engine, run_id)
        if field == maps.EXTENT_FIELD:
            png = maps.extent_over_ppri(Path(build.location), base=basemap.load(settings.data_dir))
        else:
            png, _ = maps.render(Path(build.location), field, limits=(lo, hi) if lo is not None and hi is not None else None,
                                 base=basemap.load(settings.data_dir))
    except (NotBuiltError, KeyError, FileNotFoundError):
        return Response("no such map", status_code=404)
    return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=3600"})


@router.get("/jumeau/comparer", response_model=None)
def compare_page(request: Request, settings: SettingsDep, engine: EngineDep, a: int, b: int) -> Response:
    try:
        c = service.compare(engine, a, b)
        ra, rb = service.get_run(engine, a), service.get_run(engine, b)
    except NotBuiltError:
        return error_page(request, 404, f"Les simulations n° {a} et n° {b} ne sont pas toutes deux enregistrées.",
                          "Simulation introuvable")
    field = {"urban_heat": "night_change", "seine_flood": "max_depth", "flood": "max_depth"}
    fa, fb = field[ra.details["component"]], field[rb.details["component"]]
    la, lb = maps.span(Path(ra.location), fa), maps.span(Path(rb.location), fb)
    lim = _limits(la, lb) if fa == fb else None
    panels = []
    base = basemap.load(settings.data_dir)
    for run, f, own in ((ra, fa, la), (rb, fb, lb)):
        used = lim or own
        panels.append({"src": f"/jumeau/carte/{run.id}/{f}.png?lo={used[0]}&hi={used[1]}",
                       "legend": maps.legend(f, used), "title": service.summary(run)["scenario"],
                       "table": maps.table(Path(run.location), f, base), "field": f"{run.id}-{f}"})
    columns = sorted({k for v in c["per_arrondissement"].values() for k in v})
    return _render(request, "jumeau_comparer.html", settings, c=c, panels=panels, columns=columns, labels=LABELS)
