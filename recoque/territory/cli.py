"""``recoque territory …``: the territory from the command line (thin wrappers over
recoque.territory)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from recoque.core.cli_support import console, friendly_errors
from recoque.core.settings import get_settings
from recoque.core.store import get_engine

territory_app = typer.Typer(help="The territory of Paris: boundaries, layers, raster grids.", no_args_is_help=True)


def build(force: bool) -> None:
    from recoque.territory.service import build_territory

    settings = get_settings()
    with console.status("Construction du territoire…") as status:
        result = build_territory(settings, get_engine(), force=force,
                                 progress=lambda step: status.update(f"Territoire : {step}…"))
    if result.built:
        console.print(f"[green]Territoire construit[/] en {result.seconds:.1f} s → {result.location}")
        console.print(f"  Empreinte du calcul des indicateurs : {result.footprint.label()}")
    else:
        console.print(f"Territoire à jour (empreinte {result.digest[:12]}), rien à reconstruire.")


@territory_app.command("info")
def territory_info() -> None:
    """Load and check the territory from the data folder, and print what it holds."""
    from recoque.territory import LEVELS, load_territory
    from recoque.territory.model import published_counts

    with friendly_errors():
        settings = get_settings()
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
    with friendly_errors():
        build(force)


@territory_app.command("grid")
def territory_grid(
    resolution: Annotated[float, typer.Option("--resolution", "-r", min=1.0, max=1000.0,
                                              help="Cell size in metres.")] = 25.0,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="NetCDF file to write (default var/grids/paris_<r>m.nc).")] = None,
) -> None:
    """Rasterise the layers over Paris (EPSG:2154) and write the grid as NetCDF."""
    from recoque.territory.service import build_grid

    with friendly_errors():
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.percentage:>3.0f} %"), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task(f"Grille {resolution:g} m", total=1.0)
            path, stats = build_grid(get_settings(), get_engine(), resolution_m=resolution, output=output,
                                     progress=lambda step, f: bar.update(task, completed=f,
                                                                         description=f"Grille {resolution:g} m : {step}"))
        console.print(f"[green]Grille écrite[/] → {path} ({stats['shape'][0]} × {stats['shape'][1]} cellules)")
        for name, value in stats["mean"].items():
            console.print(f"  {name} moyen : {value:.4f}")

