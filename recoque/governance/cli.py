"""``recoque journal …``, ``recoque register …``, ``recoque users …``: governance from the command
line (thin wrappers over recoque.governance)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from recoque.core.cli_support import console, err_console, friendly_errors, progress_bar
from recoque.core.settings import get_settings
from recoque.core.store import get_engine
from recoque.core.typography import number

journal_app = typer.Typer(help="The decision journal (append-only, hash-chained).", no_args_is_help=True)
users_app = typer.Typer(help="Agent accounts (roles: agent, supervisor, auditor, operator, admin).", no_args_is_help=True)
register_app = typer.Typer(help="The public register of the platform's algorithms.", no_args_is_help=True)


@journal_app.command("verify")
def journal_verify() -> None:
    """Recompute the journal's hash chain and check it against the signed heads published outside
    the database; name the first altered, removed or reordered entry, or the rewritten stretch."""
    from recoque.governance import checkpoints

    with friendly_errors():
        with progress_bar("Journal") as bar:
            task = bar.add_task("Vérification du journal", total=None)
            result = checkpoints.verify_against_published(
                get_engine(), get_settings(), progress=lambda done, total: bar.update(task, completed=done, total=total))
        if result.ok:
            console.print(f"[green]Journal intègre[/] : {number(result.checked)} entrées, chaîne de hachage vérifiée.")
            if result.anchored_at:
                console.print(f"Conforme à la tête signée publiée le {result.anchored_at} ({number(result.anchored)} "
                              f"entrées) ; les {number(result.checked - result.anchored)} suivantes ne sont garanties "
                              "que par la chaîne jusqu'à la prochaine publication.")
            else:
                console.print("[yellow]Aucune tête signée publiée[/] : seule la cohérence interne est vérifiée "
                              "(un administrateur de la base pourrait réécrire la chaîne) — "
                              "`recoque journal publish`.")
            return
        err_console.print(f"[bold red]Journal altéré[/] après {number(result.checked)} entrées vérifiées : {result.problem}",
                          soft_wrap=True)
        raise typer.Exit(code=1)


@journal_app.command("publish")
def journal_publish() -> None:
    """Sign the journal's head with the key outside the database and append it to the heads file
    (the server does it every RECOQUE_JOURNAL_PUBLISH_SECONDS)."""
    from recoque.governance import checkpoints

    with friendly_errors():
        settings = get_settings()
        c = checkpoints.publish(get_engine(), settings)
        if c is None:
            console.print("La tête du journal n'a pas bougé depuis la dernière publication.")
            return
        console.print(f"Tête publiée : {number(c.entries)} entrées, dernière {c.last_id}, hachage {c.last_hash[:16]}…, "
                      f"clé {c.key_id}, dans {checkpoints.heads_file(settings)}")


@register_app.command("list")
def register_list() -> None:
    """List the registered algorithms with their runs and footprint."""
    from recoque.governance.register import entries
    from recoque.governance.runs import footprint_by_algorithm

    with friendly_errors():
        footprints = footprint_by_algorithm(get_engine())
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

    with friendly_errors():
        if fmt not in ("json", "csv"):
            raise typer.BadParameter("expected json or csv", param_hint="--format")
        footprints = footprint_by_algorithm(get_engine())
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

    with friendly_errors():
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt("Mot de passe (12 caractères au moins)", hide_input=True, confirmation_prompt=True)
        create_user(get_engine(), username, password, role)
        console.print(f"[green]Compte créé[/] : {username} ({role}).")

