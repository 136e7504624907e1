"""The whole schema: every capability's tables on the one declarative base.

Each capability declares its tables in its own ``models`` module; the migrations and the
schema test need them all, and only they import this module.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from recoque.core.models import Base

MODEL_MODULES = (
    "recoque.core.models",
    "recoque.territory.models",
    "recoque.governance.models",
    "recoque.rights.models",
    "recoque.outreach.models",
    "recoque.heat.models",
)


def metadata() -> MetaData:
    """The metadata of every table, once each capability's models are imported."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata
