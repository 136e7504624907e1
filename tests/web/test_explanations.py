"""A resident with the code of a message: explanation (four points), PDF, contest; agents' queue."""

import html

import pytest
from fastapi.testclient import TestClient

from recoque.governance import access, contests
from recoque.governance.explanations import (
    MAX_FAILURES,
    RateLimited,
    explain,
    issue_code,
    l311_3_1_mention,
)
from recoque.governance.journal import Decision, append, verify
from recoque.server import create_app


@pytest.fixture
def setup(settings_for):
    with TestClient(create_app(settings_for())) as client:
        engine = client.app.state.engine
        access.create_user(engine, "agent-b", "a long enough password", "agent")
        access.create_user(engine, "agent-a", "a long enough password", "supervisor")
        [entry_id] = append(engine, [Decision(
            "synthetic-population", "1.0", "P00000000000abc", inputs={"âge": 84, "vit seul": "oui"},
            output={"proposition": "appel canicule"},
            explanation={"parameters": [{"name": "âge ≥ 75 ans", "value": "oui", "weight": 1.44}]},
            validator="agent-a")])
        yield client, engine, entry_id, issue_code(engine, entry_id)


def test_the_four_points_and_the_mention(setup):
    client, engine, entry_id, code = setup
    r = client.post("/explication", data={"code": code})
    assert r.status_code == 200
    text = html.unescape(r.text)
    for title in ("1. Le rôle de l'algorithme", "2. Les données utilisées", "3. Les paramètres appliqués",
                  "4. Les opérations effectuées"):
        assert title in text
    assert "âge ≥ 75 ans" in text and "(1.44)" in text and "agent-a" in text
    assert "L311-3-1" in text
    assert "L311-3-1" in l311_3_1_mention("synthetic-population")


def test_pdf(setup):
    client, _, _, code = setup
    r = client.post("/explication/pdf", data={"code": code.lower().replace("-", "")})
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and len(r.content) > 1500


def test_wrong_and_unknown_codes_look_alike_and_are_rate_limited(setup):
    client, _, _, code = setup
    wrong_code = code[:-1] + ("A" if code[-1] != "A" else "B")
    wrong = client.post("/explication", data={"code": wrong_code})
    unknown = client.post("/explication", data={"code": "ZZZZ-ZZZZ-ZZ"})
    assert wrong.status_code == unknown.status_code == 404
    # the same page, but for the code echoed back in the form
    assert wrong.text.replace(wrong_code, "") == unknown.text.replace("ZZZZ-ZZZZ-ZZ", "")
    for _ in range(10):  # retyping one typo counts once
        assert client.post("/explication", data={"code": wrong_code}).status_code == 404
    assert client.post("/explication", data={"code": code}).status_code == 200
    for i in range(MAX_FAILURES):
        client.post("/explication", data={"code": f"WRONG-CODE-{i}"})
    limited = client.post("/explication", data={"code": code})
    assert limited.status_code == 429 and "Trop d'essais" in html.unescape(limited.text)


def test_forged_forwarded_headers_change_nothing_and_a_trusted_proxy_is_believed(settings_for):
    """200 wrong codes with 200 forged X-Forwarded-For: still one address, refused after five."""
    with TestClient(create_app(settings_for(journal_publish_seconds=0))) as client:
        answers = [client.post("/explication", data={"code": f"WRONG-{i:04d}-XX"},
                               headers={"x-forwarded-for": f"10.0.{i // 250}.{i % 250}"}).status_code
                   for i in range(40)]
        assert answers[:MAX_FAILURES] == [404] * MAX_FAILURES and set(answers[MAX_FAILURES:]) == {429}
    # behind a configured proxy the forwarded address is the client's: residents behind it are told apart
    with TestClient(create_app(settings_for(journal_publish_seconds=0, trusted_proxies="testclient"))) as client:
        for i in range(3 * MAX_FAILURES):
            r = client.post("/explication", data={"code": f"WRONG-{i:04d}-YY"},
                            headers={"x-forwarded-for": f"192.0.2.{i // MAX_FAILURES}"})
            assert r.status_code == 404


def test_the_global_cap_bounds_guessing_without_locking_out_a_resident(setup, monkeypatch):
    client, engine, _, code = setup
    from recoque.governance.explanations import entry_for_code

    for i in range(4):  # four addresses, one wrong code each: the whole city's budget of 4 is spent
        assert entry_for_code(engine, f"WRONG-{i}", client=f"198.51.100.{i}", global_per_hour=4) is None
    with pytest.raises(RateLimited):  # an address that already failed may not try again
        entry_for_code(engine, "WRONG-X", client="198.51.100.1", global_per_hour=4)
    # a resident who has not failed still opens their explanation
    assert entry_for_code(engine, code, client="203.0.113.9", global_per_hour=4) is not None


def test_contest_opens_a_case_with_a_deadline_and_the_outcome_is_journaled(setup):
    client, engine, entry_id, code = setup
    r = client.post("/explication/contester", data={"code": code, "message": "Je suis déjà suivi par le CCAS."})
    assert r.status_code == 200 and "Dossier n°" in html.unescape(r.text)
    [case] = contests.queue(engine, "agent-a") + contests.queue(engine, "agent-b")
    assert case.entry_id == entry_id
    assert (case.due_at - case.opened_at).days in (28, 29, 30, 31)
    login = client.post("/connexion", data={"username": case.assigned_to, "password": "a long enough password"},
                        follow_redirects=False)
    assert login.status_code == 303
    assert "Je suis déjà suivi" in html.unescape(client.get("/agent").text)
    r = client.post(f"/api/v1/contests/{case.id}/close", json={"outcome": "revisee", "reason": "déjà accompagné",
                                                                   "new_decision": "plus d'appel canicule"},
                    headers={"x-csrf-token": client.cookies["recoque_csrf"]})
    assert r.status_code == 200
    outcome = r.json()["outcome_entry_id"]
    assert contests.queue(engine, case.assigned_to) == []
    assert verify(engine).ok
    from recoque.core.store import session_scope
    from recoque.governance.models import JournalEntry

    with session_scope(engine) as s:
        entry = s.get(JournalEntry, outcome)
        assert entry.references == entry_id and entry.validator == case.assigned_to
        assert explain(entry)["points"][0]["text"]


def test_one_open_contest_per_decision_and_the_next_steps_the_law_gives(setup):
    client, engine, _, code = setup
    first = client.post("/explication/contester", data={"code": code, "message": "Je conteste."})
    text = " ".join(html.unescape(first.text).split())
    assert first.status_code == 200 and "recours gracieux" in text and "tribunal administratif" in text
    # the CADA is named only for what it does: a refused communication
    assert "CADA) n'intervient que si l'administration refuse de vous communiquer" in text
    for _ in range(5):
        again = client.post("/explication/contester", data={"code": code, "message": "Encore."})
        assert again.status_code == 400 and "déjà contestée" in html.unescape(again.text)
    assert len(contests.queue(engine, "agent-a") + contests.queue(engine, "agent-b")) == 1


def test_an_empty_contest_is_refused(setup):
    client, _, _, code = setup
    r = client.post("/explication/contester", data={"code": code, "message": "   "})
    assert r.status_code == 400


def test_login_page_and_redirects(setup):
    client, *_ = setup
    assert client.get("/agent", follow_redirects=False).headers["location"] == "/connexion"
    bad = client.post("/connexion", data={"username": "agent-a", "password": "nope"})
    assert bad.status_code == 401 and "incorrect" in bad.text


def test_an_agent_handles_a_contest_in_the_console_and_the_resident_reads_the_answer(setup):
    from sqlalchemy import update

    from recoque.governance.models import ContestCase

    client, engine, entry_id, code = setup
    access.create_user(engine, "agent-c", "a long enough password", "agent")
    client.post("/explication/contester", data={"code": code, "message": "Je n'habite plus seul."})
    [case] = contests.queue(engine, "agent-a") + contests.queue(engine, "agent-b")

    def login(name):
        client.cookies.clear()
        assert client.post("/connexion", data={"username": name, "password": "a long enough password"},
                           follow_redirects=False).status_code == 303
        client.headers["x-csrf-token"] = client.cookies["recoque_csrf"]

    login(case.assigned_to)
    home = html.unescape(client.get("/agent").text)
    assert f'href="/agent/contestations/{case.id}"' in home
    page = html.unescape(client.get(f"/agent/contestations/{case.id}").text)
    assert "Je n'habite plus seul." in page and f"Décision n° {entry_id}" in page and "Les données utilisées" in page
    reads = [e for e in access.access_log(engine) if e.resource == f"/agent/contestations/{case.id}" and e.allowed]
    assert reads and reads[0].subject == "P00000000000abc" and reads[0].actor == case.assigned_to
    # a revised decision must say what the new one is: refused in French, nothing journaled
    r = client.post(f"/agent/contestations/{case.id}", data={"outcome": "revisee", "reason": "Situation changée."},
                    follow_redirects=False)
    assert "nouvelle décision" in html.unescape(client.get(r.headers["location"]).text)
    assert contests.latest_for_entry(engine, entry_id)[1] is None
    r = client.post(f"/agent/contestations/{case.id}", data={
        "outcome": "revisee", "reason": "Vous vivez désormais en couple.", "new_decision": "Pas d'appel canicule."},
        follow_redirects=False)
    assert r.status_code == 303 and "décision révisée" in html.unescape(client.get(r.headers["location"]).text)
    _, answer = contests.latest_for_entry(engine, entry_id)
    assert answer.references == entry_id and answer.output["new_decision"] == "Pas d'appel canicule."
    assert verify(engine).ok
    # the resident reads it with the same code, and may not open a second contest meanwhile
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    seen = html.unescape(client.post("/explication", data={"code": code}).text)
    assert "Décision révisée" in seen and "Vous vivez désormais en couple." in seen and "Pas d'appel canicule." in seen
    # another agent cannot open a case that is not theirs; a supervisor sees every open case, overdue first
    client.post("/explication/contester", data={"code": code, "message": "Et encore ceci."})
    [again] = contests.open_cases(engine)
    with engine.begin() as conn:
        conn.execute(update(ContestCase).where(ContestCase.id == again.id).values(due_at=again.opened_at.replace(year=2000)))
    login("agent-c")
    if again.assigned_to != "agent-c":
        assert client.get(f"/agent/contestations/{again.id}").status_code == 403
    login("agent-a")  # a supervisor
    board = html.unescape(client.get("/agent").text)
    assert "Contestations ouvertes (toutes)" in board and "dont 1 en retard" in board


def test_after_login_each_role_sees_the_way_to_its_tools(setup):
    client, engine, _, _ = setup
    access.create_user(engine, "appel-1", "a long enough password", "caller")
    for name, present, absent in (("appel-1", ["/canicule/appels"], ["/droits", "/jumeau"]),
                                  ("agent-b", ["/droits", "/jumeau"], ["/canicule/appels"]),
                                  ("agent-a", ["/droits", "/canicule", "/canicule/appels", "/jumeau"], [])):
        client.cookies.clear()
        client.post("/connexion", data={"username": name, "password": "a long enough password"})
        page = client.get("/agent").text
        tools = page.split('aria-label="vos outils"')[1].split("</nav>")[0]
        assert all(f'href="{p}"' in tools for p in present), (name, tools)
        assert not any(f'href="{p}"' in tools for p in absent), (name, tools)
