"""What every response and every state-changing request go through: security headers, the
cross-site request check (Origin, then a token bound to the session), and the size of bodies.

One pure ASGI middleware (no per-request task, so it costs little under load) and one
dependency for the pages' forms.

- Headers: a Content-Security-Policy allowing only the platform's own scripts, styles and
  images (every asset is served locally; no inline script), ``frame-ancestors 'none'``,
  ``nosniff``, ``Referrer-Policy: same-origin`` (explanation codes never leave in a Referer),
  HSTS in production, and ``Cache-Control: no-store`` on every dynamic response that has not
  chosen its own caching (pages and API answers may hold personal data).
- Cross-site requests: a POST, PUT, PATCH or DELETE whose ``Origin`` (or, without one, whose
  ``Referer``) is not the platform's own is refused 403 before any route runs. Forms sent with
  a session cookie must also carry the session's token (``csrf`` field, or the
  ``X-CSRF-Token`` header for scripts), an HMAC of the session under ``RECOQUE_SECRET_KEY``.
- Bodies: each route has a ceiling (``BODY_LIMITS``, longest matching prefix first); a body
  over it is answered 413 in French and never read further.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlsplit, urlunsplit

from fastapi import HTTPException, Request, Response
from markupsafe import Markup, escape

from recoque.api.deps import SESSION_COOKIE, current_user, log_refusal
from recoque.core.settings import Settings
from recoque.governance import access

CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_COOKIE = "recoque_csrf"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# logging in starts a session (a leftover cookie must not block it); the Origin check covers these
NO_SESSION_TOKEN = frozenset({"/connexion", "/api/v1/auth/login"})
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
# bytes a request body may hold, by path prefix (longest first); the default covers forms and JSON
BODY_LIMITS: tuple[tuple[str, int], ...] = (
    ("/canicule/prevision", 1_100_000),       # a forecast CSV (its reader refuses over 1 MB with the reason)
    ("/api/v1/heat/forecast", 1_100_000),
    ("/api/v1/twin/runs", 256_000),           # a scenario file
    ("/jumeau/simuler", 64_000),
)
DEFAULT_BODY_LIMIT = 64_000


NOTICES = ("message", "erreur")  # the notices a page shows after a redirect


def _notice_signature(settings: Settings, path: str, values: tuple[str, ...]) -> str:
    text = "\x1f".join((path, *values))
    return hmac.new(settings.secret_key.encode(), b"notice\x1f" + text.encode(), hashlib.sha256).hexdigest()[:32]


def sign_location(settings: Settings, location: str) -> str:
    """A redirect to one of our pages carrying a notice gets its signature (``n``), so that a
    link made elsewhere cannot display an official-looking message on the platform's pages."""
    parts = urlsplit(location)
    query = parse_qs(parts.query, keep_blank_values=True)
    if parts.netloc or not any(name in query for name in NOTICES):
        return location
    values = tuple(query.get(name, [""])[0] for name in NOTICES)
    signature = _notice_signature(settings, parts.path, values)
    return urlunsplit(parts._replace(query=f"{parts.query}&n={signature}"))


def notice(request: Request, name: str) -> str | None:
    """The page's notice ``name`` if the platform itself wrote it (signed); None otherwise."""
    query = request.query_params
    if not any(query.get(n) for n in NOTICES):
        return None
    values = tuple(query.get(n, "") for n in NOTICES)
    expected = _notice_signature(request.app.state.settings, request.url.path, values)
    if not hmac.compare_digest(query.get("n", ""), expected):
        return None
    return query.get(name) or None


def csrf_token(settings: Settings, session: str) -> str:
    """The token a session's forms carry: it cannot be computed without the server's secret."""
    return hmac.new(settings.secret_key.encode(), b"csrf\x1f" + session.encode(), hashlib.sha256).hexdigest()


def csrf_field(request: Request) -> Markup:
    """The hidden input every POST form holds (empty outside a session: nothing to protect)."""
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        return Markup("")
    token = csrf_token(request.app.state.settings, session)
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">')


async def check_csrf(request: Request) -> None:
    """The app's dependency: a write sent with the session cookie carries its token (a form field or
    the X-CSRF-Token header); a client sending its token as a Bearer header needs none."""
    if request.method not in UNSAFE or request.url.path in NO_SESSION_TOKEN:
        return
    session = request.cookies.get(SESSION_COOKIE)
    if not session or request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get(CSRF_FIELD)
    expected = csrf_token(request.app.state.settings, session)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        engine = request.app.state.engine
        log_refusal(request, engine, current_user(request, engine),
                    f"refused {request.method}: form without this session's token (cross-site request?)")
        raise HTTPException(status_code=403, detail="Formulaire expiré ou venu d'un autre site : rechargez la "
                            "page et recommencez.")


def _origin(value: str) -> str | None:
    parts = urlsplit(value)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(settings: Settings, host: str | None, scheme: str) -> set[str]:
    own = {f"{scheme}://{host}".lower()} if host else set()
    if settings.public_url:
        own.add(_origin(settings.public_url) or "")
    return own


def _problem(status: int, title: str, detail: str) -> bytes:
    return json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail},
                      ensure_ascii=False).encode()


def body_limit(path: str) -> int:
    for prefix, limit in BODY_LIMITS:
        if path.startswith(prefix):
            return limit
    return DEFAULT_BODY_LIMIT


class SecurityMiddleware:
    """Security headers on every response; cross-origin writes and oversized bodies refused."""

    def __init__(self, app, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        headers = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
                   (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                   (b"cross-origin-opener-policy", b"same-origin")]
        if settings.environment == "production":
            headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        self.headers = headers

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        static = path.startswith("/static/")
        started = False

        async def send_with_headers(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                if message.get("status") in (302, 303):
                    headers = [(k, sign_location(self.settings, v.decode("latin-1")).encode("latin-1"))
                               if k.lower() == b"location" else (k, v) for k, v in headers]
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.headers if k not in names]
                if not static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        if scope["method"] in UNSAFE:
            request_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            html = "text/html" in request_headers.get("accept", "")
            refusal = self._refuse(scope, request_headers)
            if refusal is not None:
                await self._answer(send_with_headers, *refusal, html=html)
                return
            receive = self._limited(receive, body_limit(path), send_with_headers)
        try:
            await self.app(scope, receive, send_with_headers)
        except BodyTooLarge as exc:
            if started:
                raise
            await self._answer(send_with_headers, 413, "Contenu trop volumineux", str(exc), html=html)

    def _refuse(self, scope, headers: dict[str, str]) -> tuple[int, str, str] | None:
        claimed = headers.get("origin") or headers.get("referer")
        if claimed:
            origin = _origin(claimed)
            if origin not in allowed_origins(self.settings, headers.get("host"), scope.get("scheme", "http")):
                return 403, "Requête refusée", ("Cette requête vient d'un autre site que la plateforme "
                                                 f"({origin or claimed[:80]}) : elle est refusée.")
        length = headers.get("content-length")
        limit = body_limit(scope["path"])
        if length is not None and length.isdigit() and int(length) > limit:
            return 413, "Contenu trop volumineux", _too_big(limit)
        return None

    def _limited(self, receive, limit: int, send):
        """Count the bytes of a body sent without (or with a false) Content-Length."""
        seen = 0

        async def counting():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        return counting

    @staticmethod
    async def _answer(send, status: int, title: str, detail: str, *, html: bool = False) -> None:
        """A problem-details body for programs, a short French page for browsers."""
        if html:
            body = (f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}</title>'
                    f'<link rel="stylesheet" href="/static/recoque.css"></head><body><main class="page">'
                    f"<h1>{escape(title)}</h1><p>{escape(detail)}</p><p><a href=\"/\">Retour à l'accueil</a></p></main></body></html>").encode()
            kind = b"text/html; charset=utf-8"
        else:
            body, kind = _problem(status, title, detail), b"application/problem+json; charset=utf-8"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _too_big(limit: int) -> str:
    return (f"Le contenu envoyé dépasse la taille permise ici ({limit // 1000:,} ko).".replace(",", "\u202f")
            + " Envoyez un fichier plus petit.")


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; FastAPI answers it as the 413 it is."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_too_big(limit))
        self.limit = limit

    def __str__(self) -> str:
        return self.detail


def start_session(response: Response, settings: Settings, token: str) -> None:
    """The session cookie (HttpOnly, SameSite=Strict, Secure in production or behind an https public
    address) and, beside it, the session's form token in a cookie scripts may read (they send it
    back as X-CSRF-Token)."""
    secure = settings.cookies_secure
    age = access.SESSION_HOURS * 3600
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure, max_age=age)
    response.set_cookie(CSRF_COOKIE, csrf_token(settings, token), httponly=False, samesite="strict", secure=secure,
                        max_age=age)


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
