"""Algorithms declared in the code. Every function that runs an algorithm of the platform carries
``@algorithm(id, version)``; the register (recoque/governance/register/*.yaml) must describe each
one, and a contract test holds the two together."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class DeclaredAlgorithm:
    id: str
    version: str
    entry_point: str  # module.qualname of the decorated function


ALGORITHMS: dict[str, DeclaredAlgorithm] = {}


def algorithm(id: str, version: str) -> Callable[[F], F]:  # noqa: A002 - the register's word
    """Declare the decorated function as (the entry point of) algorithm ``id``."""

    def mark(fn: F) -> F:
        declared = DeclaredAlgorithm(id, version, f"{fn.__module__}.{fn.__qualname__}")
        previous = ALGORITHMS.get(id)
        if previous is not None and previous != declared:
            raise ValueError(f"algorithm {id!r} is declared twice ({previous.entry_point}, {declared.entry_point})")
        ALGORITHMS[id] = declared
        fn.algorithm = declared  # type: ignore[attr-defined]
        return fn

    return mark


def discover() -> dict[str, DeclaredAlgorithm]:
    """Import every module of the package so that every declaration is seen."""
    import recoque

    for module in pkgutil.walk_packages(recoque.__path__, "recoque."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    return dict(ALGORITHMS)
