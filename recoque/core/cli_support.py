"""What every capability's ``recoque`` command group shares: the consoles, errors turned into one
French line and exit status 2, progress bars."""

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

console = Console()
err_console = Console(stderr=True)


@contextmanager
def friendly_errors():
    """Turn a RecoqueError into a red one-line message and exit status 2."""
    try:
        yield
    except RecoqueError as exc:
        err_console.print(f"[bold red]Erreur :[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


def progress_bar(title: str) -> Progress:
    """A Rich progress bar on the console: spinner, description, bar, percentage, time elapsed."""
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.percentage:>3.0f} %"), TimeElapsedColumn(), console=console)
