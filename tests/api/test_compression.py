"""Responses compressed where that is safe: scripts and public answers yes, pages inside a
browser session no (BREACH), pictures never."""

from __future__ import annotations

import gzip

import pytest
from fastapi.testclient import TestClient

from recoque.api.deps import SESSION_COOKIE
from recoque.server import create_app


@pytest.fixture(scope="module")
def client(built_settings):
    with TestClient(create_app(built_settings)) as c:
        yield c


def _get(client, url, **cookies):
    client.cookies.clear()
    for k, v in cookies.items():
        client.cookies.set(k, v)
    return client.get(url, headers={"accept-encoding": "gzip"})


def test_scripts_and_public_answers_are_compressed(client):
    client.cookies.clear()
    with client.stream("GET", "/static/vendor/leaflet/leaflet.js", headers={"accept-encoding": "gzip"}) as script:
        sent = b"".join(script.iter_raw())
        assert script.status_code == 200 and script.headers["content-encoding"] == "gzip"
    assert len(sent) < len(gzip.decompress(sent)) / 2, "sent at less than half its size"
    page = _get(client, "/carte")
    assert page.headers["content-encoding"] == "gzip" and "Accept-Encoding" in page.headers["vary"]
    iris = _get(client, "/api/v1/territory/iris")
    assert iris.headers["content-encoding"] == "gzip" and iris.json()["features"]


def test_pages_inside_a_session_are_not_compressed(client):
    page = _get(client, "/carte", **{SESSION_COOKIE: "anything"})
    assert page.status_code == 200 and "content-encoding" not in page.headers
    small = _get(client, "/api/v1/health")
    assert "content-encoding" not in small.headers   # under a kilobyte: sent as it is
