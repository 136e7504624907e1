"""The application: the API's routers under /api/v1 and the French pages, with local static
assets. The one module that knows both surfaces (``recoque.api`` never imports ``recoque.web``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
import xstatic.pkg.leaflet as leaflet
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import recoque
from recoque.api import (
    governance,
    heat,
    population,
    problems,
    rights,
    territory,
    transparency,
    twin,
)
from recoque.api.compression import Compression
from recoque.api.deps import Refused
from recoque.api.read_cache import ReadCache
from recoque.api.security import SecurityMiddleware, check_csrf
from recoque.core.settings import Settings, get_settings
from recoque.core.store import create_store_engine, migrate
from recoque.rights.simulation_pool import SimulationPool
from recoque.web import (
    admin_pages,
    errors,
    governance_pages,
    heat_pages,
    pages,
    rights_pages,
    twin_pages,
)

WEB = Path(__file__).resolve().parent / "web"
#: the API's routers, one per capability, and the pages' (in this order: the API's paths first)
API_ROUTERS = (territory, population, transparency, governance, rights, heat, twin)
PAGE_ROUTERS = (pages, governance_pages, rights_pages, heat_pages, twin_pages, admin_pages)
log = logging.getLogger(__name__)


def _publish_journal_heads(app: FastAPI, stop: threading.Event) -> None:
    """Sign and publish the journal's head every ``journal_publish_seconds``."""
    settings = app.state.settings
    while not stop.wait(settings.journal_publish_seconds):
        _publish_once(app)


def _publish_once(app: FastAPI) -> None:
    from recoque.governance import checkpoints

    try:
        checkpoints.publish(app.state.engine, app.state.settings)
    except Exception:  # a failed publication must not stop the server; it is logged and retried
        log.exception("could not publish the journal head")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    stop = threading.Event()
    if app.state.settings.journal_publish_seconds:
        _publish_once(app)  # at start-up, so the register page shows a head from the first request
        threading.Thread(target=_publish_journal_heads, args=(app, stop), daemon=True,
                         name="journal-heads").start()
    yield
    stop.set()
    app.state.simulations.shutdown()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (default: the process settings). Migrates the store."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Recoque",
        version=recoque.__version__,
        description="API de la plateforme d'IA de service public de la Ville de Paris. "
        "Public-service AI platform of the City of Paris.",
        docs_url=None,  # served below from local assets: no CDN
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
        lifespan=_lifespan,
        # every write sent with the session cookie carries the session's token (forms and scripts)
        dependencies=[Depends(check_csrf)],
        responses=problems.ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.engine = create_store_engine(settings.sqlalchemy_url)
    migrate(app.state.engine)
    app.state.simulations = SimulationPool(settings.simulation_workers, settings.simulation_queue)

    if settings.read_cache:  # inside the security layer: cached answers get its headers too
        app.add_middleware(ReadCache, engine=app.state.engine)
    app.add_middleware(Compression)   # outside the cache (already compressed answers pass), inside security
    app.add_middleware(SecurityMiddleware, settings=settings)
    if settings.trusted_proxies:  # outermost: the client's address is known before anything counts it
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.mount("/static/vendor/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static/vendor/swagger-ui", StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"),
              name="swagger-ui")
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    for surface in (*API_ROUTERS, *PAGE_ROUTERS):
        app.include_router(surface.router)

    @app.get("/api/v1/health", tags=["meta"], summary="Liveness and version")
    def health() -> dict:
        return {"status": "ok", "version": recoque.__version__}

    app.add_exception_handler(Refused, errors.page_refused)
    problems.install(app, error_page=errors.error_page)
    return app
