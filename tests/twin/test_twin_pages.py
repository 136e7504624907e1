"""The twin's web pages and API: read by anyone (aggregates), run by agents; a composed scenario
runs in the background with its progress; results side by side, maps drawn locally."""

from __future__ import annotations

import contextlib
import io
import re
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from recoque.core.settings import PROJECT_ROOT, load_settings
from recoque.core.store import create_store_engine, migrate
from recoque.governance import access
from recoque.server import create_app
from recoque.twin import scenarios, service

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    var = tmp_path_factory.mktemp("twin-var")
    settings = load_settings(data_dir=PROJECT_ROOT / "data", var_dir=var, environment="test", footprint_meter="cpu-time")
    engine = create_store_engine(settings.sqlalchemy_url)
    migrate(engine)
    a = service.run_heat(settings, engine, scenarios.parse(
        "name: Arbres 13e\ncomponent: urban_heat\nresolution_m: 100\nedits:\n  - plant_trees: {arrondissement: '75113', trees: 5000}\n"))
    b = service.run_seine(settings, engine, scenario="2016", hours=0.5, resolution_m=200)
    with contextlib.suppress(access.AccessError):
        access.create_user(engine, "urbaniste", PASSWORD, "agent")
        access.create_user(engine, "appel", PASSWORD, "caller")
    with TestClient(create_app(settings)) as client:
        yield settings, engine, client, a, b


def _login(client, name):
    client.cookies.clear()
    assert client.post("/connexion", data={"username": name, "password": PASSWORD}, follow_redirects=False).status_code == 303
    client.headers["x-csrf-token"] = client.cookies["recoque_csrf"]  # what the forms carry


def test_pages_show_runs_side_by_side_with_local_maps(twin):
    settings, engine, client, a, b = twin
    client.cookies.clear()
    home = client.get("/jumeau")
    assert home.status_code == 200 and "Arbres 13e" in home.text and "Connectez-vous" in home.text
    page = client.get(f"/jumeau/simulations/{a.id}")
    assert page.status_code == 200 and "habitants dont" in page.text and "précision équilibrée" in page.text
    assert "notes d'aléa de chaleur de l'Institut Paris Région de la même heure (corrélation de rang : nuit 0," in page.text
    assert page.text.count("/jumeau/carte/") == 4   # night now, night with the scenario, night and day changes
    png = client.get(f"/jumeau/carte/{a.id}/night_change.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    flood = client.get(f"/jumeau/simulations/{b.id}")
    assert "accord (intersection sur union)" in flood.text and "Pas de population" in flood.text
    # the modelled extent over the PPRI, as a picture with its legend in words
    assert 'id="etendue-ppri"' in flood.text and "dans le PPRI, non inondé par le modèle" in flood.text
    extent = client.get(f"/jumeau/carte/{b.id}/extent_vs_ppri.png")
    assert extent.status_code == 200 and extent.content[:4] == b"\x89PNG"
    assert 'id="etendue-ppri"' not in page.text   # a heat run has no flood extent
    assert "zones inondables de l'Institut Paris Région" in flood.text
    both = client.get(f"/jumeau/comparer?a={a.id}&b={b.id}")
    assert both.status_code == 200 and "Arbres 13e" in both.text and "Seine 2016" in both.text
    # counts of people are whole numbers, arrondissements named as residents name them
    table = both.text[both.text.index('id="per-arrondissement"'):]
    table = table[:table.index("</table>")]
    assert not re.search(r"\d\.\d{3}<", table), table[:500]
    assert "<td>13e</td>" in table and "75113" not in table
    missing = client.get("/jumeau/simulations/999")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"] and "Simulation introuvable" in missing.text


def test_every_map_has_its_table_and_paris_drawn_on_it(twin):
    settings, engine, client, a, b = twin
    client.cookies.clear()
    flood = client.get(f"/jumeau/simulations/{b.id}").text
    block = flood[flood.index('id="tableau-max_depth"'):]
    block = block[:block.index("</table>")]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]+)</td><td class="num">([^<]+)</td></tr>', block)
    assert [r[0] for r in rows] == ["1er"] + [f"{n}e" for n in range(2, 21)]
    # the table's flooded areas add up to the run's headline figure (same cells, river bed left out)
    total = sum(float(r[1].replace(",", ".")) for r in rows)
    assert total == pytest.approx(b.details["report"]["flooded_km2"], abs=0.011 * len(rows))
    heat = client.get(f"/jumeau/simulations/{a.id}").text
    assert heat.count('<details class="map-table"') == 4 and 'id="tableau-night_change"' in heat
    # headline figures in French: decimal commas, no exponent, footprint in French digits
    headline = flood[flood.index('id="headline"'):]
    headline = headline[:headline.index("</p>")]
    assert re.search(r"\d,\d\d km²", headline) and not re.search(r"\d\.\d", headline) and "e-" not in headline
    assert "×\u00a010" in headline   # the mass error, as 1,2 × 10⁻¹⁶
    footprint = flood[flood.index("empreinte"):flood.index("gCO2e")]
    assert not re.search(r"\d\.\d", footprint), footprint

    from PIL import Image

    from recoque.twin import basemap, maps
    plain, _ = maps.render(b.location, "max_depth")
    drawn = client.get(f"/jumeau/carte/{b.id}/max_depth.png")
    assert drawn.status_code == 200

    def outline_pixels(png: bytes) -> int:
        rgba = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
        return int((np.abs(rgba.astype(int) - basemap.OUTLINE).sum(axis=2) == 0).sum())
    assert outline_pixels(plain) == 0 and outline_pixels(drawn.content) > 2000, "arrondissement outlines drawn"


def test_the_composed_flood_is_named_in_french():
    from recoque.twin import seine
    assert seine.scenario_stage(None, 6.1)[0] == "Seine à 6,1 m (Austerlitz)"


def test_result_cells_are_french_figures():
    from recoque.web.twin_pages import figure
    assert figure(144273.929, "residents") == "144\u202f274" and figure(0.0, "vulnerable") == "0"
    assert figure(5.918, "flooded_km2") == "5,92" and figure(-1.234, "a_night_change_k") == "\u22121,23"
    assert figure(None, "residents") == "—" and figure("Seine 2016", "scenario") == "Seine 2016"


def test_api_reads_and_refuses_bad_scenarios(twin):
    settings, engine, client, a, b = twin
    client.cookies.clear()
    listed = client.get("/api/v1/twin/runs").json()
    assert {r["id"] for r in listed} >= {a.id, b.id}
    one = client.get(f"/api/v1/twin/runs/{a.id}").json()
    assert one["code_version"] and len(one["input_digest"]) == 64 and one["report"]["edits"]
    assert client.get(f"/api/v1/twin/compare?a={a.id}&b={b.id}").json()["a"]["component"] == "urban_heat"
    assert client.post("/api/v1/twin/runs", content="name: x\ncomponent: urban_heat\n",
                       headers={"content-type": "text/plain"}).status_code == 401
    _login(client, "appel")
    assert client.post("/api/v1/twin/runs", content="name: x\ncomponent: urban_heat\n",
                       headers={"content-type": "text/plain"}).status_code == 403
    _login(client, "urbaniste")
    bad = client.post("/api/v1/twin/runs", content="name: x\ncomponent: urban_heat\nfoo: 1\n",
                      headers={"content-type": "text/plain"})
    assert bad.status_code == 422 and "line 3: foo: unknown field" in bad.json()["detail"]


def test_a_composed_scenario_runs_in_the_background(twin):
    settings, engine, client, a, b = twin
    _login(client, "urbaniste")
    before = len(service.list_runs(engine))
    r = client.post("/jumeau/simuler", data={"type": "urban_heat", "arrondissement": "75119", "arbres": "2000",
                                             "toits": "1", "toit_min": "500", "resolution": "200", "nom": "Arbres 19e"},
                    follow_redirects=False)
    assert r.status_code == 303 and "Simulation%20lanc" in r.headers["location"]
    deadline = time.time() + 120
    while (len(service.list_runs(engine)) == before or service.running(settings)) and time.time() < deadline:
        time.sleep(0.5)
    newest = service.list_runs(engine)[0]
    assert newest.details["report"]["scenario"] == "Arbres 19e"
    assert (newest.details["report"]["per_arrondissement"]["75119"]["night_change_k_resident_weighted"] < 0)
    # the bundled building layer is a sample of the 13e: no roof in the 19e, and the planner is told so
    assert newest.details["report"]["edits"][1].startswith("0 toitures végétalisées (75119")
    refused = client.post("/jumeau/simuler", data={"fichier": "../../etc/passwd"}, follow_redirects=False)
    assert "erreur=" in refused.headers["location"]


def test_a_run_that_failed_in_the_background_says_why(twin):
    from datetime import UTC, datetime

    from recoque.core import jobs
    from recoque.core.models import Job
    from recoque.core.store import session_scope

    settings, engine, client, a, b = twin
    with session_scope(engine) as session:
        session.add(Job(kind=service.JOB_KIND, command=["twin", "run", "x.yaml"], status="failed", started_by="urbaniste",
                        started_at=datetime.now(UTC), ended_at=datetime.now(UTC), host=jobs.HOST, pid=None, exit_code=1,
                        log_path="", error="MemoryError: the 5 m grid needs more memory than this machine has"))
    client.cookies.clear()
    page = client.get("/jumeau").text
    assert 'id="job-failed"' in page and "Le dernier calcul a échoué" in page and "MemoryError: the 5 m grid" in page
    status = client.get("/api/v1/twin/status").json()
    assert status["running"] is None and status["last_failure"]["error"].startswith("MemoryError")
