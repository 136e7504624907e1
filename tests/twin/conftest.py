"""Shared by the twin tests: point the CLI at a throwaway var/ and the bundled data."""

from __future__ import annotations

import pytest

from recoque.core.settings import PROJECT_ROOT, get_settings
from recoque.core.store import get_engine


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("RECOQUE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("RECOQUE_DATA_DIR", str(PROJECT_ROOT / "data"))
    monkeypatch.setenv("RECOQUE_ENVIRONMENT", "test")
    monkeypatch.setenv("RECOQUE_FOOTPRINT_METER", "cpu-time")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()
    get_engine.cache_clear()
