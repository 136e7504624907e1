"""What the browser tests share: a live server on a free port, Debian's Chromium driven by
Playwright (every request outside the platform refused and recorded, every script error and
Content-Security-Policy block recorded), polling under the CSP, and axe-core's checks."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from recoque.core.settings import PROJECT_ROOT

CHROMIUM = os.environ.get("RECOQUE_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
BLOCKING_IMPACTS = ("serious", "critical")


@contextlib.contextmanager
def live_server(settings) -> Iterator[str]:
    import uvicorn

    from recoque.server import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = settings.model_copy(update={"port": port})  # the links the platform writes point here
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the test server did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def chromium(base: str, viewport: dict | None = None) -> Iterator:
    """A browser context limited to ``base``; ``new_page(context)`` opens its pages."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium; or set RECOQUE_CHROMIUM"
        if os.environ.get("RECOQUE_REQUIRE_BROWSER") == "1":   # CI: the browser tests must run, never skip
            pytest.fail(message)
        pytest.skip(message)   # a developer's machine without Chromium: said loudly by scripts/ensure-chromium
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(viewport=viewport or {"width": 1400, "height": 900}, locale="fr-FR")
        context.external_requests = []
        context.route("**/*", lambda route: (context.external_requests.append(route.request.url), route.abort())
                      if not route.request.url.startswith(base) else route.continue_())
        try:
            yield context
        finally:
            browser.close()


def new_page(context):
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    # a script, style or image the Content-Security-Policy blocked is an error of the page
    page.on("console", lambda msg: page.js_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.external_requests = context.external_requests
    return page


class NotYet(Exception):
    """The page did not reach the awaited state in time."""


def until(page, function: str, arg=None, timeout: float = 30.0) -> None:
    """Poll a JavaScript function until it returns true. (Playwright's wait_for_function evaluates
    strings with eval, which the platform's Content-Security-Policy rightly refuses.)"""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(function, arg):
                return
        except PlaywrightError as exc:   # the page reloaded itself while being asked: ask again
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise
        if time.monotonic() > deadline:
            raise NotYet(function)
        time.sleep(0.1)


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands (WCAG 2.x A and AA
    rules and best practices), one line each: rule, impact, the first elements at fault.

    axe is injected through Playwright's isolated evaluation, which the page's CSP does not
    govern; nothing of it is served by the platform."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]}).response
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + " | ".join(n["target"][0] for n in v["nodes"][:3])
            for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def step(page, name: str, *, axe: bool = True) -> None:
    """One step of a walkthrough: its screenshot kept under test-artifacts/, axe-core run on it,
    and no script error nor request outside the platform so far."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if axe:
        violations = axe_violations(page)
        assert violations == [], f"{name} ({page.url}): accessibility violations\n" + "\n".join(violations)
    assert page.js_errors == [], f"{name}: script errors {page.js_errors}"
    assert page.external_requests == [], f"{name}: requests outside the platform {page.external_requests}"
