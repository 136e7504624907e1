"""Population endpoints and pages over the shared build (5 % of Paris, validated)."""

from fastapi.testclient import TestClient

from recoque.server import create_app


def test_summary(client):
    body = client.get("/api/v1/population/summary").json()
    assert body["origin"] == "synthetic" and body["scale"] == 0.05 and body["seed"] == 3
    assert 100_000 < body["persons"] < 110_000


def test_validation_report(client):
    body = client.get("/api/v1/population/validation").json()
    assert set(body["tables"]) >= {"age", "csp", "households", "alone_80_plus", "age_sex"}
    assert body["income"]["iris_compared"] > 800


def test_population_layers_are_offered_on_the_map(client):
    ids = [layer["id"] for layer in client.get("/api/v1/layers").json()]
    assert "pop_seuls_75_plus" in ids and "pop_niveau_de_vie_median" in ids
    body = client.get("/api/v1/layers/pop_personnes", params={"level": "arrondissement"}).json()
    assert 100_000 < sum(body["values"].values()) < 110_000


def test_population_page(client):
    html = client.get("/population").text
    assert "Population de Paris" in html and "conforme" in html and "validation-map" in html


def test_no_population_yet(settings_for):
    with TestClient(create_app(settings_for())) as fresh:
        r = fresh.get("/api/v1/population/summary")
        assert r.status_code == 409 and "recoque population build" in r.json()["detail"]
        assert "Aucune population" in fresh.get("/population").text
        ids = [layer["id"] for layer in fresh.get("/api/v1/layers").json()]
        assert ids == []
