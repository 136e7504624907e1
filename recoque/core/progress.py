"""How long work reports where it is: ``progress(step, fraction)`` with a French step name and
a fraction 0–1, drawn as a bar by the command line and as a progress box by the console."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, float], None]


def no_progress(_step: str, _fraction: float) -> None:
    """What a caller that shows no progress passes."""
