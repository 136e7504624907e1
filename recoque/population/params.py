"""The population parameters (parameters.yaml), read once."""

from __future__ import annotations

from recoque.core.parameters import ParameterFile

PARAMETERS = ParameterFile(__file__, "parameters.yaml")
