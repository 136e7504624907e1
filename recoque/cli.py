"""The ``recoque`` command: one group per capability, each in its capability's ``cli`` module,
thin wrappers over library functions; here the groups are put together with ``serve``, ``up``
and ``db upgrade``.

Every command and option is documented in docs/cli.md, generated from this file
(``typer recoque.cli utils docs --name recoque``) and checked by the tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recoque.core.cli_support import console, friendly_errors
from recoque.core.settings import get_settings
from recoque.core.store import get_engine
from recoque.governance.cli import journal_app, register_app, users_app
from recoque.heat.cli import heat_app
from recoque.population import cli as population_cli
from recoque.rights.cli import rights_app
from recoque.territory import cli as territory_cli
from recoque.twin.cli import twin_app

app = typer.Typer(
    name="recoque",
    help="Recoque: the public-service AI platform of the City of Paris.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="The store (SQLite by default, PostgreSQL by RECOQUE_DATABASE_URL).", no_args_is_help=True)
app.add_typer(territory_cli.territory_app, name="territory")
app.add_typer(population_cli.population_app, name="population")
app.add_typer(journal_app, name="journal")
app.add_typer(register_app, name="register")
app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the store's migrations (Alembic) up to the latest revision."""
    with friendly_errors():
        get_engine()
        console.print("[green]Base à jour.[/]")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default RECOQUE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default RECOQUE_PORT).")] = None,
) -> None:
    """Serve the web console and the API (uvicorn)."""
    import uvicorn

    from recoque.server import create_app

    with friendly_errors():
        settings = get_settings()
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

    with friendly_errors():
        get_engine()
        territory_cli.build(force=False)
        if not is_current(get_settings(), get_engine()):
            population_cli.build(seed=None, scale=None, force=False)
        build = latest(get_engine())
        if build and not (Path(build.location) / "validation.json").is_file():
            population_cli.validate()
    serve(host=host, port=port)



app.add_typer(rights_app, name="rights")
app.add_typer(heat_app, name="heat")
app.add_typer(twin_app, name="twin")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover - python -m recoque.cli (background jobs)
    main()
