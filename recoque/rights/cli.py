"""``recoque rights …``: proactive rights from the command line (thin wrappers over
recoque.rights)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from recoque.core.cli_support import console, err_console, friendly_errors, progress_bar
from recoque.core.settings import get_settings
from recoque.core.store import get_engine
from recoque.core.typography import number

rights_app = typer.Typer(help="Proactive rights: records, screening (OpenFisca), campaigns, outbox, follow-up.",
                         no_args_is_help=True)
records_app = typer.Typer(help="Administrative records: who receives what.", no_args_is_help=True)
campaign_app = typer.Typer(help="Campaigns of proactive offers (validated by a supervisor).", no_args_is_help=True)
rights_app.add_typer(records_app, name="records")
rights_app.add_typer(campaign_app, name="campaign")


def _this_month() -> str:
    from datetime import date

    return date.today().strftime("%Y-%m")


MonthOption = Annotated[str | None, typer.Option("--month", help="Month screened, YYYY-MM (default: this month).")]


@records_app.command("build")
def records_build(
    month: MonthOption = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed of the draw (default RECOQUE_SEED).")] = None,
) -> None:
    """Make the synthetic city's records from computed entitlements and DREES non-take-up rates."""
    from recoque.rights.service import build_records

    with friendly_errors(), progress_bar("Registres") as bar:
        task = bar.add_task("Registres", total=1.0)
        build = build_records(get_settings(), get_engine(), month=month or _this_month(), seed=seed,
                              workers=get_settings().screening_workers,
                              progress=lambda step, f: bar.update(task, completed=f, description=step))
    console.print(f"[green]Registres construits[/] : {number(build.details['rows'])} prestations versées → {build.location}")


@records_app.command("load")
def records_load(path: Annotated[Path, typer.Argument(help="CSV or Parquet: household_id, unit_id, benefit, amount_month.")]) -> None:
    """Load real records (checked first; nothing is loaded on a problem)."""
    from recoque.rights.service import load_records

    with friendly_errors():
        build = load_records(get_settings(), get_engine(), path)
    console.print(f"[green]Registres chargés[/] : {number(build.details['rows'])} lignes → {build.location}")


@rights_app.command("screen")
def rights_screen(
    month: MonthOption = None,
    incremental: Annotated[bool, typer.Option("--incremental", help="Only households whose inputs changed since the last run.")] = False,
    arrondissement: Annotated[list[str] | None, typer.Option("--arrondissement", help="Limit to these arrondissements (75101…; repeatable).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Worker processes (default RECOQUE_SCREENING_WORKERS).")] = None,
    dask: Annotated[bool, typer.Option("--dask", help="Run on a Dask LocalCluster instead of a process pool.")] = False,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address (default RECOQUE_DASK_SCHEDULER).")] = None,
    run_id: Annotated[int | None, typer.Option("--run-id", hidden=True)] = None,
) -> None:
    """Screen the population for rights people do not claim (OpenFisca-France and OpenFisca-Paris)."""
    from recoque.rights.service import screen

    settings = get_settings()
    with friendly_errors(), progress_bar("Repérage") as bar:
        task = bar.add_task("Repérage", total=1.0)
        run = screen(settings, get_engine(), month=month or _this_month(), incremental=incremental,
                     arrondissements=arrondissement or None, workers=workers or settings.screening_workers,
                     use_dask=dask, dask_address=scheduler or settings.dask_scheduler, run_id=run_id,
                     progress=lambda step, f: bar.update(task, completed=f, description=f"Repérage : {step}"))
    r = run.report
    console.print(f"[green]Repérage {run.id} terminé[/] en {r['seconds']:.1f} s : {number(r['households_screened'])} ménages "
                  f"calculés, {number(r['households_with_unclaimed'])} ont des droits non demandés "
                  f"({number(r['amount_month_unclaimed'])} € par mois) ; {number(r['exclusions'])} écartés avec leur raison.")
    table = Table(title="Droits non demandés par aide")
    for column in ("aide", "bénéficiaires", "€ par mois"):
        table.add_column(column)
    for b in sorted(r["per_benefit"].values(), key=lambda v: -v["amount_month"]):
        table.add_row(b["label"], number(b["units"]), number(b["amount_month"]))
    console.print(table)
    for reason, count in r["exclusion_reasons"].items():
        console.print(f"  écartés : {reason} — {number(count)}")
    console.print(f"  Empreinte : {r['footprint']['energy_kwh'] * 1000:.3g} Wh ({r['footprint']['method']})")


@campaign_app.command("create")
def campaign_create(
    benefit: Annotated[str, typer.Option("--benefit", help="Benefit id (see recoque/rights/benefits.yaml).")],
    by: Annotated[str, typer.Option("--by", help="Agent who drafts the campaign.")],
    arrondissement: Annotated[list[str] | None, typer.Option("--arrondissement", help="Area (repeatable; default all Paris).")] = None,
    min_amount: Annotated[float, typer.Option("--min-amount", min=0, help="Minimum amount, € per month.")] = 0.0,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many offers.")] = None,
) -> None:
    """Draft a campaign from the latest screening; it waits for a supervisor."""
    from recoque.rights import campaigns

    with friendly_errors():
        c = campaigns.create_campaign(get_engine(), benefit=benefit, arrondissements=arrondissement, min_amount=min_amount,
                                      created_by=by, limit=limit)
        offers = campaigns.campaign_offers(get_engine(), c.id)
        console.print(f"[green]Campagne {c.id}[/] : {number(len(offers))} propositions en attente de validation (lot {c.batch_id}).")
        for m in campaigns.preview(get_settings(), get_engine(), c.id, limit=2):
            console.print(f"  [{m['channel']}] {m['text']}")


@campaign_app.command("validate")
def campaign_validate(
    campaign_id: Annotated[int, typer.Argument(help="Campaign id.")],
    supervisor: Annotated[str, typer.Option("--supervisor", help="Supervisor who validates.")],
) -> None:
    """Validate a campaign: its offers are journaled and their messages queued."""
    from recoque.rights import campaigns

    with friendly_errors():
        n = campaigns.validate_campaign(get_settings(), get_engine(), campaign_id, supervisor=supervisor)
    console.print(f"[green]Campagne {campaign_id} validée[/] : {number(n)} messages prêts (recoque rights deliver).")


@rights_app.command("deliver")
def rights_deliver(
    resend_uncertain: Annotated[bool, typer.Option(
        help="Send again, under the same Message-ID, the e-mails a crash left in doubt (check the mail "
             "server's log first).")] = False,
) -> None:
    """Send queued messages through the outbox (once, even after a crash; one delivery at a time)."""
    from recoque.core.leases import LeaseHeld
    from recoque.outreach import outbox
    from recoque.rights import campaigns

    with friendly_errors():
        try:
            n = campaigns.deliver(get_engine(), get_settings(), resend_uncertain=resend_uncertain)
        except LeaseHeld as exc:
            err_console.print(f"[bold red]Une autre distribution est en cours[/] ({exc}) : rien n'est envoyé par "
                              "celle-ci.", soft_wrap=True)
            raise typer.Exit(code=1) from None
    console.print(f"[green]{number(n)} message(s) envoyé(s)[/].")
    uncertain = outbox.counts(get_engine()).get("uncertain", 0)
    if uncertain:
        err_console.print(f"[yellow]{number(uncertain)} courriel(s) incertain(s)[/] : une panne les a interrompus "
                          "pendant l'envoi. Vérifiez leur Message-ID dans le journal du serveur de messagerie, puis "
                          "`recoque rights deliver --resend-uncertain` pour ceux qui ne sont pas partis.",
                          soft_wrap=True)


@rights_app.command("follow-up")
def rights_follow_up() -> None:
    """Daily: reminders at D+15 without answer, hand-over to a social worker at D+30."""
    from recoque.rights import campaigns

    with friendly_errors():
        r = campaigns.follow_up(get_engine(), get_settings())
    console.print(f"{number(r['reminded'])} relance(s), {number(r['handed'])} dossier(s) confié(s) à un travailleur social.")


@rights_app.command("simulate")
def rights_simulate(
    age: Annotated[int, typer.Option("--age", min=16, max=120, help="Age.")],
    salary: Annotated[float, typer.Option("--salary", min=0, help="Net monthly salary, €.")] = 0.0,
    pension: Annotated[float, typer.Option("--pension", min=0, help="Net monthly pension, €.")] = 0.0,
    unemployment: Annotated[float, typer.Option("--unemployment", min=0, help="Net monthly unemployment benefit, €.")] = 0.0,
    rent: Annotated[float, typer.Option("--rent", min=0, help="Monthly rent, € (required for tenants).")] = 0.0,
    tenure: Annotated[str, typer.Option("--tenure", help="private_rent, social_rent, owner or free.")] = "private_rent",
    children: Annotated[list[int] | None, typer.Option("--child", help="Age of a dependent child (repeatable).")] = None,
    disability: Annotated[bool, typer.Option("--disability", help="Recognised disability.")] = False,
    partner_age: Annotated[int | None, typer.Option("--partner-age", help="Age of the partner (a couple).")] = None,
    partner_salary: Annotated[float, typer.Option("--partner-salary", min=0, help="Partner's net monthly salary, €.")] = 0.0,
    partner_pension: Annotated[float, typer.Option("--partner-pension", min=0, help="Partner's net monthly pension, €.")] = 0.0,
    years_in_paris: Annotated[int, typer.Option("--years-in-paris", min=0, max=120, help="Years lived in Paris.")] = 5,
    month: Annotated[str | None, typer.Option("--month", help="Month simulated, YYYY-MM (default: this month).")] = None,
) -> None:
    """« À quelles aides ai-je droit ? » for one situation (nothing is stored)."""
    from pydantic import ValidationError

    from recoque.core.typography import euros
    from recoque.rights.simulator import Situation, errors_fr, simulate

    try:
        situation = Situation(age=age, salary=salary, pension=pension, unemployment=unemployment, rent=rent,
                              tenure=tenure, children_ages=children or [], disability=disability,
                              couple=partner_age is not None, partner_age=partner_age, partner_salary=partner_salary,
                              partner_pension=partner_pension, years_in_paris=years_in_paris, month=month)
    except ValidationError as exc:
        for field_name, message in errors_fr(exc).items():
            err_console.print(f"[bold red]Erreur :[/] {field_name} : {message}")
        raise typer.Exit(code=2) from None
    result = simulate(situation)
    for aid in result["aids"]:
        amount = (f"{euros(aid['amount_month'])} par mois" if aid["kind"] == "cash" else
                  f"en nature, participation de {euros(aid['cost_month'])} par mois" if aid["cost_month"] else "en nature")
        console.print(f"- {aid['label']} : {amount} — {aid['claim']}")
    if not result["aids"]:
        console.print("Aucune aide trouvée pour cette situation.")
    console.print(result["note"])
