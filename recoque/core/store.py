"""The store: SQLAlchemy 2 engine and sessions. SQLite under var/ by default, PostgreSQL by URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from recoque.core.errors import RecoqueError
from recoque.core.settings import get_settings

MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(RecoqueError):
    """The store cannot be reached or migrated."""


def canonical_json(value: object) -> str:
    """The one JSON text of a value (sorted keys, no spaces, UTF-8): what the store writes, and
    what the decision journal hashes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL (synchronous=NORMAL: no corruption on a crash, the
    last commits may be lost on a power cut), foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, json_serializer=canonical_json)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=canonical_json)


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise StoreError(
            f"cannot reach the store at {engine.url.render_as_string(hide_password=True)}: "
            f"{exc.orig} — check RECOQUE_DATABASE_URL"
        ) from None


def is_migrated(engine: Engine) -> bool:
    return "alembic_version" in inspect(engine).get_table_names()


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The process's engine, from settings, migrated on first use."""
    engine = create_store_engine(get_settings().sqlalchemy_url)
    migrate(engine)
    return engine


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A transaction: committed on success, rolled back on any error."""
    factory = sessionmaker(bind=engine or get_engine(), expire_on_commit=False)
    with factory() as session, session.begin():
        yield session


def detached_rows(engine: Engine, query) -> list:
    """The ORM rows a SELECT returns, detached from their session so callers can read them (closing
    the session detaches them, their columns loaded: sessions do not expire on commit)."""
    with session_scope(engine) as session:
        return list(session.scalars(query))


def detached_row(engine: Engine, query):
    """The first ORM row a SELECT returns, detached (None when there is none)."""
    with session_scope(engine) as session:
        return session.scalars(query).first()


def detached_get(engine: Engine, model: type, key):
    """The row of ``model`` with primary key ``key``, detached (None when there is none)."""
    with session_scope(engine) as session:
        return session.get(model, key)
