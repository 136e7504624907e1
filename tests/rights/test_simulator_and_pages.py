"""The anonymous simulator (page and API, nothing stored) and the agents' desk."""

from __future__ import annotations

import contextlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from recoque.core.store import session_scope
from recoque.governance import access
from recoque.governance.models import AccessLogEntry, JournalEntry
from recoque.server import create_app

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def client(city):
    with TestClient(create_app(city.settings)) as c:
        for name, role in (("assistante", "agent"), ("auditrice", "auditor")):
            with contextlib.suppress(access.AccessError):  # the package's store may already hold them
                access.create_user(city.engine, name, "a long enough password", role)
        yield c


def _counts(engine):
    with session_scope(engine) as session:
        return (session.scalar(select(func.count()).select_from(JournalEntry)),
                session.scalar(select(func.count()).select_from(AccessLogEntry)))


def test_simulator_api_answers_and_stores_nothing(client, city):
    before = _counts(city.engine)
    r = client.post("/api/v1/rights/simulate", json={"age": 35, "children_ages": [4, 7], "salary": 900, "rent": 800})
    assert r.status_code == 200
    aids = {a["benefit"]: a for a in r.json()["aids"]}
    assert {"af", "ppa", "aide_logement"} <= set(aids) and aids["af"]["claim"]
    assert _counts(city.engine) == before
    bad = client.post("/api/v1/rights/simulate", json={"age": 200})
    assert bad.status_code == 422
    unknown = client.post("/api/v1/rights/simulate", json={"age": 30, "nationality": "x"})
    assert unknown.status_code == 422


def test_simulator_page(client):
    import re

    assert "À quelles aides ai-je droit" in client.get("/aides").text
    r = client.post("/aides", data={"age": "80", "pension": "900", "rent": "600", "tenure": "private_rent",
                                    "month": "2026-11"})
    assert r.status_code == 200 and "minimum vieillesse" in r.text and "novembre 2026" in r.text
    assert 'action="/aides#resultat"' in r.text and 'id="resultat"' in r.text      # the answer is scrolled to
    # the CSS with participation is shown with what the person pays, and never added to the total
    assert "vous payez une participation de" in r.text
    cash = [float(x.replace("\u202f", "").replace(",", ".")) for x in
            re.findall(r"<td>([\d\u202f]+,\d\d)\xa0€ par mois</td>", r.text)]
    total = re.search(r"<strong>([\d\u202f]+,\d\d)\xa0€ par mois</strong>", r.text).group(1)
    assert float(total.replace("\u202f", "").replace(",", ".")) == pytest.approx(sum(cash), abs=0.011)
    # every error is French, beside its field, and the page stays a page
    bad = client.post("/aides", data={"age": "40", "children": "deux", "rent": "500"})
    assert bad.status_code == 422 and "virgules" in bad.text and 'id="children-error"' in bad.text
    for data, field, words in (({"age": "130", "rent": "500"}, "age", "au plus 120"),
                               ({"age": "abc", "rent": "500"}, "age", "nombre entier"),
                               ({"age": "40"}, "rent", "indiquez votre loyer"),
                               ({"age": "40", "rent": "500", "partner_salary": "1200"}, "couple", "cochez"),
                               ({"age": "40", "rent": "500", "month": "1990-01"}, "month", "entre")):
        page = client.post("/aides", data=data)
        assert page.status_code == 422 and page.headers["content-type"].startswith("text/html"), data
        assert f'id="{field}-error"' in page.text and words in page.text, (data, field)
        assert "Input should" not in page.text


def _login(client, name):
    r = client.post("/connexion", data={"username": name, "password": "a long enough password"}, follow_redirects=False)
    assert r.status_code == 303
    client.headers["x-csrf-token"] = client.cookies["recoque_csrf"]  # what the forms carry


def test_desk_needs_an_agent_and_logs_the_read(client, city):
    client.cookies.clear()
    assert client.get("/droits", follow_redirects=False).status_code == 303
    _login(client, "auditrice")
    assert client.get("/droits").status_code == 403
    _login(client, "assistante")
    page = client.get("/droits?aide=ppa")
    assert page.status_code == 200 and "Droits non demandés" in page.text and "Prime d&#39;activité" in page.text
    assert "Voir sur la carte" in page.text
    log = access.access_log(city.engine, limit=5)
    assert any(e.resource == "/droits" and e.actor == "assistante" and e.allowed for e in log)
    api = client.get("/api/v1/rights/findings", params={"purpose": "préparer une campagne", "benefit": "ppa", "limit": 5})
    assert api.status_code == 200 and len(api.json()["rows"]) == 5
    assert client.get("/api/v1/rights/findings", params={"benefit": "ppa"}).status_code == 422   # no purpose
    runs = client.get("/api/v1/rights/runs").json()
    assert runs[0]["status"] == "done"
    client.cookies.clear()
    assert client.get("/api/v1/rights/findings", params={"purpose": "x" * 5}).status_code == 401


def test_the_desk_button_runs_a_screening_in_the_background(client, city):
    import time

    from recoque.rights import service

    client.cookies.clear()
    _login(client, "assistante")
    before = service.latest_run(city.engine).id
    r = client.post("/droits/reperage", data={"month": "2026-11", "incremental": "1"}, follow_redirects=False)
    assert r.status_code == 303 and "lanc" in r.headers["location"]
    page = client.get("/droits")
    assert "en cours" in page.text or service.latest_run(city.engine).id > before
    deadline = time.time() + 240
    while time.time() < deadline and service.latest_run(city.engine).id == before:
        time.sleep(1)
    latest = service.latest_run(city.engine, done=False)
    assert latest.id > before and latest.kind == "incremental" and latest.status == "done", (latest.status, latest.step)


def test_a_screening_whose_process_died_is_failed_with_its_last_words(client, city):
    from datetime import UTC, datetime

    from recoque.core import jobs
    from recoque.core.models import Job
    from recoque.rights import service

    run_id = service.start_run(city.engine, month="2026-11", kind="full")
    with session_scope(city.engine) as session:
        session.add(Job(kind=service.SCREEN_JOB, command=["rights", "screen", "--month", "2026-11", "--run-id", str(run_id)],
                        status="failed", started_by="assistante", started_at=datetime.now(UTC), host=jobs.HOST,
                        exit_code=-9, log_path="", error="Repérage : arrondissement 75118…\nKilled"))
    client.cookies.clear()
    _login(client, "assistante")
    page = client.get("/droits").text
    assert 'id="job-failed"' in page and "Killed" in page and f"Repérage {run_id} en cours" not in page
    run = service.get_run(city.engine, run_id)
    assert run.status == "failed" and run.step == "échec : Killed"
