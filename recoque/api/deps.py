"""Typed dependencies shared by routers and pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy import Engine

from recoque.core.models import User
from recoque.core.settings import Settings
from recoque.governance import access


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


def start_session(response: Response, settings: Settings, token: str) -> None:
    """The session cookie (HttpOnly, SameSite=Strict, Secure in production or behind an https public
    address) and, beside it, the session's form token in a cookie scripts may read (they send it
    back as X-CSRF-Token)."""
    from recoque.api.security import CSRF_COOKIE, csrf_token

    secure = settings.cookies_secure
    age = access.SESSION_HOURS * 3600
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure, max_age=age)
    response.set_cookie(CSRF_COOKIE, csrf_token(settings, token), httponly=False, samesite="strict", secure=secure,
                        max_age=age)


def end_session(response: Response) -> None:
    from recoque.api.security import CSRF_COOKIE

    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


def current_user(request: Request, engine: EngineDep) -> User | None:
    return access.session_user(engine, session_token(request))


CurrentUser = Annotated[User | None, Depends(current_user)]


def require(permission: str):
    """A dependency: the logged-in agent, if their role grants ``permission``; else 401/403,
    and a refusal is written to the access log."""

    def dependency(request: Request, engine: EngineDep, user: CurrentUser) -> User:
        if user is None:
            raise HTTPException(status_code=401, detail="log in first (POST /api/v1/auth/login or /connexion)")
        if not access.allowed(user.role, permission):
            access.log_access(engine, actor=user.username, role=user.role, resource=request.url.path,
                              allowed=False, purpose=f"refused: needs {permission}")
            raise HTTPException(status_code=403, detail=f"the role {user.role!r} may not {permission.replace('_', ' ')}")
        return user

    return dependency
