"""The open reads from memory: the same bytes as computed, an ETag and 304, gzip, and a new
value served within a second of the layer's change."""

from __future__ import annotations

import time

from recoque.core.layers import layer_values, replace_layer_values, value_rows
from recoque.core.store import session_scope


def test_a_read_is_computed_once_then_served_with_etag_304_and_gzip(client):
    url = "/api/v1/territory/iris"
    first = client.get(url, headers={"accept-encoding": "identity"})
    assert first.status_code == 200 and first.headers["cache-control"] == "public, max-age=60"
    etag = first.headers["etag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    zipped = client.get(url, headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == first.content  # httpx unzips
    assert int(zipped.headers["content-length"]) < len(first.content) / 3  # what actually travels
    assert zipped.headers["etag"] == etag and "content-security-policy" in zipped.headers
    # not cached: a reply that is not 200, anything personal or written
    assert "etag" not in client.get("/api/v1/layers/nope").headers
    assert "etag" not in client.get("/api/v1/heat/vigilance").headers


def test_a_changed_layer_is_served_within_a_second(client):
    engine = client.app.state.engine
    layer, url = "personnes_agees_seules", "/api/v1/layers/personnes_agees_seules?level=arrondissement"
    before = client.get(url).json()["values"]
    # the store holds the layer at every level: all of them are put back afterwards
    original = {level: layer_values(engine, layer, level) for level in ("iris", "quartier", "arrondissement")}

    def rows(by_level):
        return [row for level, values in by_level.items() for row in value_rows(layer, level, values)]

    try:
        with session_scope(engine) as session:
            replace_layer_values(session, [layer], rows({**original, "arrondissement": {
                **original["arrondissement"], "75101": 123456.0}}))
        deadline = time.monotonic() + 3
        while client.get(url).json()["values"]["75101"] != 123456.0:
            assert time.monotonic() < deadline, "the cache kept serving the old value"
            time.sleep(0.1)
    finally:
        with session_scope(engine) as session:
            replace_layer_values(session, [layer], rows(original))
    time.sleep(1.1)
    assert client.get(url).json()["values"] == before
    assert {level: layer_values(engine, layer, level) for level in original} == original
