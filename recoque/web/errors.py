"""French error pages: what a person in a browser gets instead of a problem body."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from recoque.api.deps import Refused
from recoque.web.pages import _render

PAGE_TITLES = {404: "Page introuvable", 405: "Action impossible ici", 403: "Accès refusé",
               413: "Contenu trop volumineux", 429: "Trop de demandes"}
PAGE_DETAILS = {404: "Cette adresse ne mène à aucune page de la plateforme. Vérifiez-la, ou partez de l'accueil.",
                405: "Cette page ne s'utilise pas ainsi (méthode non permise)."}


def error_page(request: Request, status: int, detail: str, title: str | None = None) -> Response:
    """A French error page in the site's layout."""
    response = _render(request, "erreur.html", request.app.state.settings,
                       title=title or PAGE_TITLES.get(status, HTTPStatus(status).phrase),
                       detail=PAGE_DETAILS.get(status, detail) if title is None else detail)
    response.status_code = status
    return response


async def page_refused(request: Request, exc: Refused) -> Response:
    """A page the role may not open: the login page for the anonymous, else a French 403 page
    naming what the role may not do."""
    if exc.status == 401:
        return RedirectResponse("/connexion", status_code=303)
    response = _render(request, "refus.html", request.app.state.settings, message=exc.french())
    response.status_code = 403
    return response
