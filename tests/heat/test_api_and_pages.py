"""Surfaces of the heat watch: who may do what, the console through the API (reads logged), the
desk and console pages, and bad forecasts refused without touching the current one or the plans."""

from __future__ import annotations

import contextlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from recoque.core.store import session_scope
from recoque.governance.models import AccessLogEntry
from recoque.heat import calls, service, vulnerability
from recoque.heat.models import HeatCall
from recoque.server import create_app
from tests.heat.conftest import PASSWORD


@pytest.fixture(scope="module")
def client(city):
    with TestClient(create_app(city.settings)) as c:
        yield c


def _login(client, name):
    client.cookies.clear()
    r = client.post("/connexion", data={"username": name, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    client.headers["x-csrf-token"] = client.cookies["recoque_csrf"]  # what the forms carry


def test_vigilance_is_open_and_shows_the_2003_alert(client):
    client.cookies.clear()
    r = client.get("/api/v1/heat/vigilance")
    assert r.status_code == 200
    body = r.json()
    assert body["episodes"][0]["start"] == "2003-08-02"
    day = next(d for d in body["days"] if d["date"] == "2003-08-06")
    assert day["level"] == 4 and day["ibm_max"] >= 34


def test_roles(client):
    client.cookies.clear()
    assert client.post("/api/v1/heat/calls/next", params={"day": "2003-08-04"}).status_code == 401
    _login(client, "agent")   # a social worker: no call console
    assert client.post("/api/v1/heat/calls/next", params={"day": "2003-08-04"}).status_code == 403
    _login(client, "appelant")   # a caller may not load forecasts nor plan
    assert client.post("/api/v1/heat/forecast/season/2003").status_code == 403
    assert client.post("/api/v1/heat/plans", json={"day": "2003-08-04"}).status_code == 403
    assert client.get("/canicule/appels").status_code == 200
    # a caller sees the teams' tasks neither on the page nor through the API
    assert client.get("/api/v1/heat/tasks").status_code == 403
    assert 'id="tasks"' not in client.get("/canicule?jour=2003-08-04").text


def test_console_through_the_api_logs_each_read(client, city):
    _login(client, "cheffe")
    r = client.post("/api/v1/heat/plans", json={"day": "2003-08-04", "operators": 1, "calls_per_operator": 20})
    assert r.status_code == 200 and r.json()["planned"] == 15
    _login(client, "appelant")
    r = client.post("/api/v1/heat/calls/next", params={"day": "2003-08-04"})
    body = r.json()
    call, situation = body["call"], body["situation"]
    assert call["rank"] == 1 and situation["registered"] == (call["kind"] == "registered")
    assert len(situation["questions"]) == 15
    assert situation["factors"] and situation["places"]["fontaine"]["distance_m"] >= 0
    with session_scope(city.engine) as session:
        logged = session.scalar(select(func.count()).select_from(AccessLogEntry).where(
            AccessLogEntry.subject == situation["person_id"], AccessLogEntry.actor == "appelant",
            AccessLogEntry.resource == "heat_call"))
    assert logged == 1
    # the same operator gets the same call back until they record it; another one gets the next
    assert client.post("/api/v1/heat/calls/next", params={"day": "2003-08-04"}).json()["call"]["id"] == call["id"]
    r = client.post(f"/api/v1/heat/calls/{call['id']}/outcome", json={"outcome": "help", "note": "courses"})
    assert r.status_code == 200 and r.json()["task"] == "help"
    assert client.post(f"/api/v1/heat/calls/{call['id']}/outcome", json={"outcome": "maybe"}).status_code == 422
    nxt = client.post("/api/v1/heat/calls/next", params={"day": "2003-08-04"}).json()["call"]
    assert nxt["id"] != call["id"] and nxt["rank"] == 2


def test_a_bad_forecast_is_refused_and_changes_nothing(client, city):
    _login(client, "cheffe")
    current = service.current_forecast(city.engine)
    with session_scope(city.engine) as session:
        planned = session.scalar(select(func.count()).select_from(HeatCall))
    r = client.post("/api/v1/heat/forecast", content="date,tmin,tmax\n2026-07-01,18,30\n2026-07-02,20,95\n",
                    headers={"content-type": "text/plain"})
    assert r.status_code == 422 and "line 3" in r.json()["detail"] and "declare unit F" in r.json()["detail"]
    r = client.post("/canicule/prevision", files={"fichier": ("prevision.csv", b"date,tmin,tmax\n2026-07-01,25,20\n", "text/csv")},
                    follow_redirects=False)
    assert r.status_code == 303 and "erreur=" in r.headers["location"]
    page = client.get(r.headers["location"])
    assert "Prévision refusée, rien n&#39;a changé" in page.text and "line 2: tmin 25.0 is above tmax 20.0" in page.text
    assert service.current_forecast(city.engine).id == current.id
    with session_scope(city.engine) as session:
        assert session.scalar(select(func.count()).select_from(HeatCall)) == planned


def test_a_huge_page_upload_gets_a_french_error_and_changes_nothing(client, city):
    _login(client, "cheffe")
    current = service.current_forecast(city.engine)
    big = b"date,tmin,tmax\n" + b"2026-07-01,18,30\n" * 400_000
    r = client.post("/canicule/prevision", files={"fichier": ("grosse.csv", big, "text/csv")}, follow_redirects=False,
                    headers={"accept": "text/html"})
    # refused before the page reads it: 413, in French, for the browser
    assert r.status_code == 413 and "trop volumineux" in r.text and r.headers["content-type"].startswith("text/html")
    assert service.current_forecast(city.engine).id == current.id
    # just over the reader's own 1 MB bound but under the route's ceiling: the page explains it
    r = client.post("/canicule/prevision", follow_redirects=False,
                    files={"fichier": ("grosse.csv", b"date,tmin,tmax\n" + b"2026-07-01,18,30\n" * 62_000, "text/csv")})
    assert r.status_code == 303 and "trop volumineux" in client.get(r.headers["location"]).text


def test_a_forecast_file_in_json_through_the_api(client, city):
    _login(client, "cheffe")
    body = ('{"departement": "75", "unit": "F", "days": [{"date": "2026-07-01", "tmin": 71, "tmax": 93},'
            '{"date": "2026-07-02", "tmin": 72, "tmax": 95}, {"date": "2026-07-03", "tmin": 73, "tmax": 97}]}')
    r = client.post("/api/v1/heat/forecast", params={"format": "json"}, content=body, headers={"content-type": "text/plain"})
    assert r.status_code == 200 and r.json()["repairs"] == ["3 day(s) converted from °F to °C"]
    days = client.get("/api/v1/heat/vigilance").json()["days"]
    assert days[0]["level"] == 4   # IBMmin 22.2 ≥ 21 and IBMmax 35.0 ≥ 31 + 4: red
    # back to the 2003 replay for the other tests
    assert client.post("/api/v1/heat/forecast/season/2003").status_code == 200


def test_desk_page_shows_curves_alert_plan_and_dashboard(client):
    _login(client, "cheffe")
    r = client.get("/canicule?jour=2003-08-04")
    assert r.status_code == 200
    assert "Alerte canicule</strong> à partir du 2 août 2003" in r.text and '<svg id="ibm-chart"' in r.text
    assert "Valider le plan du jour" in r.text and 'id="dashboard"' in r.text and "--force" not in r.text and "IRIS les plus chauds la nuit" in r.text
    assert "°C" in r.text and "Tâches des équipes" in r.text
    r = client.post("/canicule/plan", data={"jour": "2003-08-12", "operateurs": "1", "appels": "20"}, follow_redirects=False)
    assert "Plan%20du%202003-08-12" in r.headers["location"]
    r = client.get("/canicule/retro?annee=2003")
    assert "Alerte du 2 août 2003 au 12 août 2003" in r.text and 'id="retro"' in r.text
    # the chart and the risk bands, registered and not, beside the registry-only baseline
    assert '<svg id="retro-chart"' in r.text and 'id="retro-bands"' in r.text and "Jamais jointes" in r.text
    assert "registre seul" in r.text
    # the preview of a split, before the plan is validated
    r = client.post("/canicule/plan", data={"jour": "2003-08-13", "operateurs": "2", "appels": "30", "part": "30",
                                             "action": "apercu"}, follow_redirects=False)
    page = client.get(r.headers["location"])
    assert "Ce que donne ce partage" in page.text and "30 % pour les inscrits" in page.text
    assert "Jours pour tous les appeler" in page.text


def test_console_page_takes_a_call_only_on_appel_suivant_and_only_its_holder_records_it(client, city):
    from recoque.governance import access

    _login(client, "appelant")
    before = len(access.access_log(city.engine, limit=10_000))
    page = client.get("/canicule/appels?jour=2003-08-12")
    assert page.status_code == 200 and "Appel suivant" in page.text and "Questions" not in page.text
    assert calls.held_call(city.engine, day="2003-08-12", operator="appelant") is None   # nothing taken
    assert len(access.access_log(city.engine, limit=10_000)) == before                    # nothing read
    r = client.post("/canicule/appels/suivant", data={"jour": "2003-08-12"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "Questions" in page.text and "Pas de réponse" in page.text and "☎" in page.text, r.headers["location"]
    first = calls.held_call(city.engine, day="2003-08-12", operator="appelant")
    assert first is not None and ("Madame" in page.text or "Monsieur" in page.text)
    # another caller cannot record this call: 403, and the refusal is logged
    with contextlib.suppress(access.AccessError):
        access.create_user(city.engine, "appelant2", PASSWORD, "caller")
    _login(client, "appelant2")
    r = client.post(f"/canicule/appels/{first.id}", data={"resultat": "ok", "jour": "2003-08-12"}, follow_redirects=False)
    assert r.status_code == 403
    api = client.post(f"/api/v1/heat/calls/{first.id}/outcome", json={"outcome": "ok"})
    assert api.status_code == 403
    refusals = [e for e in access.access_log(city.engine, limit=50) if e.actor == "appelant2" and not e.allowed]
    assert len(refusals) >= 2
    _login(client, "appelant")
    r = client.post(f"/canicule/appels/{first.id}", data={"resultat": "medical", "jour": "2003-08-12", "note": "malaise"},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "Transmis à la cellule médicale" in page.text and "Appel suivant" in page.text


def test_the_code_in_an_sms_opens_the_explanation_of_the_score(client, city):
    import re

    from markupsafe import escape

    from recoque.outreach.models import OutboxMessage

    assert calls.queue_sms(city.settings, city.engine, day="2003-08-04") > 0
    with session_scope(city.engine) as session:
        key, body = session.execute(select(OutboxMessage.key, OutboxMessage.body)
                                    .where(OutboxMessage.key.like("heat-2003-08-04-%"))).first()
    person = key.removeprefix("heat-2003-08-04-")
    scores = service.scores_frame(city.scores).set_index("person_id")
    labels = vulnerability.factor_labels(int(scores.loc[person, "factors"]))
    code = re.search(r"code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})", body).group(1)
    client.cookies.clear()
    page = client.post("/explication", data={"code": code})
    assert page.status_code == 200
    assert "Repérage des personnes vulnérables à la chaleur" in page.text
    assert "Produit des rapports de cotes publiés" in page.text
    assert labels and all(str(escape(label)) in page.text for label in labels)
    # French sentences, not Python values: each factor with its odds ratio and source, the result
    assert "ce facteur multiplie le risque par" in page.text and "Résultat" in page.text
    assert "Inscription au registre REFLEX" in page.text
    for raw in ("inscrit_reflex", "True", "False", "[&#39;", "{&#39;"):
        assert raw not in page.text, raw


def test_the_backtest_page_is_open_to_everyone_as_its_api(client):
    client.cookies.clear()
    page = client.get("/canicule/retro?annee=2003")
    assert page.status_code == 200 and "Rétro-test" in page.text
    assert client.get("/api/v1/heat/backtest/2003").status_code == 200
