"""Agents and auditors over HTTP: 401, 403 (logged), logged reads with a purpose, journal audit."""

import contextlib

import pytest
from fastapi.testclient import TestClient

from recoque.governance import access
from recoque.governance.journal import Decision, append
from recoque.server import create_app


@pytest.fixture(scope="module")
def app_client(built_settings):
    with TestClient(create_app(built_settings)) as c:
        engine = c.app.state.engine
        for name, role in (("agent1", "agent"), ("audit1", "auditor")):
            with contextlib.suppress(access.AccessError):  # the shared store may already hold them
                access.create_user(engine, name, "a long enough password", role)
        yield c


def _login(client, name):
    r = client.post("/api/v1/auth/login", json={"username": name, "password": "a long enough password", "bearer": True})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _a_person(client):
    from recoque.population.service import current
    from recoque.population.storage import connect

    con = connect(current(client.app.state.engine).location)
    return con.execute("SELECT person_id FROM persons LIMIT 1").fetchall()[0][0]


def test_login_failure_is_401(app_client):
    r = app_client.post("/api/v1/auth/login", json={"username": "agent1", "password": "nope"})
    assert r.status_code == 401


def test_reading_a_person_needs_a_login_a_role_and_a_purpose(app_client):
    pid = _a_person(app_client)
    assert app_client.get(f"/api/v1/people/{pid}", params={"purpose": "instruction du dossier"}).status_code == 401
    agent = _login(app_client, "agent1")
    assert app_client.get(f"/api/v1/people/{pid}", headers=agent).status_code == 422  # no purpose
    r = app_client.get(f"/api/v1/people/{pid}", params={"purpose": "instruction du dossier"}, headers=agent)
    assert r.status_code == 200 and r.json()["person"]["person_id"] == pid
    auditor = _login(app_client, "audit1")
    log = app_client.get("/api/v1/audit/access-log", params={"subject": pid}, headers=auditor).json()
    assert log[0]["actor"] == "agent1" and log[0]["purpose"] == "instruction du dossier" and log[0]["allowed"]


def test_a_role_reading_what_it_may_not_gets_403_and_is_logged(app_client):
    auditor = _login(app_client, "audit1")
    pid = _a_person(app_client)
    r = app_client.get(f"/api/v1/people/{pid}", params={"purpose": "curiosité"}, headers=auditor)
    assert r.status_code == 403
    agent = _login(app_client, "agent1")
    assert app_client.get("/api/v1/audit/journal", headers=agent).status_code == 403
    log = app_client.get("/api/v1/audit/access-log", headers=auditor).json()
    refusals = [row for row in log if not row["allowed"]]
    assert {row["actor"] for row in refusals} >= {"audit1", "agent1"}


def test_auditor_reads_and_verifies_the_journal(app_client):
    engine = app_client.app.state.engine
    append(engine, [Decision("synthetic-population", "1.0", "Ptest", {"a": 1}, {"b": 2}, {})])
    auditor = _login(app_client, "audit1")
    entries = app_client.get("/api/v1/audit/journal", headers=auditor).json()
    assert entries[0]["subject"] == "Ptest"
    assert app_client.get("/api/v1/audit/journal/verify", headers=auditor).json()["ok"] is True


def test_auditor_page_shows_journal_access_log_and_footprint(app_client):
    import html

    app_client.post("/connexion", data={"username": "audit1", "password": "a long enough password"})
    page = html.unescape(app_client.get("/agent").text)
    assert "<span class=\"pass\">intègre</span>" in page and "Journal des accès" in page
    assert "synthetic-population" in page  # its footprint, from the shared build
    app_client.post("/deconnexion")
