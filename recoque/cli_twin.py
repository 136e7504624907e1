"""``recoque twin …``: simulations of the digital twin from the command line (thin wrappers over
recoque.twin)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from recoque.cli_common import _engine, _friendly_errors, _n, _progress_bar, _settings, console

twin_app = typer.Typer(help="Digital twin simulations (Seine flood today).", no_args_is_help=True)


@twin_app.command("seine")
def twin_seine(
    scenario: Annotated[str | None, typer.Option("--scenario", help="1910, 1924, 1955 or 2016 (stage at Austerlitz).")] = None,
    stage: Annotated[float | None, typer.Option("--stage", help="Or a stage on the Austerlitz scale, m.")] = None,
    hours: Annotated[float, typer.Option("--hours", help="Simulated hours with the stage held.")] = 6.0,
    resolution: Annotated[float, typer.Option("--resolution", help="Cell size, m (10–200).")] = 30.0,
) -> None:
    """Simulate a Seine flood: area, agreement with the PPRI, people and places under water."""
    from recoque.twin.service import run_seine

    with _friendly_errors(), _progress_bar("Crue") as bar:
        task = bar.add_task("Crue", total=1.0)
        build = run_seine(_settings(), _engine(), scenario=scenario, stage_m=stage, hours=hours,
                          resolution_m=resolution, progress=lambda s, f: bar.update(task, completed=f, description=s))
    r = build.details["report"]
    t = r["terrain"]
    console.print(f"[bold]{r['scenario']}[/] : cote {r['level_m_ngf']} m, {r['hours']} h simulées, maille {r['resolution_m']:.0f} m")
    console.print(f"Zone inondée dans Paris : [bold]{r['flooded_km2']} km²[/] ; PPRI {r['ppri_km2']} km² ; "
                  f"accord (IoU) {r['iou_with_ppri']} ; part du PPRI inondée {r['share_of_ppri_flooded']:.0%}")
    console.print(f"Modèle de terrain : surface − terrain médiane {t['surface_minus_terrain_m_median_in_paris']} m "
                  f"(90 % ≤ {t['surface_minus_terrain_m_p90_in_paris']} m) ; eau de la Seine dans le modèle de "
                  f"surface {t['surface_on_the_river_m_median']} m pour un étiage attendu de {t['expected_low_water_m']} m")
    a = r["affected"]
    if a is None:
        console.print("[yellow]Pas de population : `recoque population build` pour compter les habitants touchés.[/]")
    else:
        table = Table(title="Domiciles sous l'eau, par arrondissement")
        for col in ("arrondissement", "habitants", "75 ans+ seuls", "vulnérables"):
            table.add_column(col, justify="right")
        for arr, v in sorted(a["per_arrondissement"].items()):
            table.add_row(arr, _n(v["residents"]), _n(v["alone_75"]), _n(v["vulnerable"]))
        table.add_row("Paris", _n(a["residents"]), _n(a["alone_75"]), _n(a["vulnerable"]), style="bold")
        console.print(table)
        console.print(f"Lieux frais inondés : {', '.join(a['cool_places_flooded']) or 'aucun'}")
    console.print(f"Masse conservée à {r['mass_error']:.1e} près ; {r['footprint']['energy_kwh'] * 1000:.2f} Wh ; "
                  f"résultats : {build.location}/flood.nc")
