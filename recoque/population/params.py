"""The population parameters (parameters.yaml), read once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml


@lru_cache(maxsize=1)
def parameters() -> dict[str, Any]:
    return yaml.safe_load(Path(__file__).with_name("parameters.yaml").read_text(encoding="utf-8"))
