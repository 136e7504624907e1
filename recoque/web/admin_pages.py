"""The administrator's page: agent accounts (add, disable, re-enable, reset a password, change a
role), every change journaled by ``recoque.governance.accounts``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from recoque.api.deps import EngineDep, SettingsDep, page_require
from recoque.api.security import notice
from recoque.governance import access, accounts
from recoque.governance.models import User
from recoque.web.pages import _render

router = APIRouter(include_in_schema=False)
Admin = Annotated[User, Depends(page_require("manage_users"))]
ERRORS_FR = {
    "at least": "Le mot de passe doit compter 12 caractères au moins.",
    "too easy to guess": "Ce mot de passe est trop facile à deviner : prenez plusieurs mots sans lien entre eux.",
    "already exists": "Un compte porte déjà cet identifiant.",
    "login name": "L'identifiant ne peut contenir que des lettres, des chiffres, des points, des tirets et des "
                  "soulignés (64 au plus).",
    "last active administrator": "C'est le dernier administrateur actif : nommez-en un autre d'abord.",
    "no account named": "Ce compte n'existe pas.",
    "role must be": "Rôle inconnu.",
}


def _fr(exc: Exception) -> str:
    return next((fr for en, fr in ERRORS_FR.items() if en in str(exc)), str(exc))


def _back(message: str = "", error: str = "") -> RedirectResponse:
    query = "&".join(x for x in (f"message={quote(message)}" if message else "",
                                 f"erreur={quote(error)}" if error else "") if x)
    return RedirectResponse("/admin/comptes" + (f"?{query}" if query else ""), status_code=303)


def _page(request: Request, settings, engine, *, new_password: dict | None = None, status: int = 200) -> Response:
    response = _render(request, "admin_comptes.html", settings, accounts=accounts.accounts(engine),
                       roles=accounts.ROLES_FR, new_password=new_password,
                       message=notice(request, "message"), error=notice(request, "erreur"))
    response.status_code = status
    return response


@router.get("/admin/comptes", response_model=None)
def accounts_page(request: Request, settings: SettingsDep, engine: EngineDep, admin: Admin) -> Response:
    return _page(request, settings, engine)


@router.post("/admin/comptes", response_model=None)
def add_account(engine: EngineDep, admin: Admin, username: Annotated[str, Form(max_length=64)],
                role: Annotated[str, Form(max_length=16)], password: Annotated[str, Form(max_length=256)]) -> Response:
    try:
        accounts.add(engine, admin.username, username.strip(), password, role)
    except access.AccessError as exc:
        return _back(error=_fr(exc))
    return _back(message=f"Compte créé : {username.strip()} ({accounts.ROLES_FR[role]}).")


@router.post("/admin/comptes/{username}/role", response_model=None)
def change_role(username: str, engine: EngineDep, admin: Admin, role: Annotated[str, Form(max_length=16)]) -> Response:
    try:
        accounts.change_role(engine, admin.username, username, role)
    except access.AccessError as exc:
        return _back(error=_fr(exc))
    return _back(message=f"{username} : {accounts.ROLES_FR[role]}.")


@router.post("/admin/comptes/{username}/{action}", response_model=None)
def switch(username: str, action: str, request: Request, settings: SettingsDep, engine: EngineDep,
           admin: Admin) -> Response:
    try:
        if action == "reinitialiser":
            password = accounts.reset_password(engine, admin.username, username)
            # shown once, on this answer only (never in a URL or a log)
            response = _page(request, settings, engine, new_password={"username": username, "password": password})
            response.headers["Cache-Control"] = "no-store"
            return response
        if action not in ("desactiver", "reactiver"):
            return _back(error="Action inconnue.")
        accounts.set_active(engine, admin.username, username, action == "reactiver")
    except access.AccessError as exc:
        return _back(error=_fr(exc))
    return _back(message=f"{username} : compte {'réactivé' if action == 'reactiver' else 'désactivé'}.")
