"""The ``recoque`` command: one group per capability, thin wrappers over library functions.

Every command and option is documented in docs/cli.md, generated from this file
(``typer recoque.cli utils docs --name recoque``) and checked by the tests.
"""

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

from recoque.cli_common import (
    _engine,
    _friendly_errors,
    _n,
    _progress_bar,
    _settings,
    console,
    err_console,
)
from recoque.cli_heat import heat_app
from recoque.cli_rights import rights_app
from recoque.cli_twin import twin_app

app = typer.Typer(
    name="recoque",
    help="Recoque: the public-service AI platform of the City of Paris.",
    no_args_is_help=True,
    add_completion=False,
)
territory_app = typer.Typer(help="The territory of Paris: boundaries, layers, raster grids.", no_args_is_help=True)
population_app = typer.Typer(help="The population of Paris: synthetic (calibrated on INSEE and Filosofi) or real records.",
                              no_args_is_help=True)
journal_app = typer.Typer(help="The decision journal (append-only, hash-chained).", no_args_is_help=True)
users_app = typer.Typer(help="Agent accounts (roles: agent, supervisor, auditor, operator, admin).", no_args_is_help=True)
register_app = typer.Typer(help="The public register of the platform's algorithms.", no_args_is_help=True)
db_app = typer.Typer(help="The store (SQLite by default, PostgreSQL by RECOQUE_DATABASE_URL).", no_args_is_help=True)
app.add_typer(territory_app, name="territory")
app.add_typer(population_app, name="population")
app.add_typer(journal_app, name="journal")
app.add_typer(register_app, name="register")
app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")



def _build_territory(force: bool) -> None:
    from recoque.territory.service import build_territory

    settings = _settings()
    with console.status("Construction du territoire…") as status:
        result = build_territory(settings, _engine(), force=force,
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


def _build_population(seed: int | None, scale: float | None, force: bool) -> None:
    from recoque.population.service import build_population

    with _progress_bar("Population") as bar:
        task = bar.add_task("Population", total=1.0)
        result = build_population(_settings(), _engine(), seed=seed, scale=scale, force=force,
                                  progress=lambda step, f: bar.update(task, completed=f,
                                                                      description=f"Population : {step}"))
    if result.built:
        rate = result.persons / result.seconds if result.seconds else 0
        console.print(f"[green]Population construite[/] : {_n(result.persons)} personnes, {_n(result.households)} "
                      f"ménages en {result.seconds:.1f} s ({_n(rate)} personnes/s) → {result.location}")
        if result.footprint:
            console.print(f"  Empreinte : {result.footprint.label()}")
    else:
        console.print("Population à jour (même graine, même échelle, mêmes sources), rien à reconstruire.")


def _validate_population() -> None:
    from recoque.population.service import validate_population
    from recoque.web.reports import percent, render_validation_report

    with console.status("Validation de la population…"):
        report, path = validate_population(_settings(), _engine(), render_html=render_validation_report)
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
    with _friendly_errors():
        _build_population(seed, scale, force)


@population_app.command("validate")
def population_validate() -> None:
    """Compare the current population with the published tables; write the JSON and HTML report."""
    with _friendly_errors():
        _validate_population()


@population_app.command("load")
def population_load(
    persons: Annotated[Path, typer.Argument(help="Persons file (.csv or .parquet), columns as in docs/population-schema.md.")],
    households: Annotated[Path, typer.Option("--households", help="Households file (.csv or .parquet).")],
) -> None:
    """Load real records through the schema, all or nothing; errors are listed row by row."""
    from recoque.population.service import load_records

    with _friendly_errors():
        with _progress_bar("Chargement") as bar:
            task = bar.add_task("Chargement", total=1.0)
            result = load_records(_settings(), _engine(), persons_path=persons, households_path=households,
                                  progress=lambda step, f: bar.update(task, completed=f, description=step))
        console.print(f"[green]Enregistrements chargés[/] : {result.persons} personnes, {result.households} ménages "
                      f"en {result.seconds:.1f} s → {result.location}")


@population_app.command("info")
def population_info() -> None:
    """Print the current population's origin, seed, scale, counts and notes."""
    from recoque.population.service import summary

    with _friendly_errors():
        s = summary(_engine())
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


@journal_app.command("verify")
def journal_verify() -> None:
    """Recompute the journal's hash chain and check it against the signed heads published outside
    the database; name the first altered, removed or reordered entry, or the rewritten stretch."""
    from recoque.governance import checkpoints

    with _friendly_errors():
        with _progress_bar("Journal") as bar:
            task = bar.add_task("Vérification du journal", total=None)
            result = checkpoints.verify_against_published(
                _engine(), _settings(), progress=lambda done, total: bar.update(task, completed=done, total=total))
        if result.ok:
            console.print(f"[green]Journal intègre[/] : {_n(result.checked)} entrées, chaîne de hachage vérifiée.")
            if result.anchored_at:
                console.print(f"Conforme à la tête signée publiée le {result.anchored_at} ({_n(result.anchored)} "
                              f"entrées) ; les {_n(result.checked - result.anchored)} suivantes ne sont garanties "
                              "que par la chaîne jusqu'à la prochaine publication.")
            else:
                console.print("[yellow]Aucune tête signée publiée[/] : seule la cohérence interne est vérifiée "
                              "(un administrateur de la base pourrait réécrire la chaîne) — "
                              "`recoque journal publish`.")
            return
        err_console.print(f"[bold red]Journal altéré[/] après {_n(result.checked)} entrées vérifiées : {result.problem}",
                          soft_wrap=True)
        raise typer.Exit(code=1)


@journal_app.command("publish")
def journal_publish() -> None:
    """Sign the journal's head with the key outside the database and append it to the heads file
    (the server does it every RECOQUE_JOURNAL_PUBLISH_SECONDS)."""
    from recoque.governance import checkpoints

    with _friendly_errors():
        settings = _settings()
        c = checkpoints.publish(_engine(), settings)
        if c is None:
            console.print("La tête du journal n'a pas bougé depuis la dernière publication.")
            return
        console.print(f"Tête publiée : {_n(c.entries)} entrées, dernière {c.last_id}, hachage {c.last_hash[:16]}…, "
                      f"clé {c.key_id}, dans {checkpoints.heads_file(settings)}")


@register_app.command("list")
def register_list() -> None:
    """List the registered algorithms with their runs and footprint."""
    from recoque.governance.register import entries
    from recoque.governance.runs import footprint_by_algorithm

    with _friendly_errors():
        footprints = footprint_by_algorithm(_engine())
        table = Table(title="Registre des algorithmes")
        table.add_column("id", no_wrap=True, min_width=max(len(i) for i in entries()))
        for column in ("nom", "automatisation", "AI Act", "exécutions", "énergie", "carbone"):
            table.add_column(column)
        for e in entries().values():
            fp = footprints.get(e.id, {})
            table.add_row(e.id, e.name_fr, e.automation.level, e.ai_act.risk_category, str(fp.get("runs", 0)),
                          f"{fp.get('energy_kwh', 0.0) * 1000:.3g} Wh", f"{fp.get('co2_g', 0.0):.3g} gCO2e")
        console.print(table)


@register_app.command("export")
def register_export(
    fmt: Annotated[str, typer.Option("--format", help="json (Eurocities ATS shape) or csv.")] = "json",
) -> None:
    """Print the register as JSON (Eurocities Algorithmic Transparency Standard shape) or CSV."""
    import json

    from recoque.governance import register
    from recoque.governance.runs import footprint_by_algorithm

    with _friendly_errors():
        if fmt not in ("json", "csv"):
            raise typer.BadParameter("expected json or csv", param_hint="--format")
        footprints = footprint_by_algorithm(_engine())
        rows = [(e, footprints.get(e.id, {})) for e in register.entries().values()]
        if fmt == "csv":
            typer.echo(register.to_csv(rows), nl=False)
        else:
            typer.echo(json.dumps([register.to_ats(e, fp) for e, fp in rows], ensure_ascii=False, indent=2))


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option("--role", help="agent, supervisor, auditor, operator, caller (heat-wave call centre) or admin.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Create an agent account; the password is asked for (or read from stdin) and stored hashed (argon2)."""
    import sys

    from recoque.governance.access import create_user

    with _friendly_errors():
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt("Mot de passe (12 caractères au moins)", hide_input=True, confirmation_prompt=True)
        create_user(_engine(), username, password, role)
        console.print(f"[green]Compte créé[/] : {username} ({role}).")


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

    from recoque.server import create_app

    with _friendly_errors():
        settings = _settings()
        host, port = host or settings.host, port or settings.port
        # the address messages link to follows the port served, unless RECOQUE_PUBLIC_URL names another
        settings = settings.model_copy(update={"host": host, "port": port})
        web = create_app(settings)
        console.print(f"Recoque sert sur [bold]http://{host}:{port}[/] (Ctrl+C pour arrêter)")
        # forwarded headers are believed only from RECOQUE_TRUSTED_PROXIES, inside the app (never uvicorn's default)
        uvicorn.run(web, host=host, port=port, log_level="info", proxy_headers=False)


@app.command("up")
def up(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default RECOQUE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default RECOQUE_PORT).")] = None,
) -> None:
    """Migrate the store, build what is missing (territory, population, its validation), then serve."""
    from recoque.population.service import is_current, latest

    with _friendly_errors():
        _engine()
        _build_territory(force=False)
        if not is_current(_settings(), _engine()):
            _build_population(seed=None, scale=None, force=False)
        build = latest(_engine())
        if build and not (Path(build.location) / "validation.json").is_file():
            _validate_population()
    serve(host=host, port=port)


app.add_typer(rights_app, name="rights")
app.add_typer(heat_app, name="heat")
app.add_typer(twin_app, name="twin")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover - python -m recoque.cli (background screenings)
    main()
