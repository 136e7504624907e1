"""The ``recoque`` command: one group per capability, thin wrappers over library functions.

Every command and option is documented in docs/cli.md, generated from this file
(``typer recoque.cli utils docs --name recoque``) and checked by the tests.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from recoque.core.errors import RecoqueError

app = typer.Typer(
    name="recoque",
    help="Recoque: the public-service AI platform of the City of Paris.",
    no_args_is_help=True,
    add_completion=False,
)
territory_app = typer.Typer(help="The territory of Paris: boundaries, layers, raster grids.", no_args_is_help=True)
db_app = typer.Typer(help="The store (SQLite by default, PostgreSQL by RECOQUE_DATABASE_URL).", no_args_is_help=True)
app.add_typer(territory_app, name="territory")
app.add_typer(db_app, name="db")

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


def _build_territory(force: bool) -> None:
    from recoque.territory.service import build_territory

    settings = _settings()
    with console.status("Construction du territoire…") as status:
        result = build_territory(settings, _engine(), force=force,
                                 progress=lambda step: status.update(f"Territoire : {step}…"))
    if result.built:
        console.print(f"[green]Territoire construit[/] en {result.seconds:.1f} s → {result.location}")
    else:
        console.print(f"Territoire à jour (empreinte {result.digest[:12]}), rien à reconstruire.")


@territory_app.command("info")
def territory_info() -> None:
    """Load and check the territory from the data folder, and print what it holds."""
    from recoque.territory import LEVELS, load_territory
    from recoque.territory.model import published_counts

    with _friendly_errors():
        settings = _settings()
        start = time.perf_counter()
        territory = load_territory(settings.data_dir)
        seconds = time.perf_counter() - start
        table = Table(title=f"Territoire de Paris — {settings.data_dir}")
        table.add_column("couche")
        table.add_column("éléments", justify="right")
        table.add_column("publié", justify="right")
        published = published_counts()
        for level in LEVELS:
            table.add_row(level, str(len(territory.units(level))), str(published[level]["count"]))
        for name in ("trees", "cool_places", "fountains", "ppri", "communes_idf"):
            table.add_row(name, str(len(getattr(territory, name))), "")
        console.print(table)
        xmin, ymin, xmax, ymax = territory.bounds
        console.print(f"Emprise (EPSG:2154) : {xmin:.0f}, {ymin:.0f} – {xmax:.0f}, {ymax:.0f} m ; "
                      f"contrôles passés ; chargé en {seconds:.2f} s.")


@territory_app.command("build")
def territory_build(
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if the data did not change.")] = False,
) -> None:
    """Build the territory into the store and var/ (skipped when the data did not change)."""
    with _friendly_errors():
        _build_territory(force)


@territory_app.command("grid")
def territory_grid(
    resolution: Annotated[float, typer.Option("--resolution", "-r", min=1.0, max=1000.0,
                                              help="Cell size in metres.")] = 25.0,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="NetCDF file to write (default var/grids/paris_<r>m.nc).")] = None,
) -> None:
    """Rasterise the layers over Paris (EPSG:2154) and write the grid as NetCDF."""
    from recoque.territory.service import build_grid

    with _friendly_errors():
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.percentage:>3.0f} %"), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task(f"Grille {resolution:g} m", total=1.0)
            path, stats = build_grid(_settings(), _engine(), resolution_m=resolution, output=output,
                                     progress=lambda step, f: bar.update(task, completed=f,
                                                                         description=f"Grille {resolution:g} m : {step}"))
        console.print(f"[green]Grille écrite[/] → {path} ({stats['shape'][0]} × {stats['shape'][1]} cellules)")
        for name, value in stats["mean"].items():
            console.print(f"  {name} moyen : {value:.4f}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the store's migrations (Alembic) up to the latest revision."""
    with _friendly_errors():
        _engine()
        console.print("[green]Base à jour.[/]")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default RECOQUE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default RECOQUE_PORT).")] = None,
) -> None:
    """Serve the web console and the API (uvicorn)."""
    import uvicorn

    from recoque.api.app import create_app

    with _friendly_errors():
        settings = _settings()
        web = create_app(settings)
        host, port = host or settings.host, port or settings.port
        console.print(f"Recoque sert sur [bold]http://{host}:{port}[/] (Ctrl+C pour arrêter)")
        uvicorn.run(web, host=host, port=port, log_level="info")


@app.command("up")
def up(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default RECOQUE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default RECOQUE_PORT).")] = None,
) -> None:
    """Migrate the store, build what is missing, then serve the platform."""
    with _friendly_errors():
        _engine()
        _build_territory(force=False)
    serve(host=host, port=port)


def main() -> None:  # pragma: no cover - console entry point
    app()
