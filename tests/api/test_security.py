"""What a hostile page, a forged request and an oversized body meet: headers, the cross-site
check (Origin, then the session's form token), cookie flags and body ceilings."""

from __future__ import annotations

import html
import re
import secrets

import pytest
from fastapi.testclient import TestClient

from recoque.governance import access, batches
from recoque.governance.journal import Decision
from recoque.server import create_app

PASSWORD = "Velib-canal-Ourcq-2026!"


@pytest.fixture
def app(settings_for):
    with TestClient(create_app(settings_for(journal_publish_seconds=0))) as client:
        access.create_user(client.app.state.engine, "sup", PASSWORD, "supervisor")
        yield client


def _batch(client) -> int:
    return batches.submit(client.app.state.engine, "synthetic-population",
                          [Decision("synthetic-population", "1.0", "P1", {"x": 1}, {"offer": "aide"}, {})])


def _login_page(client) -> str:
    assert client.post("/connexion", data={"username": "sup", "password": PASSWORD},
                       follow_redirects=False).status_code == 303
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', client.get("/agent").text).group(1)


def test_every_response_carries_the_security_headers(app):
    for path in ("/", "/api/v1/health", "/static/recoque.css", "/api/docs"):
        h = app.get(path).headers
        csp = h["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp and h["x-frame-options"] == "DENY"
        assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in h  # plain http in test: HSTS is for production
    assert app.get("/").headers["cache-control"] == "no-store"  # pages may hold personal data
    assert app.get("/static/recoque.css").headers.get("cache-control") != "no-store"
    # no page holds an inline script any more (the CSP would block it)
    for path in ("/", "/carte", "/aides", "/transparence", "/api/docs", "/connexion"):
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", app.get(path).text), path


def test_production_sets_hsts_and_secure_cookies(settings_for):
    settings = settings_for(environment="production", secret_key=secrets.token_urlsafe(48), journal_publish_seconds=0,
                            public_url="https://testserver")
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        access.create_user(client.app.state.engine, "sup", PASSWORD, "supervisor")
        assert "max-age=31536000" in client.get("/").headers["strict-transport-security"]
        r = client.post("/api/v1/auth/login", json={"username": "sup", "password": PASSWORD})
        cookies = r.headers.get_list("set-cookie")
        assert all("Secure" in c and "SameSite=strict" in c for c in cookies) and len(cookies) == 2
        assert any(c.startswith("recoque_session=") and "HttpOnly" in c for c in cookies)


def test_the_session_token_leaves_in_a_body_only_when_asked(app):
    r = app.post("/api/v1/auth/login", json={"username": "sup", "password": PASSWORD})
    assert r.status_code == 200 and "token" not in r.json() and "recoque_session" in r.cookies
    r = app.post("/api/v1/auth/login", json={"username": "sup", "password": PASSWORD, "bearer": True})
    assert len(r.json()["token"]) > 30


def test_a_cross_site_write_is_refused_before_anything_changes(app):
    token = _login_page(app)
    batch = _batch(app)
    # what a page on another site makes the browser send: the cookie, its own Origin, even a good token
    r = app.post(f"/agent/lots/{batch}", data={"decision": "valider", "csrf": token},
                 headers={"origin": "http://evil.example"}, follow_redirects=False)
    assert r.status_code == 403 and "autre site" in r.json()["detail"]
    r = app.post(f"/agent/lots/{batch}", data={"decision": "valider", "csrf": token},
                 headers={"referer": "http://evil.example/page"}, follow_redirects=False)
    assert r.status_code == 403
    assert [b.id for b in batches.pending(app.app.state.engine)] == [batch]
    # the same form from the platform's own page goes through
    r = app.post(f"/agent/lots/{batch}", data={"decision": "valider", "csrf": token},
                 headers={"origin": "http://testserver"})
    assert r.status_code == 200 and batches.pending(app.app.state.engine) == []


def test_a_form_without_the_session_token_is_refused_and_logged(app):
    _login_page(app)
    batch = _batch(app)
    for sent in ({}, {"csrf": "0" * 64}):
        r = app.post(f"/agent/lots/{batch}", data={"decision": "valider", **sent})
        assert r.status_code == 403 and "Formulaire expiré" in r.json()["detail"]
    assert [b.id for b in batches.pending(app.app.state.engine)] == [batch]
    refused = [e for e in access.access_log(app.app.state.engine) if not e.allowed]
    assert refused and refused[0].actor == "sup" and "token" in refused[0].purpose
    # a script sends it as a header, read from the cookie beside the session
    r = app.post(f"/api/v1/batches/{batch}/reject", json={"reason": "doublons"},
                 headers={"x-csrf-token": app.cookies["recoque_csrf"]})
    assert r.status_code == 200


def test_bodies_over_the_route_ceiling_get_413_in_french_and_are_not_read(app):
    r = app.post("/api/v1/rights/simulate", content=b"{" + b" " * 70_000 + b"}",
                 headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.headers["content-type"].startswith("application/problem+json")
    assert "dépasse la taille permise" in r.json()["detail"] and r.json()["status"] == 413

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(100):
            yield b" " * 1000

    r = app.post("/api/v1/rights/simulate", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "dépasse" in r.json()["detail"]


def test_logins_past_the_limit_get_429_with_retry_after_on_the_api_and_the_page(app):
    for _ in range(access.MAX_FAILURES_PER_ACCOUNT):
        assert app.post("/api/v1/auth/login", json={"username": "sup", "password": "wrong wrong"}).status_code == 401
    r = app.post("/api/v1/auth/login", json={"username": "sup", "password": PASSWORD})
    assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= 900
    page = app.post("/connexion", data={"username": "sup", "password": PASSWORD})
    assert page.status_code == 429 and "Trop d'essais" in html.unescape(page.text)


def test_a_notice_shows_only_when_the_platform_wrote_it(app):
    """A link made elsewhere (/agent?message=…) cannot put an official-looking notice on a page."""
    _login_page(app)
    forged = app.get("/agent", params={"message": "Votre compte est suspendu : appelez le 06 00 00 00 00"})
    assert forged.status_code == 200 and "suspendu" not in forged.text
    batch = _batch(app)
    r = app.post(f"/agent/lots/{batch}", data={"decision": "rejeter", "reason": "doublons",
                                               "csrf": app.cookies["recoque_csrf"]})
    assert "rien n'a été envoyé" in html.unescape(r.text)  # the page's own notices still show
    location = "/jumeau?message=Simulation%20lanc%C3%A9e"
    from recoque.api.security import sign_location

    signed = sign_location(app.app.state.settings, location)
    assert "Simulation lancée" in html.unescape(app.get(signed).text)
    assert "Simulation lancée" not in html.unescape(app.get(location).text)
    assert "Simulation lancée" not in html.unescape(app.get(signed.replace("lanc", "LANC")).text)
