import numpy as np
import pytest

from recoque.population.generate import generate
from recoque.population.margins import read_margins
from tests.conftest import DATA_DIR


@pytest.fixture(scope="session")
def margins():
    return read_margins(DATA_DIR)


def _generate(territory, margins, seed, scale):
    iris = territory.iris.set_index("code")
    heights = territory.arrondissement_indicators["mean_building_height_m"].reindex(margins.arrondissement)
    return generate(margins, iris_polygons=iris.geometry.reindex(margins.iris).tolist(),
                    building_height_m=heights.to_numpy(), seed=seed, scale=scale)


@pytest.fixture(scope="session")
def small(territory, margins):
    """A 5 % Paris, seed 7."""
    return _generate(territory, margins, seed=7, scale=0.05)


@pytest.fixture(scope="session")
def make_population(territory, margins):
    return lambda seed, scale: _generate(territory, margins, seed, scale)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
