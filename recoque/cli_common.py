"""What every ``recoque`` command group shares: consoles, friendly errors, settings and store,
progress bars, French number format."""

from __future__ import annotations

from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from recoque.core.errors import RecoqueError
from recoque.core.typography import number

console = Console()
err_console = Console(stderr=True)


@contextmanager
def _friendly_errors():
    """Turn a RecoqueError into a red one-line message and exit status 2."""
    try:
        yield
    except RecoqueError as exc:
        err_console.print(f"[bold red]Erreur :[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


def _engine():
    from recoque.core.store import get_engine

    return get_engine()


def _settings():
    from recoque.core.settings import get_settings

    return get_settings()


def _n(value: float) -> str:
    """A count in French typography (thin spaces between thousands)."""
    return number(value)


def _d(value: float, digits: int = 2) -> str:
    """A decimal in French typography (decimal comma)."""
    return number(value, digits)


def _progress_bar(title: str):
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.percentage:>3.0f} %"), TimeElapsedColumn(), console=console)
