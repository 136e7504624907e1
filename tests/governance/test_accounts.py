"""Agent accounts administered from the console: each change journaled with its administrator,
a disabled account locked out at once, a reset password the only one that works, the last
administrator kept, bad input refused in French with nothing changed."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from recoque.governance import access, accounts, contests
from recoque.governance.journal import Decision, append, latest_entries, verify
from recoque.server import create_app

PASSWORD = "Velib-canal-Ourcq-2026!"


@pytest.fixture
def site(settings_for):
    with TestClient(create_app(settings_for(journal_publish_seconds=0))) as client:
        engine = client.app.state.engine
        access.create_user(engine, "chef", PASSWORD, "admin")
        access.create_user(engine, "agent-a", PASSWORD, "agent")
        yield client, engine


def _login(client, name, password=PASSWORD) -> int:
    client.cookies.clear()
    status = client.post("/connexion", data={"username": name, "password": password},
                         follow_redirects=False).status_code
    if status == 303:
        client.headers["x-csrf-token"] = client.cookies["recoque_csrf"]
    return status


def _notices(response) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'role="(?:status|alert)">([^<]*)', response.text)]


def _account(engine, name):
    return next(a for a in accounts.accounts(engine) if a.username == name)


def test_an_admin_adds_changes_resets_and_disables_and_each_act_is_journaled(site):
    client, engine = site
    assert _login(client, "chef") == 303
    assert "/admin/comptes" in client.get("/agent").text, "the admin's tools link to the accounts page"
    page = client.get("/admin/comptes")
    assert page.status_code == 200 and "agent-a" in page.text

    r = client.post("/admin/comptes", data={"username": "marie.dupont", "role": "agent",
                                            "password": "cheval agrafe batterie 42"})
    assert _notices(r) == ["Compte créé : marie.dupont (agent (dossiers, contestations, jumeau))."]
    r = client.post("/admin/comptes/marie.dupont/role", data={"role": "supervisor"})
    assert "responsable" in _notices(r)[0] and _account(engine, "marie.dupont").role == "supervisor"

    r = client.post("/admin/comptes/marie.dupont/reinitialiser")
    assert r.headers["cache-control"] == "no-store"
    [new_password] = re.findall(r"<code>([a-z2-9-]{23})</code>", r.text)
    client_b = TestClient(client.app)
    assert _login(client_b, "marie.dupont", "cheval agrafe batterie 42") == 401, "the old password is gone"
    assert _login(client_b, "marie.dupont", new_password) == 303
    assert client_b.get("/agent").status_code == 200

    r = client.post("/admin/comptes/marie.dupont/desactiver")
    assert _notices(r) == ["marie.dupont : compte désactivé."]
    assert client_b.get("/agent", follow_redirects=False).status_code == 303, "her open session ended at once"
    assert _login(client_b, "marie.dupont", new_password) == 401, "a disabled account cannot log in"
    r = client.post("/admin/comptes/marie.dupont/reactiver")
    assert _account(engine, "marie.dupont").active and _login(client_b, "marie.dupont", new_password) == 303

    acts = [(e.output["action"], e.subject, e.validator) for e in reversed(latest_entries(engine, 10))
            if e.algorithm_id == accounts.PROCEDURE]
    assert acts == [(a, "agent:marie.dupont", "chef") for a in ("add", "role", "reset", "disable", "enable")]
    role_change = next(e for e in latest_entries(engine, 10) if e.output.get("action") == "role")
    assert role_change.output["previous"] == "agent" and role_change.output["role"] == "supervisor"
    assert new_password not in str([e.output for e in latest_entries(engine, 10)]), "never written down"
    assert verify(engine).ok


def test_bad_input_is_refused_in_french_and_changes_nothing(site):
    client, engine = site
    _login(client, "chef")
    before = (accounts.accounts(engine), len(latest_entries(engine, 100)))
    cases = [
        ({"username": "agent-a", "role": "agent", "password": "cheval agrafe batterie 42"}, "déjà"),
        ({"username": "x y", "role": "agent", "password": "cheval agrafe batterie 42"}, "identifiant"),
        ({"username": "paul", "role": "agent", "password": "paris2026"}, "12 caractères"),
        ({"username": "paul", "role": "agent", "password": "motdepasse123"}, "trop facile"),
        ({"username": "paul", "role": "resident", "password": "cheval agrafe batterie 42"}, "Rôle inconnu"),
    ]
    for form, expected in cases:
        [said] = _notices(client.post("/admin/comptes", data=form))
        assert expected.lower() in said.lower(), (form, said)
    [said] = _notices(client.post("/admin/comptes/chef/desactiver"))
    assert "dernier administrateur" in said
    [said] = _notices(client.post("/admin/comptes/chef/role", data={"role": "agent"}))
    assert "dernier administrateur" in said
    [said] = _notices(client.post("/admin/comptes/personne/desactiver"))
    assert said == "Ce compte n'existe pas."
    assert (accounts.accounts(engine), len(latest_entries(engine, 100))) == before


def test_only_the_admin_manages_accounts(site):
    client, engine = site
    _login(client, "agent-a")
    assert client.get("/admin/comptes").status_code == 403
    assert client.post("/admin/comptes/agent-a/role", data={"role": "admin"}).status_code == 403
    assert _account(engine, "agent-a").role == "agent"
    client.cookies.clear()
    assert client.get("/admin/comptes", follow_redirects=False).headers["location"] == "/connexion"


def test_a_disabled_agent_is_given_no_contest(site):
    client, engine = site
    access.create_user(engine, "agent-b", PASSWORD, "agent")
    accounts.set_active(engine, "chef", "agent-a", False)
    [entry_id] = append(engine, [Decision("synthetic-population", "1.0", "P0000000000001", inputs={}, output={},
                                          explanation={})])
    from recoque.core.store import session_scope
    from recoque.governance.models import JournalEntry

    with session_scope(engine) as session:
        entry = session.get(JournalEntry, entry_id)
        session.expunge(entry)
    case = contests.open_case(engine, entry, "je conteste")
    assert case.assigned_to == "agent-b"
