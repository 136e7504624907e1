import re

import pytest
from fastapi.testclient import TestClient

from recoque.governance import access, batches
from recoque.governance.journal import Decision, verify
from recoque.server import create_app


def _decisions(n=3):
    return [Decision("synthetic-population", "1.0", f"P{i}", {"x": i}, {"offer": "aide"}, {}) for i in range(n)]


def test_nothing_is_journaled_before_validation_then_everything_is(engine):
    batch = batches.submit(engine, "synthetic-population", _decisions())
    assert verify(engine).checked == 0
    ids = batches.validate(engine, batch, supervisor="sup")
    assert len(ids) == 3 and verify(engine).checked == 3
    with pytest.raises(batches.BatchError, match="no pending batch"):
        batches.validate(engine, batch, supervisor="sup")


def test_a_rejected_batch_leaves_nothing(engine):
    batch = batches.submit(engine, "synthetic-population", _decisions())
    batches.reject(engine, batch, supervisor="sup", reason="adresses à vérifier")
    assert verify(engine).checked == 0 and batches.pending(engine) == []


def test_only_supervisors_validate(settings_for):
    with TestClient(create_app(settings_for())) as client:
        engine = client.app.state.engine
        access.create_user(engine, "sup", "a long enough password", "supervisor")
        access.create_user(engine, "ag", "a long enough password", "agent")
        batch = batches.submit(engine, "synthetic-population", _decisions(2))

        def auth(name):
            token = client.post("/api/v1/auth/login", json={"username": name, "password": "a long enough password", "bearer": True})
            return {"Authorization": f"Bearer {token.json()['token']}"}

        assert client.post(f"/api/v1/batches/{batch}/validate", headers=auth("ag")).status_code == 403
        assert len(client.get("/api/v1/batches", headers=auth("sup")).json()) == 1
        r = client.post(f"/api/v1/batches/{batch}/validate", headers=auth("sup"))
        assert r.status_code == 200 and len(r.json()["journal_entries"]) == 2
        assert client.post(f"/api/v1/batches/{batch}/validate", headers=auth("sup")).status_code == 409


def test_supervisor_decides_batches_from_the_agent_page(settings_for):
    import html

    with TestClient(create_app(settings_for())) as client:
        engine = client.app.state.engine
        access.create_user(engine, "sup2", "a long enough password", "supervisor")
        keep = batches.submit(engine, "synthetic-population", _decisions(2))
        drop = batches.submit(engine, "synthetic-population", _decisions(1))
        client.post("/connexion", data={"username": "sup2", "password": "a long enough password"})
        page = html.unescape(client.get("/agent").text)
        assert f"Lot {keep}" in page and f"Lot {drop}" in page
        token = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)  # what the page's forms carry
        assert client.post(f"/agent/lots/{keep}", data={"decision": "valider"}).status_code == 403  # without it
        r = client.post(f"/agent/lots/{keep}", data={"decision": "valider", "csrf": token})
        assert "2 sorties journalisées" in html.unescape(r.text)
        r = client.post(f"/agent/lots/{drop}", data={"decision": "rejeter", "reason": "doublons", "csrf": token})
        assert "rien n'a été envoyé" in html.unescape(r.text)
        assert verify(engine).checked == 2 and batches.pending(engine) == []
