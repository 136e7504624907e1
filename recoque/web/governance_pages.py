"""Residents' explanation and contest pages (access code, no login); agents' login and queue."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from recoque.api.deps import (
    AgentPage,
    EngineDep,
    SettingsDep,
    client_address,
    code_entry,
    page_require,
    session_token,
)
from recoque.api.security import end_session, notice, start_session
from recoque.governance import access, batches, contests, journal
from recoque.governance.explanations import (
    RateLimited,
    explain,
    explanation_pdf,
)
from recoque.governance.models import User
from recoque.web.errors import error_page
from recoque.web.pages import _render

router = APIRouter(include_in_schema=False)
UNKNOWN_CODE = "Ce code ne correspond à aucune décision, ou il a expiré. Vérifiez-le sur votre message."
TOO_MANY = "Trop d'essais avec ce navigateur. Réessayez dans un quart d'heure, ou appelez le 3975."


def _resolve(request: Request, engine, code: str):
    """(entry, error message) for a code; wrong and unknown codes give the same message."""
    try:
        entry = code_entry(request, code)
    except RateLimited:
        return None, TOO_MANY, 429
    if entry is None:
        return None, UNKNOWN_CODE, 404
    access.log_access(engine, actor="résident (code)", role="resident", resource="/explication",
                      subject=entry.subject, purpose="explication de sa décision", allowed=True)
    return entry, None, 200


@router.get("/explication", response_class=HTMLResponse)
def explanation_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _render(request, "explication.html", settings, explanation=None, error=None, code="")


@router.post("/explication", response_class=HTMLResponse)
def explanation_page(request: Request, settings: SettingsDep, engine: EngineDep,
                     code: Annotated[str, Form(max_length=32)]) -> HTMLResponse:
    entry, error, status = _resolve(request, engine, code)
    response = _render(request, "explication.html", settings, error=error, code=code,
                       explanation=explain(entry) if entry else None,
                       contest=contests.latest_for_entry(engine, entry.id) if entry else None,
                       outcomes=contests.OUTCOMES)
    response.status_code = status
    return response


@router.post("/explication/pdf")
def explanation_download(request: Request, engine: EngineDep, code: Annotated[str, Form(max_length=32)]) -> Response:
    entry, error, status = _resolve(request, engine, code)
    if entry is None:
        return Response(error, status_code=status, media_type="text/plain; charset=utf-8")
    return Response(explanation_pdf(explain(entry)), media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="explication.pdf"'})


@router.post("/explication/contester", response_class=HTMLResponse)
def contest(request: Request, settings: SettingsDep, engine: EngineDep, code: Annotated[str, Form(max_length=32)],
            message: Annotated[str, Form(max_length=4000)]) -> HTMLResponse:
    entry, error, status = _resolve(request, engine, code)
    if entry is None:
        response = _render(request, "explication.html", settings, explanation=None, error=error, code=code)
        response.status_code = status
        return response
    try:
        case = contests.open_case(engine, entry, message)
    except contests.ContestError as exc:
        response = _render(request, "explication.html", settings, explanation=explain(entry), error=str(exc), code=code)
        response.status_code = 400
        return response
    return _render(request, "contestation.html", settings, case=case)


@router.get("/agent/contestations/{case_id}", response_model=None)
def contest_case(case_id: int, request: Request, settings: SettingsDep, engine: EngineDep,
                 user: Annotated[User, Depends(page_require("handle_contest"))]) -> Response:
    """The assigned agent (or a supervisor) reads the case, the contested decision and its
    explanation (the read is logged), and records the outcome."""
    try:
        case = contests.get_case(engine, case_id)
    except contests.ContestError:
        return error_page(request, 404, f"Aucune contestation n° {case_id}.", "Dossier introuvable")
    if case.assigned_to != user.username and not access.allowed(user.role, "validate_batch"):
        access.log_access(engine, actor=user.username, role=user.role, resource=request.url.path, allowed=False,
                          subject=case.subject, purpose="refused: case assigned to another agent")
        return error_page(request, 403, f"Ce dossier est confié à {case.assigned_to} : seul cet agent ou un "
                          "responsable l'ouvre.", "Accès refusé")
    entry = journal.entry(engine, case.entry_id)
    access.log_access(engine, actor=user.username, role=user.role, resource=request.url.path, subject=case.subject,
                      allowed=True, purpose=f"traitement de la contestation n° {case.id}")
    return _render(request, "agent_contestation.html", settings, user=user, case=case, entry=entry,
                   explanation=explain(entry), outcomes=contests.OUTCOMES, overdue=contests.is_overdue(case),
                   may_decide=case.assigned_to == user.username and case.status == "open",
                   error=notice(request, "erreur"))


@router.post("/agent/contestations/{case_id}", response_model=None)
def decide_contest(case_id: int, engine: EngineDep, user: Annotated[User, Depends(page_require("handle_contest"))],
                   outcome: Annotated[str, Form(pattern="^(maintenue|revisee|transmise)$")],
                   reason: Annotated[str, Form(max_length=2000)] = "",
                   new_decision: Annotated[str, Form(max_length=2000)] = "") -> Response:
    from urllib.parse import quote

    try:
        contests.close_case(engine, case_id, agent=user.username, outcome=outcome, reason=reason,
                            new_decision=new_decision)
    except contests.ContestError as exc:
        return RedirectResponse(f"/agent/contestations/{case_id}?erreur={quote(_fr(str(exc)))}", status_code=303)
    message = f"Contestation n° {case_id} : {contests.OUTCOMES[outcome]}. Le résident lit la réponse avec son code."
    return RedirectResponse(f"/agent?message={quote(message)}", status_code=303)


CONTEST_ERRORS_FR = {
    "give the reason": "Écrivez le motif, en une phrase que le résident lira.",
    "a revised decision says": "Une décision révisée dit quelle est la nouvelle décision.",
    "is assigned to another agent": "Ce dossier est confié à un autre agent.",
    "no open case": "Ce dossier est déjà clos.",
}


def _fr(message: str) -> str:
    return next((fr for en, fr in CONTEST_ERRORS_FR.items() if en in message), message)


@router.get("/connexion", response_class=HTMLResponse)
def login_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _render(request, "connexion.html", settings, error=None)


@router.post("/connexion", response_model=None)
def login(request: Request, settings: SettingsDep, engine: EngineDep, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)]) -> Response:
    try:
        token = access.login(engine, username, password, client=client_address(request))
    except access.LoginThrottled as exc:
        response = _render(request, "connexion.html", settings,
                           error=f"Trop d'essais manqués : réessayez dans {-(-exc.retry_after_s // 60)} minutes.")
        response.status_code = 429
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    except access.AccessError:
        response = _render(request, "connexion.html", settings, error="Identifiant ou mot de passe incorrect.")
        response.status_code = 401
        return response
    response = RedirectResponse("/agent", status_code=303)
    start_session(response, settings, token)
    return response


@router.post("/deconnexion")
def logout(request: Request, engine: EngineDep) -> RedirectResponse:
    token = session_token(request)
    if token:
        access.logout(engine, token)
    response = RedirectResponse("/", status_code=303)
    end_session(response)
    return response


@router.get("/agent", response_model=None)
def agent_home(request: Request, settings: SettingsDep, engine: EngineDep, user: AgentPage) -> Response:
    cases = contests.queue(engine, user.username) if access.allowed(user.role, "handle_contest") else []
    watched = contests.open_cases(engine) if access.allowed(user.role, "validate_batch") else []
    pending = batches.pending(engine) if access.allowed(user.role, "validate_batch") else []
    audit = None
    if access.allowed(user.role, "read_journal"):
        from recoque.governance.bias import latest_audits
        from recoque.governance.checkpoints import verify_against_published
        from recoque.governance.journal import latest_entries
        from recoque.governance.runs import footprint_by_algorithm

        access.log_access(engine, actor=user.username, role=user.role, resource="/agent (audit)", allowed=True,
                          purpose="audit: journal, access log, bias audits, footprint")
        audit = {"verification": verify_against_published(engine, settings), "entries": latest_entries(engine, 20),
                 "log": access.access_log(engine, limit=30), "bias": latest_audits(engine),
                 "footprint": footprint_by_algorithm(engine)}
    return _render(request, "agent.html", settings, user=user, cases=cases, batches=pending, audit=audit,
                   watched=watched, overdue=contests.is_overdue,
                   watched_overdue=sum(contests.is_overdue(c) for c in watched), public_url=settings.base_url,
                   message=notice(request, "message"),
                   permissions=sorted(access.PERMISSIONS.get(user.role, ())))


@router.post("/agent/lots/{batch_id}", response_model=None)
def decide_batch(batch_id: int, request: Request, engine: EngineDep,
                 user: Annotated[User, Depends(page_require("validate_batch"))],
                 decision: Annotated[str, Form(pattern="^(valider|rejeter)$")],
                 reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    from recoque.rights.campaigns import campaign_of_batch

    campaign_id = campaign_of_batch(engine, batch_id)
    if campaign_id is not None:   # a campaign's batch: validated with its codes and messages on /droits
        return RedirectResponse("/droits?message=" + quote(f"Le lot {batch_id} est la campagne {campaign_id} : "
                                                           "validez-la ici."), status_code=303)
    try:
        if decision == "valider":
            ids = batches.validate(engine, batch_id, supervisor=user.username)
            message = f"Lot {batch_id} validé : {len(ids)} sorties journalisées."
        else:
            batches.reject(engine, batch_id, supervisor=user.username, reason=reason)
            message = f"Lot {batch_id} rejeté : rien n'a été envoyé."
    except batches.BatchError as exc:
        message = f"Lot {batch_id} : {exc}"
    return RedirectResponse(f"/agent?message={quote(message)}", status_code=303)
