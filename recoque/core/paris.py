"""The City's fixed divisions, named once."""

from __future__ import annotations

#: INSEE codes of the 20 arrondissements, 75101 (1er) to 75120 (20e)
ARRONDISSEMENTS: tuple[str, ...] = tuple(f"751{k:02d}" for k in range(1, 21))
