"""A real browser (Debian's Chromium driven by Playwright) opens the map and switches layers."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from recoque.core.settings import PROJECT_ROOT

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("RECOQUE_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def live_server(built_settings):
    import uvicorn

    from recoque.api.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(built_settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the test server did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(live_server):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium; "
                    "or set RECOQUE_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        external: list[str] = []
        context.route("**/*", lambda route: (external.append(route.request.url), route.abort())
                      if not route.request.url.startswith(live_server) else route.continue_())
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        # a script, style or image the Content-Security-Policy blocked is an error of the page
        pg.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
        pg.external_requests = external
        pg.js_errors = errors
        yield pg
        browser.close()


class NotYet(Exception):
    """The page did not reach the awaited state in time."""


def _until(page, function: str, arg=None, timeout: float = 30.0) -> None:
    """Poll a JavaScript function until it returns true. (Playwright's wait_for_function evaluates
    strings with eval, which the platform's Content-Security-Policy rightly refuses.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(function, arg):
        if time.monotonic() > deadline:
            raise NotYet(function)
        time.sleep(0.1)


def _wait_ready(page, layer: str, level: str) -> None:
    try:
        _until(page, "([l, v]) => { const m = document.getElementById('map');"
               " return m.dataset.status === 'ready' && m.dataset.layer === l && m.dataset.level === v; }",
               [layer, level])
    except NotYet:
        state = page.evaluate("() => { const m = document.getElementById('map'); return [m.dataset.status, "
                              "m.dataset.layer, m.dataset.level, document.getElementById('info').textContent]; }")
        raise AssertionError(f"map not ready for {layer}/{level}: status, layer, level, info = {state}; "
                             f"page errors {page.js_errors}") from None


def _fills(page) -> list[str]:
    return page.eval_on_selector_all("path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))")


def test_map_draws_paris_and_switches_layers(live_server, page):
    page.goto(f"{live_server}/carte")
    _until(page, "() => document.querySelectorAll('#layer option').length > 0")
    first = page.eval_on_selector("#layer", "s => s.value")
    _wait_ready(page, first, "iris")
    fills = _fills(page)
    assert len(fills) >= 992, "every IRIS is drawn as a polygon"
    assert len(set(fills)) >= 4, "polygons are coloured by class"
    legend = page.inner_text("#legend")
    assert "non renseigné" in legend

    page.select_option("#layer", "zone_inondable")
    _wait_ready(page, "zone_inondable", "iris")
    flood_fills = _fills(page)
    assert flood_fills != fills, "switching layers recolours the map"
    assert "PPRI" in page.inner_text("#legend")

    page.select_option("#level", "arrondissement")
    _wait_ready(page, "zone_inondable", "arrondissement")
    assert 20 <= len(_fills(page)) < 100

    page.select_option("#level", "iris")
    page.select_option("#layer", "vulnerabilite_chaleur_nuit")
    _wait_ready(page, "vulnerabilite_chaleur_nuit", "arrondissement")  # offered per arrondissement only
    assert page.eval_on_selector("#level option[value=iris]", "o => o.disabled")

    page.select_option("#layer", "personnes_agees_seules")
    page.select_option("#level", "iris")
    _wait_ready(page, "personnes_agees_seules", "iris")
    page.check("#overlay-cool_places")
    _until(page, "() => document.querySelectorAll('path.leaflet-interactive').length > 1500")
    page.locator("path.leaflet-interactive").nth(400).click(force=True)
    assert "Personnes de 80 ans" in page.inner_text("#info")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "carte.png"), full_page=True)
    assert (ARTIFACTS / "carte.png").stat().st_size > 20_000
    assert page.external_requests == [], "the page asked for something outside the platform"
    assert page.js_errors == []


def test_population_validation_map(live_server, page):
    page.goto(f"{live_server}/population")
    _until(page, "() => document.getElementById('validation-map').dataset.status === 'ready'")
    assert page.locator("#validation-map path.leaflet-interactive").count() >= 992
    page.select_option("#table", "alone_80_plus")
    _until(page, "() => document.getElementById('validation-map').dataset.table === 'alone_80_plus'")
    assert "conforme" in page.inner_text("table.report")
    page.screenshot(path=str(ARTIFACTS / "population.png"), full_page=True)
    assert page.js_errors == [] and page.external_requests == []


def test_api_reference_renders_under_the_content_security_policy(live_server, page):
    page.goto(f"{live_server}/api/docs")
    try:
        _until(page, "() => document.querySelectorAll('.opblock').length > 20")
    except NotYet:
        raise AssertionError(f"{page.js_errors} {page.inner_text('body')[:500]}") from None
    assert "/api/v1/territory" in page.inner_text("#swagger-ui")
    assert page.js_errors == [] and page.external_requests == []
