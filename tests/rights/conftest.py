"""A small city for the rights tests: territory, a 2 % population (seed 5) and one full screening
(which first makes the synthetic records), built once for the package in its own var/ folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from recoque.core.settings import Settings, load_settings
from recoque.core.store import create_store_engine, migrate
from tests.conftest import DATA_DIR

MONTH = "2026-11"


@dataclass
class RightsCity:
    settings: Settings
    engine: object
    run: object


@pytest.fixture(scope="package")
def city(tmp_path_factory) -> RightsCity:
    from recoque.population.service import build_population
    from recoque.rights.service import screen
    from recoque.territory.service import build_territory

    var: Path = tmp_path_factory.mktemp("rights-var")
    settings = load_settings(data_dir=DATA_DIR, var_dir=var, environment="test", footprint_meter="cpu-time",
                             screening_workers=2)
    engine = create_store_engine(settings.sqlalchemy_url)
    migrate(engine)
    build_territory(settings, engine)
    build_population(settings, engine, seed=5, scale=0.02)
    run = screen(settings, engine, month=MONTH, workers=2)   # the first one makes the synthetic records
    return RightsCity(settings, engine, run)
