"""``recoque heat …``: heat-wave early warning from the command line (thin wrappers over
recoque.heat)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from recoque.core.cli_support import console, friendly_errors, progress_bar
from recoque.core.settings import get_settings
from recoque.core.store import get_engine
from recoque.core.typography import number
from recoque.heat.vigilance import LEVEL_FR

heat_app = typer.Typer(help="Heat-wave early warning: forecasts and vigilance, vulnerability, call plans, backtests.",
                       no_args_is_help=True)
forecast_app = typer.Typer(help="Temperature forecasts (file, HTTP feed or a bundled past summer).", no_args_is_help=True)
registry_app = typer.Typer(help="The REFLEX register of people to call.", no_args_is_help=True)
heat_app.add_typer(forecast_app, name="forecast")
heat_app.add_typer(registry_app, name="registry")
LEVEL_STYLE = {0: "dim", 1: "green", 2: "yellow", 3: "dark_orange", 4: "red"}
DayArgument = Annotated[str, typer.Argument(help="Day, YYYY-MM-DD.")]


def _print_vigilance(row) -> None:
    from recoque.heat.service import forecast_frame
    from recoque.heat.vigilance import episodes

    frame = forecast_frame(row)
    table = Table(title=f"Vigilance canicule — département {row.departement} ({row.source})")
    for col in ("jour", "Tmin", "Tmax", "IBMmin", "IBMmax", "niveau", "règle"):
        table.add_column(col)
    for r in frame.itertuples():
        style = LEVEL_STYLE[r.level]
        fmt = lambda v: "—" if v is None or v != v else f"{v:.1f}"  # noqa: E731
        table.add_row(str(r.date.date()) + (" *" if r.repaired else ""), fmt(r.tmin), fmt(r.tmax), fmt(r.ibm_min),
                      fmt(r.ibm_max), f"[{style}]{LEVEL_FR[r.level]}[/]", r.reason)
    console.print(table)
    for e in episodes(frame):
        console.print(f"[bold red]Alerte[/] du {e['start']} au {e['end']} ({e['days']} jours, niveau max "
                      f"{LEVEL_FR[e['max_level']]})")
    for repair in row.repairs:
        console.print(f"[yellow]Réparé[/] : {repair}")


@forecast_app.command("load")
def forecast_load(
    path: Annotated[Path | None, typer.Argument(help="CSV (date,tmin,tmax[,unit]) or JSON forecast; see docs/heat.md.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Fetch the forecast from this HTTP feed instead.")] = None,
    season: Annotated[int | None, typer.Option("--season", help="Replay a bundled real summer (2003, 2006–2017).")] = None,
    departement: Annotated[str, typer.Option("--departement", help="Département whose IBM thresholds apply.")] = "75",
) -> None:
    """Load a forecast: checked, repaired by the stated rules or refused with the line at fault."""
    from recoque.heat import forecast as fc
    from recoque.heat import seasons, service

    with friendly_errors():
        if sum(x is not None for x in (path, url, season)) != 1:
            raise fc.ForecastError("give exactly one of: a file, --url, --season")
        f = fc.read(path, departement=departement) if path else fc.fetch(url, departement=departement) if url \
            else seasons.season(season)
        row = service.load_forecast(get_engine(), f, actor="cli")
    _print_vigilance(row)


@heat_app.command("vigilance")
def heat_vigilance(departement: Annotated[str, typer.Option("--departement")] = "75") -> None:
    """Show the current forecast: IBM, level day by day, alerts."""
    from recoque.heat import service
    from recoque.heat.service import HeatError

    with friendly_errors():
        row = service.current_forecast(get_engine(), departement)
        if row is None:
            raise HeatError("no forecast loaded: `recoque heat forecast load FILE` or `--season 2003`")
    _print_vigilance(row)


@heat_app.command("declare")
def heat_declare(
    hazard: Annotated[str, typer.Option("--hazard", help="heat, cold, storm or flood.")],
    level: Annotated[int, typer.Option("--level", help="1 green … 4 red.")],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    departement: Annotated[str, typer.Option("--departement")] = "75",
) -> None:
    """Record a vigilance published by Météo-France (any hazard) in the alert model."""
    from recoque.heat import service

    with friendly_errors():
        try:
            d1, d2 = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            raise service.HeatError("--from and --to are YYYY-MM-DD") from None
        n = service.declare_alert(get_engine(), hazard=hazard, departement=departement, start=d1, end=d2, level=level)
    console.print(f"[green]{n} jour(s) de vigilance {hazard} niveau {level} enregistrés.[/]")


@registry_app.command("synthetic")
def registry_synthetic() -> None:
    """Draw the synthetic city's REFLEX register (stated rate, vulnerability.yaml)."""
    from recoque.heat import service

    with friendly_errors():
        n = service.build_synthetic_registry(get_settings(), get_engine())
    console.print(f"[green]{number(n)} inscrits[/] (registre synthétique).")


@registry_app.command("load")
def registry_load(path: Annotated[Path, typer.Argument(help="CSV with a person_id column.")]) -> None:
    """Load real REFLEX registrations (all checked first; nothing loaded on a problem)."""
    from recoque.heat import service

    with friendly_errors():
        n = service.load_registry(get_engine(), path, actor="cli")
    console.print(f"[green]{number(n)} nouvelles inscriptions.[/]")


@heat_app.command("score")
def heat_score() -> None:
    """Score every resident's heat vulnerability; journal, bias audit, map layers."""
    from recoque.heat import service

    with friendly_errors(), progress_bar("Vulnérabilité") as bar:
        task = bar.add_task("Vulnérabilité", total=1.0)
        build = service.score_population(get_settings(), get_engine(),
                                         progress=lambda step, f: bar.update(task, completed=f, description=step))
    d = build.details
    console.print(f"[green]{number(d['persons_scored'])} personnes[/] ; public du plan canicule {number(d['public'])} ; "
                  f"[bold]à risque {number(d['at_risk'])}[/] dont {number(d['registered_at_risk'])} inscrits REFLEX ; "
                  f"{number(d['journal_entries'])} explications au journal ; {d['seconds']} s, "
                  f"{d['footprint']['energy_kwh'] * 1000:.2f} Wh, {d['footprint']['co2_g']:.2f} gCO2e.")
    for flag in d["bias_audit"]["flags"]:
        console.print(f"[yellow]Audit de biais[/] : {flag}")


@heat_app.command("plan")
def heat_plan(
    day: DayArgument,
    operators: Annotated[int | None, typer.Option("--operators", help="Operators today (default protocol.yaml).")] = None,
    calls_per_operator: Annotated[int | None, typer.Option("--calls-per-operator")] = None,
    force: Annotated[bool, typer.Option("--force", help="Plan even without an alert that day.")] = False,
    share: Annotated[float | None, typer.Option("--registrant-share", min=0, max=1,
                                                help="Part of the calls kept for registrants, 0–1 "
                                                     "(default protocol.yaml: 0.5).")] = None,
) -> None:
    """Build the day's call plan (once; asking again shows the stored plan)."""
    from recoque.heat import calls
    from recoque.heat.service import HeatError

    with friendly_errors():
        try:
            result = calls.plan_day(get_engine(), day=day, operators=operators, calls_per_operator=calls_per_operator,
                                    force=force, share=share)
        except HeatError as exc:
            if str(exc).startswith("pas d'alerte"):
                raise HeatError(f"{exc} (ou planifiez quand même avec --force)") from None
            raise
    if result["created"]:
        console.print(f"[green]Plan du {day}[/] (épisode du {result['episode']}) : {number(result['planned'])} personnes "
                      f"— {number(result['registered'])} inscrites, {number(result['unregistered'])} non inscrites à risque "
                      f"(capacité {number(result['capacity_calls'])} appels, {round(100 * result['share_registered'])} % "
                      "réservés aux inscrits).")
    else:
        console.print(f"Le plan du {day} existe déjà : {number(result['planned'])} personnes.")


@heat_app.command("close-day")
def heat_close_day(day: DayArgument) -> None:
    """End of day: home-visit tasks for 4 unanswered calls in 48 h (exactly once)."""
    from recoque.heat import calls

    with friendly_errors():
        result = calls.close_day(get_engine(), day=day)
    console.print(f"Journée du {day} close : {number(result['home_visits_created'])} visite(s) à domicile créée(s).")


@heat_app.command("tasks")
def heat_tasks(arrondissement: Annotated[str | None, typer.Option("--arrondissement")] = None) -> None:
    """Open tasks for the teams (home visits, medical cell, help), by arrondissement."""
    from recoque.heat import calls

    rows = calls.tasks(get_engine(), arrondissement=arrondissement)
    table = Table(title=f"Tâches ouvertes ({len(rows)})")
    for col in ("n°", "arrondissement", "type", "personne", "motif"):
        table.add_column(col)
    for t in rows:
        table.add_row(str(t.id), t.arrondissement, t.kind, t.person_id, t.reason)
    console.print(table)


@heat_app.command("sms")
def heat_sms(day: DayArgument) -> None:
    """Queue the day's SMS (nearest cool place, help number, algorithmic mention) in the outbox."""
    from recoque.heat import calls

    with friendly_errors():
        n = calls.queue_sms(get_settings(), get_engine(), day=day)
    console.print(f"[green]{number(n)} SMS en file[/] — envoi : `recoque rights deliver` (même boîte d'envoi).")


@heat_app.command("dashboard")
def heat_dashboard(day: DayArgument) -> None:
    """Per arrondissement: at risk, registered, planned, reached, not reached, visits pending."""
    from recoque.heat import calls

    with friendly_errors():
        board = calls.dashboard(get_engine(), day=day)
    a = board["alert"]
    table = Table(title=f"Canicule — {day} — niveau {LEVEL_FR.get(a['level'], a['level'])}")
    keys = ("at_risk", "registered", "planned_today", "reached", "not_reached", "home_visits_pending", "medical_pending")
    for col in ("arrondissement", "à risque", "inscrits", "appels du jour", "joints", "injoignables", "visites",
                "cellule médicale"):
        table.add_column(col, justify="right")
    for r in board["rows"]:
        table.add_row(r["arrondissement"], *(number(r[k]) for k in keys))
    table.add_row("Paris", *(number(board["totals"][k]) for k in keys), style="bold")
    console.print(table)


@heat_app.command("backtest")
def heat_backtest(
    year: Annotated[int, typer.Argument(help="2003 (reanalysis), 2006–2017 (station) or 2023–2025 (published vigilance).")],
    calls_per_day: Annotated[int | None, typer.Option("--calls", help="Calls per day (default: protocol.yaml capacity).")] = None,
    output: Annotated[Path | None, typer.Option("--json", help="Write the full report here.")] = None,
) -> None:
    """Replay a real past summer: alerts, and people each day's plan reached."""
    from recoque.heat import backtest, service

    with friendly_errors():
        people = service.backtest_people(get_engine())
        report = backtest.replay(year, people, calls=calls_per_day)
    if report.get("refused"):
        console.print(f"[yellow]{year} : série refusée[/] — {report['refused']}")
        raise typer.Exit(code=1)
    console.print(f"[bold]Été {year}[/] — {report['source']}")
    for e in report["episodes"]:
        console.print(f"  [red]alerte[/] du {e['start']} au {e['end']} ({e['days']} j, max {LEVEL_FR[e['max_level']]})")
    if not report["episodes"]:
        console.print("  aucune alerte (niveau orange ou rouge)")
    if people is None:
        console.print("[yellow]Pas de scores de vulnérabilité : lancez `recoque heat score` pour compter les personnes jointes.[/]")
    else:
        table = Table(title="Jours d'alerte")
        for col in ("jour", "niveau", "appelés", "dont inscrits", "joints", "sans réponse", "visites"):
            table.add_column(col, justify="right")
        for d in report["days"]:
            if "episode" in d:
                table.add_row(d["date"], LEVEL_FR[d["level"]], number(d["planned"]), number(d["planned_registered"]),
                              number(d["reached"]), number(d["not_reached"]), number(d["home_visits"]))
        console.print(table)
        console.print(f"Personnes jointes au moins une fois : [bold]{number(report['people_reached'])}[/] "
                      f"(dont {number(report['registrants_reached'])} inscrites) ; visites à domicile : "
                      f"{number(report['home_visits'])} ; taux de réponse supposé {report['answer_rate']:.0%} (estimation).")
    if output:
        output.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        console.print(f"Rapport complet : {output}")
