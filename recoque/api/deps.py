"""Typed dependencies shared by routers and pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine

from recoque.core.settings import Settings
from recoque.governance import access
from recoque.governance.models import User


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_app_engine(request: Request) -> Engine:
    return request.app.state.engine


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_app_engine)]

SESSION_COOKIE = "recoque_session"


def session_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def client_address(request: Request) -> str:
    """The client's address: the peer's, or what a trusted proxy forwarded (RECOQUE_TRUSTED_PROXIES)."""
    return request.client.host if request.client else "unknown"


def code_entry(request: Request, code: str):
    """The journal entry a resident's code opens (None if none), guesses counted against this
    client's address and everyone's (``explanations.entry_for_code``); RateLimited past them."""
    from recoque.governance.explanations import entry_for_code

    return entry_for_code(request.app.state.engine, code, client=client_address(request),
                          global_per_hour=request.app.state.settings.code_failures_per_hour)


def current_user(request: Request, engine: EngineDep) -> User | None:
    return access.session_user(engine, session_token(request))


CurrentUser = Annotated[User | None, Depends(current_user)]


PERMISSION_FR = {
    "read_person": "consulter les dossiers des personnes", "handle_contest": "traiter les contestations",
    "validate_batch": "valider les lots et les campagnes", "manage_heat_plan": "piloter le plan canicule",
    "record_call": "passer les appels canicule", "run_twin": "lancer une simulation du jumeau",
    "read_journal": "lire le journal des décisions", "read_access_log": "lire le journal des accès",
    "read_audits": "lire les audits de biais", "use_open_data_api": "utiliser l'API des opérateurs",
    "manage_users": "gérer les comptes",
}


class Refused(Exception):
    """A request its sender may not make: 401 (not logged in) or 403 (the role lacks the permission).
    Raised only by ``authorize``, after the refusal is in the access log."""

    def __init__(self, status: int, permissions: tuple[str, ...], role: str | None) -> None:
        super().__init__(status)
        self.status, self.permissions, self.role = status, permissions, role

    def english(self) -> str:
        if self.status == 401:
            return "log in first (POST /api/v1/auth/login or /connexion)"
        return f"the role {self.role!r} may not {' or '.join(p.replace('_', ' ') for p in self.permissions)}"

    def french(self) -> str:
        if self.status == 401:
            return "Connectez-vous avec un compte d'agent."
        what = " ni ".join(PERMISSION_FR.get(p, p) for p in self.permissions) or "utiliser cette page"
        return f"Votre rôle ({self.role}) ne permet pas de {what}."


def log_refusal(request: Request, engine: Engine, user: User | None, purpose: str) -> None:
    """A refused request in the access log: who (or « anonyme »), which path, why."""
    access.log_access(engine, actor=user.username if user else "anonyme", role=user.role if user else "anonymous",
                      resource=request.url.path, allowed=False, purpose=purpose)


def authorize(request: Request, engine: Engine, user: User | None, permissions: tuple[str, ...]) -> User:
    """The one place that decides: ``user`` if logged in with one of ``permissions`` (any agent when
    none is named); otherwise the refusal is written to the access log and ``Refused`` raised."""
    if user is not None and (not permissions or any(access.allowed(user.role, p) for p in permissions)):
        return user
    needs = " or ".join(permissions) or "a login"
    log_refusal(request, engine, user, f"refused {request.method}: needs {needs}" + ("" if user else " (not logged in)"))
    raise Refused(401 if user is None else 403, permissions, user.role if user else None)


def require(*permissions: str):
    """An API dependency: the logged-in agent, if their role grants one of ``permissions``; else
    401/403 (problem JSON), the refusal logged."""

    def dependency(request: Request, engine: EngineDep, user: CurrentUser) -> User:
        try:
            return authorize(request, engine, user, permissions)
        except Refused as exc:
            raise HTTPException(status_code=exc.status, detail=exc.english()) from None

    dependency.permissions = permissions  # read by the routes × roles contract test
    return dependency


def page_require(*permissions: str):
    """A page dependency: as ``require``, but a refusal becomes the login page (401) or a French
    page saying what the role may not do (403): see the app's ``Refused`` handler."""

    def dependency(request: Request, engine: EngineDep, user: CurrentUser) -> User:
        return authorize(request, engine, user, permissions)

    dependency.permissions = permissions
    return dependency


AgentPage = Annotated[User, Depends(page_require())]  # any logged-in agent
