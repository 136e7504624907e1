"""Each role's main task, end to end in a real browser (Debian's Chromium driven by Playwright):
a resident contests a decision and reads the answer, an agent handles the contest, an admin adds
a user, a planner runs and compares two scenarios, the heat desk plans a day and a caller works
through it. axe-core runs on every page reached and on every public page; any serious or critical
violation fails. Each step's screenshot is kept under test-artifacts/."""

from __future__ import annotations

import shutil

import pytest

from recoque.core.settings import load_settings
from recoque.core.store import create_store_engine
from recoque.governance import access
from recoque.governance.explanations import issue_code
from recoque.governance.journal import Decision, append
from tests.conftest import DATA_DIR
from tests.web.browser import chromium, live_server, new_page, step, until

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def city(built_var, tmp_path_factory):
    """A copy of the shared built city (users and runs added here stay here), scored for heat,
    with the August 2003 replay as forecast, four agents, and one journaled decision whose code a
    resident received."""
    from recoque.heat import seasons
    from recoque.heat import service as heat

    var = tmp_path_factory.mktemp("walk") / "var"
    shutil.copytree(built_var, var)
    settings = load_settings(data_dir=DATA_DIR, var_dir=var, environment="test", footprint_meter="cpu-time",
                             journal_publish_seconds=0)
    engine = create_store_engine(settings.sqlalchemy_url)
    heat.score_population(settings, engine)
    heat.load_forecast(engine, seasons.season(2003), actor="test")
    for name, role in (("admin-ville", "admin"), ("agent-martin", "agent"), ("resp-durand", "supervisor"),
                       ("appel-leroy", "caller")):
        access.create_user(engine, name, PASSWORD, role)
    [entry_id] = append(engine, [Decision(
        "synthetic-population", "1.0", "P00000000000abc", inputs={"âge": 84, "vit seul": "oui"},
        output={"proposition": "appel canicule"},
        explanation={"parameters": [{"name": "âge ≥ 75 ans", "value": "oui", "weight": 1.44}]},
        validator="resp-durand")])
    code = issue_code(engine, entry_id)
    with live_server(settings) as base:
        yield settings, engine, base, code
    engine.dispose()


@pytest.fixture(scope="module")
def browser_context(city):
    _, _, base, _ = city
    with chromium(base) as context:
        yield context


@pytest.fixture
def page(browser_context):
    browser_context.clear_cookies()
    pg = new_page(browser_context)
    yield pg
    pg.close()


def _login(page, base, username, password=PASSWORD):
    page.goto(f"{base}/connexion")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/agent**")


PUBLIC_PAGES = ["/", "/carte", "/population", "/aides", "/droits/r", "/canicule/retro", "/jumeau", "/donnees",
                "/transparence", "/transparence/heat-vulnerability", "/explication", "/connexion"]


def test_every_public_page_passes_axe(city, page):
    _, _, base, _ = city
    for path in PUBLIC_PAGES:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        step(page, "public" + (path.replace("/", "-") if path != "/" else "-accueil"))
    missing = page.goto(f"{base}/cette-page-n-existe-pas")
    assert missing.status == 404 and "Page introuvable" in page.inner_text("main")
    step(page, "public-404")
    page.goto(f"{base}/api/docs")
    page.wait_for_selector(".opblock-summary")
    page.locator(".opblock-summary-control").first.click()   # one operation opened, its form and schemas shown
    page.wait_for_selector(".opblock-body")
    step(page, "public-api-docs")


def test_a_resident_asks_what_aids_they_can_get(city, page):
    _, _, base, _ = city
    page.goto(f"{base}/aides")
    page.fill("#age", "82")
    page.fill("#pension", "900")
    page.fill("#rent", "600")
    page.fill("#years_in_paris", "30")
    page.click("button:has-text('Voir mes aides')")
    page.wait_for_load_state("networkidle")
    assert "€" in page.inner_text("main")
    step(page, "resident-aides-result")


def test_a_resident_contests_an_agent_answers_the_resident_reads_it(city, page, browser_context):
    _, _, base, code = city
    page.goto(f"{base}/explication")
    page.fill("#code", code)
    page.click("button:has-text(\"Voir l'explication\")")
    assert "4. Les opérations effectuées" in page.inner_text("main")
    step(page, "resident-1-explanation")
    page.fill("#message", "Je ne vis pas seule : ma fille habite avec moi depuis mars.")
    page.click("button:has-text('Envoyer ma contestation')")
    assert "Votre contestation est enregistrée" in page.inner_text("main")
    step(page, "resident-2-contest-sent")

    browser_context.clear_cookies()
    _login(page, base, "agent-martin")
    step(page, "agent-1-queue")
    page.click("a[href^='/agent/contestations/']")
    page.click("summary:has-text(\"L'explication que le résident a lue\")")
    main = page.inner_text("main")
    assert "Je ne vis pas seule" in main and "âge ≥ 75 ans" in main   # the contest beside the decision explained
    step(page, "agent-2-case")
    page.check("input[name=outcome][value=maintenue]")
    page.fill("#reason", "Vous avez 84 ans : l'appel est proposé à toute personne de plus de 75 ans, "
                         "même accompagnée. Vous pouvez le refuser.")
    page.click("button:has-text('Enregistrer la réponse')")
    page.wait_for_load_state("networkidle")
    step(page, "agent-3-answered")

    browser_context.clear_cookies()
    page.goto(f"{base}/explication")
    page.fill("#code", code)
    page.click("button:has-text(\"Voir l'explication\")")
    main = page.inner_text("main")
    assert "Décision maintenue" in main and "par agent-martin" in main and "même accompagnée" in main
    assert "tribunal administratif" in main
    step(page, "resident-3-answer-read")


def test_an_admin_adds_a_user_who_can_then_log_in(city, page, browser_context):
    _, engine, base, _ = city
    _login(page, base, "admin-ville")
    page.click("a[href='/admin/comptes']")
    step(page, "admin-1-accounts")
    page.fill("#new-username", "agent-nouveau")
    page.select_option("#new-role", "agent")
    page.fill("#new-password", "un mot de passe assez long")
    page.click("button:has-text('Créer le compte')")
    page.wait_for_load_state("networkidle")
    assert "agent-nouveau" in page.inner_text("main")
    step(page, "admin-2-added")
    assert any(a.username == "agent-nouveau" and a.role == "agent" for a in _accounts(engine))
    browser_context.clear_cookies()
    _login(page, base, "agent-nouveau", "un mot de passe assez long")
    step(page, "admin-3-new-agent-logged-in")


def _accounts(engine):
    from recoque.governance.accounts import accounts
    return accounts(engine)


def test_a_planner_runs_two_scenarios_and_compares_them(city, page):
    settings, _, base, _ = city
    from recoque.twin import service

    _login(page, base, "agent-martin")
    page.goto(f"{base}/jumeau")
    step(page, "planner-1-twin")
    page.fill("#cote", "6.10")
    page.fill("#heures", "1")
    page.fill("#res-f", "200")
    page.click("#compose-flood button")
    page.wait_for_selector("#running")   # the progress box is there at once, before the first step
    step(page, "planner-2-flood-running")
    _wait_until_done(page, settings, service)
    page.select_option("#arr", "75119")
    page.fill("#arbres", "2000")
    page.fill("#res-h", "200")
    page.fill("#nom-h", "Arbres 19e")
    page.click("#compose-heat button")
    page.wait_for_selector("#running")
    _wait_until_done(page, settings, service)
    step(page, "planner-3-two-runs")
    runs = service.list_runs(create_store_engine(settings.sqlalchemy_url))
    heat_run, flood_run = runs[0], runs[1]
    assert heat_run.details["report"]["scenario"] == "Arbres 19e" and flood_run.details["parameters"]["stage_m"] == 6.1
    page.check(f"input[name=a][value='{flood_run.id}']")
    page.check(f"input[name=b][value='{heat_run.id}']")
    page.click("button:has-text('Comparer A et B')")
    main = page.inner_text("main")
    assert "Arbres 19e" in main and "19e" in main
    step(page, "planner-4-compared")
    page.goto(f"{base}/jumeau/simulations/{flood_run.id}")
    assert "soit une cote de" in page.inner_text("main")   # scale reading and NGF level told apart
    step(page, "planner-5-flood-result")


def _wait_until_done(page, settings, service):
    """The page reloads itself every 5 s while the run goes on; wait for the box to go."""
    until(page, "() => document.getElementById('running') === null && document.readyState === 'complete'",
          timeout=240)
    assert service.running(settings) is None


def test_the_heat_desk_plans_a_day_and_a_caller_works_through_it(city, page, browser_context):
    _, _, base, _ = city
    _login(page, base, "resp-durand")
    page.goto(f"{base}/canicule")
    step(page, "heat-1-desk")
    page.click("button[name=action][value=plan]")
    page.wait_for_load_state("networkidle")
    assert "Plan du" in page.inner_text("main")
    step(page, "heat-2-planned")
    page.goto(f"{base}/droits")
    step(page, "rights-desk")
    browser_context.clear_cookies()
    _login(page, base, "appel-leroy")
    page.goto(f"{base}/canicule/appels")
    step(page, "caller-1-calls")


def test_controls_are_big_enough_to_touch_on_a_phone(city, page):
    _, _, base, _ = city
    page.set_viewport_size(PHONE)
    for path in ("/explication", "/connexion", "/aides"):
        page.goto(base + path)
        small = page.evaluate("""() => [...document.querySelectorAll('main button, main input:not([type=hidden]), main select, header a, nav a')]
            .filter(e => e.offsetParent !== null)
            // a box to tick is touched through its label, which wraps it
            .map(e => (e.type === 'checkbox' || e.type === 'radio') && e.closest('label') ? e.closest('label') : e)
            .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
            .filter(([_, h]) => h < 44)""")
        assert small == [], f"{path}: controls under 44 px on a phone: {small}"
        step(page, "phone" + path.replace("/", "-"))
