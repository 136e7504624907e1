"""Rights pages: the anonymous simulator (/aides), the resident's answer to an offer (/droits/r,
personal code, no login), and the social workers' screening and campaign desk (/droits)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from recoque.api.deps import (
    EngineDep,
    SettingsDep,
    code_entry,
    page_require,
)
from recoque.api.security import notice
from recoque.core.errors import UnknownNameError
from recoque.core.paris import ARRONDISSEMENTS
from recoque.governance import access
from recoque.governance.models import User
from recoque.rights import campaigns, service
from recoque.rights.catalogue import benefits
from recoque.rights.simulation_pool import Busy
from recoque.rights.simulator import Situation
from recoque.web.governance_pages import TOO_MANY, UNKNOWN_CODE
from recoque.web.pages import _render

router = APIRouter(include_in_schema=False)


# ---------------------------------------------------------------------------------------------
# simulator


FORM_FIELDS = ("month", "age", "tenure", "rent", "salary", "pension", "unemployment", "couple", "partner_age",
               "partner_salary", "partner_pension", "partner_unemployment", "partner_disability", "children",
               "disability", "years_in_paris", "arrondissement")
CHECKBOXES = ("couple", "disability", "partner_disability")


def _simulator_page(request: Request, settings: SettingsDep, **values) -> HTMLResponse:
    from datetime import date

    from recoque.rights.simulator import FIRST_MONTH, _last_month

    values.setdefault("form", {})
    values.setdefault("errors", {})
    values.setdefault("result", None)
    values.setdefault("busy", None)
    return _render(request, "aides.html", settings, arrondissements=ARRONDISSEMENTS, first_month=FIRST_MONTH,
                   last_month=_last_month(), this_month=date.today().strftime("%Y-%m"), **values)


@router.get("/aides", response_class=HTMLResponse)
def simulator_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _simulator_page(request, settings)


@router.post("/aides", response_class=HTMLResponse)
async def simulator_result(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Every field arrives as text and is checked here, so that a wrong value gets a French
    message beside its field and the page stays a page (never a JSON error)."""
    from recoque.rights.simulator import errors_fr

    raw = await request.form()
    form = {name: str(raw.get(name, "")).strip()[:80] for name in FORM_FIELDS}
    data: dict = {name: value for name, value in form.items()
                  if value != "" and name not in CHECKBOXES and name != "children"}
    for name in CHECKBOXES:
        data[name] = bool(form[name])
    errors: dict[str, str] = {}
    try:
        data["children_ages"] = [int(x) for x in form["children"].replace(";", ",").split(",") if x.strip()]
    except ValueError:
        errors["children"] = "des âges en nombres entiers, séparés par des virgules (par exemple : 4, 9)"
    situation = None
    if not errors:
        try:
            situation = Situation.model_validate(data)
        except ValidationError as exc:
            errors = errors_fr(exc)
            if "children_ages" in errors:
                errors["children"] = errors.pop("children_ages")
    if errors:
        response = _simulator_page(request, settings, form=form, errors=errors)
        response.status_code = 422
        return response
    try:
        result = await request.app.state.simulations.run(situation.model_dump(mode="json"))
    except Busy as exc:
        response = _simulator_page(request, settings, form=form, busy=(
            f"Le simulateur est très demandé en ce moment : réessayez dans {exc.retry_after_s} secondes, "
            "vos réponses sont gardées dans le formulaire."))
        response.status_code = 429
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    return _simulator_page(request, settings, form=form, result=result)


# ---------------------------------------------------------------------------------------------
# the resident's answer


def _offer_for_code(request: Request, engine, code: str):
    from recoque.governance.explanations import RateLimited

    try:
        entry = code_entry(request, code)
    except RateLimited:
        return None, TOO_MANY, 429
    offer = campaigns.offer_for_entry(engine, entry.id) if entry else None
    if offer is None:
        return None, UNKNOWN_CODE, 404
    access.log_access(engine, actor="résident (code)", role="resident", resource="/droits/r", subject=offer.household_id,
                      purpose="réponse à une proposition d'aide", allowed=True)
    return offer, None, 200


def _code_refused(request, settings, error: str, code: str, status: int) -> HTMLResponse:
    response = _render(request, "droits_reponse.html", settings, offer=None, error=error, code=code)
    response.status_code = status
    return response


def _offer_page(request, settings, engine, offer, code, *, dossier=None, message=None, status=200):
    b = benefits()[offer.benefit]
    response = _render(request, "droits_reponse.html", settings, offer=offer, benefit=b, code=code, error=None,
                       dossier=dossier, message=message, status_fr=campaigns.STATUS_FR,
                       timeline=campaigns.timeline(engine, offer.id),
                       mention=campaigns.l311_3_1_mention(service.ALGORITHM))
    response.status_code = status
    return response


@router.get("/droits/r", response_class=HTMLResponse)
def answer_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _render(request, "droits_reponse.html", settings, offer=None, error=None, code="")


@router.post("/droits/r", response_class=HTMLResponse)
def offer_page(request: Request, settings: SettingsDep, engine: EngineDep,
               code: Annotated[str, Form(max_length=32)]) -> HTMLResponse:
    offer, error, status = _offer_for_code(request, engine, code)
    if offer is None:
        return _code_refused(request, settings, error, code, status)
    campaigns.opened(engine, offer.id)
    offer = campaigns.offer_for_entry(engine, offer.entry_id)
    dossier = campaigns._dossier(engine, offer) if offer.answer == "confirm" else None
    return _offer_page(request, settings, engine, offer, code, dossier=dossier)


@router.post("/droits/r/repondre", response_class=HTMLResponse)
def answer_offer(request: Request, settings: SettingsDep, engine: EngineDep, code: Annotated[str, Form(max_length=32)],
                 choice: Annotated[str, Form(pattern="^(confirm|decline|already|call)$")]) -> HTMLResponse:
    offer, error, status = _offer_for_code(request, engine, code)
    if offer is None:
        return _code_refused(request, settings, error, code, status)
    offer, dossier, new = campaigns.answer(engine, offer.id, choice)
    message = ({"confirm": "Merci. Votre dossier est prêt : vérifiez-le ci-dessous, rien d'autre à remplir.",
                "decline": "C'est noté : vous ne serez plus relancé pour cette aide.",
                "already": "C'est noté : vous recevez déjà cette aide. Merci de nous l'avoir dit.",
                "call": "C'est noté : un travailleur social vous appellera dans les prochains jours."}[offer.answer]
               if new else "Vous aviez déjà répondu ; votre première réponse est conservée.")
    return _offer_page(request, settings, engine, offer, code, dossier=dossier, message=message)


@router.post("/droits/r/dossier", response_class=HTMLResponse)
def check_dossier(request: Request, settings: SettingsDep, engine: EngineDep, code: Annotated[str, Form(max_length=32)],
                  correct: Annotated[str, Form(pattern="^(oui|non)$")],
                  remark: Annotated[str, Form(max_length=400)] = "") -> HTMLResponse:
    offer, error, status = _offer_for_code(request, engine, code)
    if offer is None:
        return _code_refused(request, settings, error, code, status)
    try:
        dossier = campaigns.check_dossier(engine, offer.id, correct=correct == "oui", remark=remark)
    except campaigns.CampaignError as exc:
        return _offer_page(request, settings, engine, offer, code, message=str(exc), status=409)
    message = ("Votre dossier est transmis à l'organisme. Vous recevrez sa réponse."
               if dossier.status == "submitted" else
               "Merci : un agent corrigera votre dossier avec vous." if dossier.status == "to_correct"
               else "Votre dossier avait déjà été vérifié.")
    return _offer_page(request, settings, engine, offer, code, dossier=dossier, message=message)


# ---------------------------------------------------------------------------------------------
# social workers' desk


def _may(user, permission: str) -> bool:
    return user is not None and access.allowed(user.role, permission)


Reader = Annotated[User, Depends(page_require("read_person"))]
Validator = Annotated[User, Depends(page_require("validate_batch"))]


@router.get("/droits", response_model=None)
def desk(request: Request, settings: SettingsDep, engine: EngineDep, user: Reader) -> Response:
    benefit = request.query_params.get("aide") or None
    arrondissement = request.query_params.get("arrondissement") or None
    try:
        min_amount = float(request.query_params.get("minimum") or 0)
    except ValueError:
        min_amount = 0.0
    run = service.latest_run(engine)
    running, failed_job = service.screening_state(engine)
    rows, by_arr, error = [], None, None
    if run is not None:
        try:
            rows = service.findings(engine, run, benefit=benefit, arrondissement=arrondissement,
                                    min_amount=min_amount, limit=100).to_dict("records")
        except UnknownNameError as exc:
            error = str(exc)
        by_arr = service.summary_by_arrondissement(run).to_dict("records")
        access.log_access(engine, actor=user.username, role=user.role, resource="/droits", allowed=True,
                          purpose="repérage des droits non demandés (liste)")
    campaign_list = campaigns.list_campaigns(engine)[:20]
    previews = {c.id: campaigns.preview(settings, engine, c.id, limit=2) for c in campaign_list if c.status == "draft"}
    return _render(request, "droits.html", settings, user=user, run=run, running=running,
                   failed_job=None if running else failed_job, rows=rows, by_arr=by_arr, benefits=benefits(),
                   filters={"aide": benefit or "", "arrondissement": arrondissement or "", "minimum": min_amount},
                   campaigns=campaign_list, previews=previews, dashboard=campaigns.dashboard(engine),
                   may_validate=_may(user, "validate_batch"), handed=campaigns.handed_to(engine, user.username),
                   records=service.current_records(engine), error=error, status_fr=campaigns.STATUS_FR,
                   message=notice(request, "message"), non_take_up=service.non_take_up_table())




@router.post("/droits/reperage", response_model=None)
def start_screening(request: Request, settings: SettingsDep, engine: EngineDep, user: Reader,
                    month: Annotated[str, Form(pattern=r"^\d{4}-\d{2}$")],
                    incremental: Annotated[str, Form()] = "") -> Response:
    """Start a screening in a background process; the page shows its progress."""
    running, _ = service.screening_state(engine)
    if running is not None:
        return RedirectResponse("/droits?message=" + quote(f"Le repérage {running.id} est déjà en cours."), status_code=303)
    run_id = service.start_in_background(settings, engine, month=month, incremental=bool(incremental),
                                         started_by=user.username)
    return RedirectResponse("/droits?message=" + quote(f"Repérage {run_id} lancé."), status_code=303)


@router.post("/droits/campagnes", response_model=None)
def new_campaign(request: Request, engine: EngineDep, user: Reader, benefit: Annotated[str, Form()],
                 arrondissement: Annotated[str, Form()] = "", minimum: Annotated[float, Form(ge=0)] = 0,
                 limit: Annotated[int, Form(ge=1, le=100_000)] = 500) -> Response:
    try:
        c = campaigns.create_campaign(engine, benefit=benefit, arrondissements=[arrondissement] if arrondissement else None,
                                      min_amount=minimum, created_by=user.username, limit=limit)
        message = f"Campagne {c.id} créée : elle attend la validation d'un responsable."
    except (campaigns.CampaignError, UnknownNameError) as exc:
        message = f"Campagne impossible : {exc}"
    return RedirectResponse("/droits?message=" + quote(message), status_code=303)


@router.post("/droits/campagnes/{campaign_id}", response_model=None)
def decide_campaign(campaign_id: int, settings: SettingsDep, engine: EngineDep, user: Validator,
                    decision: Annotated[str, Form(pattern="^(valider|rejeter)$")],
                    reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    try:
        if decision == "valider":
            n = campaigns.validate_campaign(settings, engine, campaign_id, supervisor=user.username)
            message = f"Campagne {campaign_id} validée : {n} messages partent (recoque rights deliver)."
        else:
            campaigns.reject_campaign(engine, campaign_id, supervisor=user.username, reason=reason or "refusée")
            message = f"Campagne {campaign_id} refusée : rien n'est envoyé."
    except campaigns.CampaignError as exc:
        message = str(exc)
    return RedirectResponse("/droits?message=" + quote(message), status_code=303)


@router.post("/droits/offres/{offer_id}/accordee", response_model=None)
def granted(offer_id: int, engine: EngineDep, user: Reader) -> Response:
    try:
        campaigns.grant(engine, offer_id, agent=user.username)
        message = f"Proposition {offer_id} : aide accordée."
    except campaigns.CampaignError as exc:
        message = str(exc)
    return RedirectResponse("/droits?message=" + quote(message), status_code=303)
