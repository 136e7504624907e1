"""``recoque population …``: the population from the command line (thin wrappers over
recoque.population)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from recoque.core.cli_support import console, friendly_errors, progress_bar
from recoque.core.settings import get_settings
from recoque.core.store import get_engine
from recoque.core.typography import number, percent

population_app = typer.Typer(help="The population of Paris: synthetic (calibrated on INSEE and Filosofi) or real records.",
                              no_args_is_help=True)


def build(seed: int | None, scale: float | None, force: bool) -> None:
    from recoque.population.service import build_population

    with progress_bar("Population") as bar:
        task = bar.add_task("Population", total=1.0)
        result = build_population(get_settings(), get_engine(), seed=seed, scale=scale, force=force,
                                  progress=lambda step, f: bar.update(task, completed=f,
                                                                      description=f"Population : {step}"))
    if result.built:
        rate = result.persons / result.seconds if result.seconds else 0
        console.print(f"[green]Population construite[/] : {number(result.persons)} personnes, {number(result.households)} "
                      f"ménages en {result.seconds:.1f} s ({number(rate)} personnes/s) → {result.location}")
        if result.footprint:
            console.print(f"  Empreinte : {result.footprint.label()}")
    else:
        console.print("Population à jour (même graine, même échelle, mêmes sources), rien à reconstruire.")


def validate() -> None:
    from recoque.population.service import validate_population

    with console.status("Validation de la population…"):
        report, path = validate_population(get_settings(), get_engine())
    table = Table(title="Validation : synthétique vs publié")
    for column in ("table", "erreur IRIS", "erreur arrondissement", "erreur médiane IRIS"):
        table.add_column(column)
    for t in report["tables"].values():
        table.add_row(t["label"] + (" (cible estimée)" if t["estimate"] else ""), percent(t["iris_tae_share"]),
                      percent(t["arrondissement_tae_share"]), percent(t["median_iris_error"]))
    income = report["income"]
    table.add_row(income["label"], "", "", percent(income["median_abs_error"]))
    console.print(table)
    verdicts = report["verdicts"]
    ok = all(verdicts["arrondissement_tae_share"].values()) and all(verdicts["median_iris_error"].values()) \
        and verdicts["income_median_error"]
    console.print(("[green]Toutes les cibles sont atteintes.[/]" if ok else "[yellow]Des cibles ne sont pas atteintes.[/]")
                  + f" Rapport : {path} et {path.with_suffix('.html')} (et /population dans la console web).")


@population_app.command("build")
def population_build(
    scale: Annotated[float | None, typer.Option("--scale", min=0.0001, max=1.0,
                                                help="Share of Paris to draw (1.0 = every household; default RECOQUE_POPULATION_SCALE).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (default RECOQUE_SEED).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if the same population is stored.")] = False,
) -> None:
    """Draw the synthetic population of Paris and store it (Parquet by arrondissement)."""
    with friendly_errors():
        build(seed, scale, force)


@population_app.command("validate")
def population_validate() -> None:
    """Compare the current population with the published tables; write the JSON and HTML report."""
    with friendly_errors():
        validate()


@population_app.command("load")
def population_load(
    persons: Annotated[Path, typer.Argument(help="Persons file (.csv or .parquet), columns as in docs/population-schema.md.")],
    households: Annotated[Path, typer.Option("--households", help="Households file (.csv or .parquet).")],
) -> None:
    """Load real records through the schema, all or nothing; errors are listed row by row."""
    from recoque.population.service import load_records

    with friendly_errors():
        with progress_bar("Chargement") as bar:
            task = bar.add_task("Chargement", total=1.0)
            result = load_records(get_settings(), get_engine(), persons_path=persons, households_path=households,
                                  progress=lambda step, f: bar.update(task, completed=f, description=step))
        console.print(f"[green]Enregistrements chargés[/] : {result.persons} personnes, {result.households} ménages "
                      f"en {result.seconds:.1f} s → {result.location}")


@population_app.command("info")
def population_info() -> None:
    """Print the current population's origin, seed, scale, counts and notes."""
    from recoque.population.service import summary

    with friendly_errors():
        s = summary(get_engine())
        console.print(f"Population {s['origin']} du {s['created_at'][:19]} : {s['persons']} personnes, "
                      f"{s['households']} ménages ; graine {s['seed']}, échelle {s['scale']} ; "
                      f"empreinte {s['dataset_digest'][:16]}")
        for note in s.get("notes") or []:
            console.print(f"  • {note}")


@population_app.command("schema")
def population_schema() -> None:
    """Print the records schema (Markdown), column by column."""
    from recoque.population.schema import markdown

    typer.echo(markdown())

