"""Server-rendered pages: French, and nothing loaded from outside."""

import re

import pytest


@pytest.mark.parametrize("path,needle", [
    ("/", "jumeau numérique"),
    ("/carte", "Carte de Paris"),
    ("/donnees", "Données et sources"),
])
def test_pages_render_in_french(client, path, needle):
    r = client.get(path)
    assert r.status_code == 200
    assert '<html lang="fr">' in r.text
    assert needle in r.text


@pytest.mark.parametrize("path", ["/", "/carte", "/donnees", "/population", "/transparence",
                                  "/transparence/synthetic-population", "/api/docs"])
def test_no_external_resource_is_loaded(client, path):
    html = client.get(path).text
    loaded = re.findall(r'src="([^"]+)"', html) + re.findall(r'<link[^>]*href="([^"]+)"', html)
    assert loaded, "the page loads its assets"
    for url in loaded:
        assert url.startswith("/"), f"{path} loads {url}"
        assert client.get(url).status_code == 200, url
    for url in re.findall(r'<a[^>]*href="([^"]+)"', html):
        assert url.startswith(("/", "mailto:", "#")), f"{path} links to {url}"


def test_map_script_fetches_only_local_urls(client):
    js = client.get("/static/carte.js").text
    assert "http://" not in js and "https://" not in js
    assert "tileLayer" not in js


def test_leaflet_is_served_locally(client):
    r = client.get("/static/vendor/leaflet/leaflet.js")
    assert r.status_code == 200 and "Leaflet" in r.text[:500]


def test_layers_carry_both_labels_and_the_pages_are_french(client):
    layer = client.get("/api/v1/layers").json()[0]
    assert layer["label"].startswith("Personnes") and layer["label_en"].startswith("People aged")
    assert '<html lang="fr">' in client.get("/carte").text
