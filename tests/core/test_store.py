"""The store on SQLite and on PostgreSQL: migrations, transactions."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

import recoque
from recoque.core.models import Build
from recoque.core.schema import MODEL_MODULES, metadata
from recoque.core.store import StoreError, create_store_engine, migrate, session_scope


def test_migrations_create_exactly_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata())
    assert diff == []
    assert {"builds", "territory_units", "layer_values", "alembic_version"} <= set(inspect(engine).get_table_names())


def test_every_capability_models_module_is_in_the_schema():
    root = Path(recoque.__file__).parent
    found = {"recoque." + ".".join(p.relative_to(root).with_suffix("").parts) for p in root.rglob("models.py")}
    assert found == set(MODEL_MODULES)


def test_migrate_twice_is_harmless(engine):
    migrate(engine)
    assert "builds" in inspect(engine).get_table_names()


def _build(artifact="x"):
    return Build(artifact=artifact, input_digest="d" * 64, code_version="0", location="/nowhere",
                 created_at=datetime.now(UTC), details={"n": 1})


def test_a_failed_transaction_changes_nothing(engine):
    with session_scope(engine) as session:
        session.add(_build("kept"))
    with pytest.raises(RuntimeError):
        with session_scope(engine) as session:
            session.add(_build("lost"))
            session.flush()
            raise RuntimeError("boom")
    with session_scope(engine) as session:
        names = session.scalars(select(Build.artifact)).all()
        assert names == ["kept"]
        assert session.scalar(select(func.count()).select_from(Build)) == 1


def test_json_details_round_trip(engine):
    with session_scope(engine) as session:
        session.add(_build())
    with session_scope(engine) as session:
        assert session.scalars(select(Build)).one().details == {"n": 1}


def test_unreachable_store_gives_a_clear_error():
    eng = create_store_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreError, match="RECOQUE_DATABASE_URL"):
        migrate(eng)
