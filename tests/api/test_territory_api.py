"""The JSON API over a built territory (TestClient)."""

import pytest
from fastapi.testclient import TestClient

from recoque.server import create_app


@pytest.mark.parametrize("level,count", [("arrondissements", 20), ("quartiers", 80), ("iris", 992)])
def test_units_as_geojson(client, level, count):
    r = client.get(f"/api/v1/territory/{level}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    doc = r.json()
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == count
    props = doc["features"][0]["properties"]
    assert {"code", "name", "arrondissement", "personnes_agees_seules", "zone_inondable"} <= set(props)


def test_units_without_geometry(client):
    r = client.get("/api/v1/territory/iris/units")
    assert r.status_code == 200
    rows = r.json()
    assert len(rows) == 992 and all(row["parent_code"] for row in rows)


def test_layers_list_in_french(client):
    layers = client.get("/api/v1/layers").json()
    ids = [layer["id"] for layer in layers]
    assert {"personnes_agees_seules", "exposition_chaleur", "arbres", "espaces_verts",
            "zone_inondable", "lieux_frais_500m"} <= set(ids)
    assert layers[0]["label"].startswith("Personnes")


def test_one_layer_at_one_level(client):
    r = client.get("/api/v1/layers/personnes_agees_seules", params={"level": "arrondissement"})
    assert r.status_code == 200
    body = r.json()
    assert body["level"] == "arrondissement" and len(body["values"]) == 20
    assert body["breaks"] == sorted(body["breaks"]) and len(body["breaks"]) >= 2
    assert 40_000 < sum(body["values"].values()) < 70_000


def test_overlays(client):
    assert len(client.get("/api/v1/overlays/cool_places").json()["features"]) == 548
    assert len(client.get("/api/v1/overlays/fountains").json()["features"]) == 1323
    assert client.get("/api/v1/overlays/context").status_code == 200


@pytest.mark.parametrize("url,status,needle", [
    ("/api/v1/layers/nope", 404, "unknown layer"),
    ("/api/v1/layers/vulnerabilite_chaleur_nuit?level=iris", 404, "only per arrondissement"),
    ("/api/v1/layers/arbres?level=region", 422, "arrondissement"),
    ("/api/v1/territory/regions", 422, "iris"),
    ("/api/v1/overlays/secret", 422, "cool_places"),
    ("/api/v1/territory/iris/units/extra", 404, "Not Found"),
])
def test_bad_parameters_get_a_clear_4xx(client, url, status, needle):
    r = client.get(url)
    assert r.status_code == status
    assert needle in r.text


def test_health_summary_and_openapi(client):
    assert client.get("/api/v1/health").json()["status"] == "ok"
    summary = client.get("/api/v1/territory/summary").json()
    assert summary["counts"]["iris"] == 992
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/layers/{layer_id}" in spec["paths"]


def test_docs_are_served_from_local_assets(client):
    html = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_before_any_build_the_api_says_what_to_do(settings_for):
    with TestClient(create_app(settings_for())) as fresh:
        r = fresh.get("/api/v1/layers/arbres")
        assert r.status_code == 409 and "recoque up" in r.json()["detail"]
        assert fresh.get("/api/v1/territory/iris").status_code == 409
        assert "pas encore construit" in fresh.get("/").text


def test_arrondissement_only_layer(client):
    body = client.get("/api/v1/layers/vulnerabilite_chaleur_nuit", params={"level": "arrondissement"}).json()
    assert body["levels"] == ["arrondissement"] and len(body["values"]) == 20
