"""A small city for the heat tests: territory, a 2 % population (seed 7), its vulnerability
scores (with the synthetic REFLEX register) and the August 2003 replay as the current forecast."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from recoque.core.settings import Settings, load_settings
from recoque.core.store import create_store_engine, migrate
from recoque.governance import access
from tests.conftest import DATA_DIR

PASSWORD = "a long enough password"


@dataclass
class HeatCity:
    settings: Settings
    engine: object
    scores: object


@pytest.fixture(scope="package")
def city(tmp_path_factory) -> HeatCity:
    from recoque.heat import seasons, service
    from recoque.population.service import build_population
    from recoque.territory.service import build_territory

    var: Path = tmp_path_factory.mktemp("heat-var")
    settings = load_settings(data_dir=DATA_DIR, var_dir=var, environment="test", footprint_meter="cpu-time")
    engine = create_store_engine(settings.sqlalchemy_url)
    migrate(engine)
    build_territory(settings, engine)
    build_population(settings, engine, seed=7, scale=0.02)
    scores = service.score_population(settings, engine)
    service.load_forecast(engine, seasons.season(2003), actor="test")
    for name, role in (("cheffe", "supervisor"), ("appelant", "caller"), ("agent", "agent")):
        with contextlib.suppress(access.AccessError):
            access.create_user(engine, name, PASSWORD, role)
    return HeatCity(settings, engine, scores)
