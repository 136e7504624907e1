"""A real browser (Debian's Chromium driven by Playwright) opens the map and switches layers;
the map reads by keyboard and as a table, its arrondissements named."""

from __future__ import annotations

import pytest

from tests.web.browser import (
    ARTIFACTS,
    NotYet,
    chromium,
    live_server,
    new_page,
    step,
    until,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(built_settings):
    with live_server(built_settings) as url:
        yield url


@pytest.fixture(scope="module")
def page(base):
    with chromium(base) as context:
        yield new_page(context)


def _wait_ready(page, layer: str, level: str) -> None:
    try:
        until(page, "([l, v]) => { const m = document.getElementById('map');"
               " return m.dataset.status === 'ready' && m.dataset.layer === l && m.dataset.level === v; }",
               [layer, level])
    except NotYet:
        state = page.evaluate("() => { const m = document.getElementById('map'); return [m.dataset.status, "
                              "m.dataset.layer, m.dataset.level, document.getElementById('info').textContent]; }")
        raise AssertionError(f"map not ready for {layer}/{level}: status, layer, level, info = {state}; "
                             f"page errors {page.js_errors}") from None


def _fills(page) -> list[str]:
    return page.eval_on_selector_all("path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))")


def test_map_draws_paris_and_switches_layers(base, page):
    page.goto(f"{base}/carte")
    until(page, "() => document.querySelectorAll('#layer option').length > 0")
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
    until(page, "() => document.querySelectorAll('path.leaflet-interactive').length > 1500")
    page.locator("path.leaflet-interactive").nth(400).click(force=True)
    assert "Personnes de 80 ans" in page.inner_text("#info")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "carte.png"), full_page=True)
    assert (ARTIFACTS / "carte.png").stat().st_size > 20_000
    assert page.external_requests == [], "the page asked for something outside the platform"
    assert page.js_errors == []


def test_map_reads_by_keyboard_and_as_a_table(base, page):
    page.goto(f"{base}/carte")
    until(page, "() => document.querySelectorAll('#layer option').length > 0")
    layer = page.eval_on_selector("#layer", "s => s.value")
    _wait_ready(page, layer, "iris")
    labels = page.eval_on_selector_all(".arr-label", "els => els.map(e => e.textContent)")
    assert sorted(labels) == sorted(["1er"] + [f"{n}e" for n in range(2, 21)]), "each arrondissement named once"

    page.select_option("#level", "arrondissement")
    _wait_ready(page, layer, "arrondissement")
    page.focus("#map-table summary")
    page.keyboard.press("Enter")
    assert page.eval_on_selector("#map-table", "d => d.open"), "the table opens from the keyboard"
    rows = page.eval_on_selector_all("#values-table tbody tr",
                                     "trs => trs.map(tr => [...tr.children].map(c => c.textContent))")
    assert [r[0] for r in rows] == ["1er"] + [f"{n}e" for n in range(2, 21)]
    values = page.evaluate("async (l) => (await (await fetch('/api/v1/layers/' + l + '?level=arrondissement'))"
                           ".json()).values", layer)
    for row, code in zip(rows, [str(75100 + n) for n in range(1, 21)], strict=True):
        shown = row[2].replace("\u202f", "").replace("\u00a0", "").replace(",", ".")
        if values[code] is None:
            assert shown == "non renseigné"
        else:
            assert float(shown) == pytest.approx(values[code], abs=0.006 if values[code] < 10 else 0.51), (row, values[code])

    # the map itself takes the focus and moves with the arrow keys
    page.focus("#map")
    before = page.eval_on_selector(".leaflet-map-pane", "p => p.style.transform")
    page.keyboard.press("ArrowRight")
    until(page, "(b) => document.querySelector('.leaflet-map-pane').style.transform !== b", before)
    step(page, "carte-tableau")


def test_population_validation_map(base, page):
    page.goto(f"{base}/population")
    until(page, "() => document.getElementById('validation-map').dataset.status === 'ready'")
    assert page.locator("#validation-map path.leaflet-interactive").count() >= 992
    page.select_option("#table", "alone_80_plus")
    until(page, "() => document.getElementById('validation-map').dataset.table === 'alone_80_plus'")
    assert "conforme" in page.inner_text("table.report")
    assert len(page.eval_on_selector_all("#validation-map .arr-label", "els => els.map(e => e.textContent)")) == 20
    rows = page.eval_on_selector_all("#validation-table tbody tr", "trs => trs.map(tr => tr.lastChild.textContent)")
    assert len(rows) >= 950 and sum(r.endswith(" %") for r in rows) > 800, "each IRIS's error, as a table"
    page.screenshot(path=str(ARTIFACTS / "population.png"), full_page=True)
    assert page.js_errors == [] and page.external_requests == []


def test_api_reference_renders_under_the_content_security_policy(base, page):
    page.goto(f"{base}/api/docs")
    try:
        until(page, "() => document.querySelectorAll('.opblock').length > 20")
    except NotYet:
        raise AssertionError(f"{page.js_errors} {page.inner_text('body')[:500]}") from None
    assert "/api/v1/territory" in page.inner_text("#swagger-ui")
    assert page.js_errors == [] and page.external_requests == []
