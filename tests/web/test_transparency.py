import csv
import io


def test_register_page_lists_every_algorithm(client):
    html = client.get("/transparence").text
    assert "Registre public des algorithmes" in html
    assert "/transparence/synthetic-population" in html and "/transparence/territory-indicators" in html


def test_algorithm_page(client):
    html = client.get("/transparence/synthetic-population").text
    assert "Population synthétique de Paris" in html and "Conservation des journaux" in html
    assert "principes de Barcelone" in html
    assert client.get("/transparence/nope").status_code == 404


def test_downloads(client):
    r = client.get("/transparence/registre.json")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    ids = {e["general_information"]["id"] for e in r.json()}
    # every YAML entry of the register directory, no more, no less
    from recoque.governance.register import REGISTER_DIR

    assert ids == {path.stem for path in REGISTER_DIR.glob("*.yaml")} >= {"synthetic-population", "proactive-rights"}
    by_id = {e["general_information"]["id"]: e for e in r.json()}
    assert by_id["synthetic-population"]["footprint"]["runs"] >= 1  # the shared build ran it
    rows = list(csv.DictReader(io.StringIO(client.get("/transparence/registre.csv").text)))
    assert {row["id"] for row in rows} == ids


def test_register_api(client):
    from recoque.governance.register import REGISTER_DIR

    listed = client.get("/api/v1/register").json()
    assert len(listed) == len(list(REGISTER_DIR.glob("*.yaml"))) >= 5
    assert client.get("/api/v1/register/heat-vulnerability").json()["purpose"]["legal_basis"]
    assert client.get("/api/v1/register/territory-indicators").json()["purpose"]["legal_basis"]
    assert client.get("/api/v1/register/unknown").status_code == 404


def test_the_journal_head_is_published_signed_and_checkable_by_anyone(client):
    """The server publishes the head at start-up; anyone can check its signature with the public key."""
    import base64

    from cryptography.hazmat.primitives import serialization

    from recoque.governance.checkpoints import Checkpoint

    head = client.get("/api/v1/register/journal-head").json()
    key = serialization.load_pem_public_key(head.pop("public_key").encode())
    key.verify(base64.b64decode(head["signature"]), Checkpoint(**head).payload())  # raises if forged
    html = client.get("/transparence").text
    assert "Tête publiée du journal" in html and head["last_hash"] in html


def test_the_register_speaks_french_to_french_readers(client):
    """Every enumerated value of an entry is shown by its French label (the export keeps the codes)."""
    import html as h

    from recoque.governance.register import LABELS_FR, entries

    for e in entries().values():
        page = h.unescape(client.get(f"/transparence/{e.id}").text)
        for code in (e.status, e.ai_act.risk_category, e.bias_audit.status, e.type, *e.barcelona_principles):
            assert LABELS_FR[code] in page, (e.id, code)
        for english in ("in development", "not an AI system", "not applicable", "human agency"):
            assert english not in page, (e.id, english)
    listing = h.unescape(client.get("/transparence").text)
    assert "not an AI system" not in listing and "pas un système d'IA" in listing


def test_a_new_head_is_served_as_soon_as_it_is_published(settings_for):
    """The head changes with each publication, not with the data: never served from the read cache."""
    from fastapi.testclient import TestClient

    from recoque.governance import checkpoints
    from recoque.governance.journal import Decision, append
    from recoque.server import create_app

    settings = settings_for(journal_publish_seconds=0)
    with TestClient(create_app(settings)) as client:
        engine = client.app.state.engine
        checkpoints.publish(engine, settings)
        assert client.get("/api/v1/register/journal-head").json()["entries"] == 0
        append(engine, [Decision("synthetic-population", "1.0", "P1", {"x": 1}, {"y": 2}, {})])
        checkpoints.publish(engine, settings)
        assert client.get("/api/v1/register/journal-head").json()["entries"] == 1
