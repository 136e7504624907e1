"""Shared fixtures: the real bundled data, throwaway var/ folders, both store back-ends."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from recoque.core.settings import PROJECT_ROOT, Settings, load_settings
from recoque.core.store import create_store_engine, migrate
from recoque.territory import Territory, load_territory

DATA_DIR = PROJECT_ROOT / "data"


def pytest_configure(config):
    """Tests run with RECOQUE_ENVIRONMENT=test, which refuses the development secret: one random
    secret per test run (a test that needs another passes its own)."""
    import secrets

    os.environ.setdefault("RECOQUE_SECRET_KEY", secrets.token_urlsafe(48))
POSTGRES_URL = os.environ.get(
    "RECOQUE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def territory() -> Territory:
    return load_territory(DATA_DIR)


@pytest.fixture
def copied_data(tmp_path: Path) -> Path:
    """A writable copy of data/ that a test may damage."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def _postgres_schema_url() -> tuple[str, str]:
    """A fresh schema in the test PostgreSQL database; skip loudly when there is no server."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
    except Exception as exc:  # no server, no driver, no rights
        if os.environ.get("RECOQUE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required (RECOQUE_REQUIRE_POSTGRES=1) but unavailable: {exc}")
        pytest.skip(f"PostgreSQL unavailable at {POSTGRES_URL} ({type(exc).__name__}); "
                    "set RECOQUE_TEST_POSTGRES_URL or start PostgreSQL to run the store tests on it")
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def _drop_schema(schema: str) -> None:
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path: Path):
    """A migrated, empty store on each back-end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    url, schema = _postgres_schema_url()
    yield url
    _drop_schema(schema)


@pytest.fixture
def engine(store_url: str):
    eng = create_store_engine(store_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def settings_for(tmp_path: Path):
    def make(data_dir: Path = DATA_DIR, **overrides) -> Settings:
        overrides.setdefault("footprint_meter", "cpu-time")
        overrides.setdefault("environment", "test")
        return load_settings(data_dir=data_dir, var_dir=tmp_path / "var", **overrides)

    return make


@pytest.fixture(scope="session")
def built_var(tmp_path_factory) -> Path:
    """A var/ folder holding one territory build and a validated 5 % population (SQLite), shared
    by API, web and browser tests."""
    from recoque.population.service import build_population, validate_population
    from recoque.territory.service import build_territory

    var = tmp_path_factory.mktemp("var")
    settings = load_settings(data_dir=DATA_DIR, var_dir=var, environment="test", footprint_meter="cpu-time")
    eng = create_store_engine(settings.sqlalchemy_url)
    migrate(eng)
    build_territory(settings, eng)
    build_population(settings, eng, seed=3, scale=0.05)
    validate_population(settings, eng)
    eng.dispose()
    return var


@pytest.fixture(scope="session")
def built_settings(built_var: Path) -> Settings:
    return load_settings(data_dir=DATA_DIR, var_dir=built_var, environment="test")


@pytest.fixture(scope="session")
def client(built_settings: Settings):
    from fastapi.testclient import TestClient

    from recoque.server import create_app

    with TestClient(create_app(built_settings)) as c:
        yield c
