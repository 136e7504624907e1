"""``recoque twin …``: simulations of the digital twin from the command line (thin wrappers over
recoque.twin)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from recoque.core.cli_support import console, friendly_errors, progress_bar
from recoque.core.settings import get_settings
from recoque.core.store import get_engine
from recoque.core.typography import number

twin_app = typer.Typer(help="Digital twin simulations (Seine flood today).", no_args_is_help=True)


@twin_app.command("seine")
def twin_seine(
    scenario: Annotated[str | None, typer.Option("--scenario", help="1910, 1924, 1955 or 2016 (stage at Austerlitz).")] = None,
    stage: Annotated[float | None, typer.Option("--stage", help="Or a stage on the Austerlitz scale, m.")] = None,
    hours: Annotated[float | None, typer.Option("--hours", help="Simulated hours (default: 6 with a stage held, the whole hydrograph otherwise).")] = None,
    resolution: Annotated[float, typer.Option("--resolution", help="Cell size, m (10–200).")] = 30.0,
    hydrograph: Annotated[str | None, typer.Option("--hydrograph", help="Or a stated hydrograph: 1910 (rise and recession).")] = None,
    backend: Annotated[str, typer.Option("--backend", help="cpu (numba kernels) or cuda (an NVIDIA GPU, with the gpu extra of the package installed).")] = "cpu",
    components: Annotated[bool, typer.Option("--components/--no-components", help="With a stage held (--scenario or --stage): also run the flood with each realism component turned off and print the agreements side by side.")] = True,
    map_file: Annotated[Path | None, typer.Option("--map", help="Write a PNG map of the modelled extent over the PPRI zones to this file.")] = None,
) -> None:
    """Simulate a Seine flood: area, agreement with the PPRI, people and places under water; with
    a stage held, the agreement with each realism component on and off."""
    from recoque.twin.service import run_seine

    with friendly_errors(), progress_bar("Crue") as bar:
        task = bar.add_task("Crue", total=1.0)
        build = run_seine(get_settings(), get_engine(), scenario=scenario, stage_m=stage, hydrograph=hydrograph,
                          hours=hours, resolution_m=resolution,
                          backend=backend, progress=lambda s, f: bar.update(task, completed=f, description=s))
    r = build.details["report"]
    t = r["terrain"]
    console.print(f"[bold]{r['scenario']}[/] : cote {r['level_m_ngf']} m, {r['hours']} h simulées, maille {r['resolution_m']:.0f} m")
    console.print(f"Zone inondée dans Paris : [bold]{r['flooded_km2']} km²[/] ; PPRI {r['ppri_km2']} km² ; "
                  f"accord (IoU) {r['iou_with_ppri']} ; part du PPRI inondée {r['share_of_ppri_flooded']:.0%}")
    console.print(f"Modèle de terrain : surface − terrain médiane {t['surface_minus_terrain_m_median_in_paris']} m "
                  f"(90 % ≤ {t['surface_minus_terrain_m_p90_in_paris']} m) ; eau de la Seine dans le modèle de "
                  f"surface {t['surface_on_the_river_m_median']} m pour un étiage attendu de {t['expected_low_water_m']} m")
    z = r.get("zini_agreement")
    if z:
        rank = number(z["spearman"], 2) if z["spearman"] is not None else "—"
        console.print(f"Part inondée par arrondissement / zones inondables de l'Institut Paris Région : rang {rank}, "
                      f"écart moyen {number(z['mean_absolute_difference'] * 100, 1)} points")
    a = r["affected"]
    if a is None:
        console.print("[yellow]Pas de population : `recoque population build` pour compter les habitants touchés.[/]")
    else:
        table = Table(title="Domiciles sous l'eau, par arrondissement")
        for col in ("arrondissement", "habitants", "75 ans+ seuls", "vulnérables"):
            table.add_column(col, justify="right")
        for arr, v in sorted(a["per_arrondissement"].items()):
            table.add_row(arr, number(v["residents"]), number(v["alone_75"]), number(v["vulnerable"]))
        table.add_row("Paris", number(a["residents"]), number(a["alone_75"]), number(a["vulnerable"]), style="bold")
        console.print(table)
        console.print(f"Lieux frais inondés : {', '.join(a['cool_places_flooded']) or 'aucun'}")
    console.print(f"Masse conservée à {r['mass_error']:.1e} près ; {r['footprint']['energy_kwh'] * 1000:.2f} Wh ; "
                  f"résultats : {build.location}/flood.nc")
    if map_file is not None:
        from recoque.twin import basemap, maps

        with friendly_errors():
            map_file.write_bytes(maps.extent_over_ppri(Path(build.location), base=basemap.load(get_settings().data_dir)))
        console.print(f"Carte de l'étendue modélisée sur le PPRI : {map_file}")
    if components and hydrograph is None and (scenario is not None or stage is not None):
        _components(stage=float(r["stage_m"]), hours=float(r["hours"]), resolution=resolution)


def _components(*, stage: float, hours: float, resolution: float) -> None:
    """The same held stage with each realism component on and off, side by side."""
    from recoque.territory import load_territory
    from recoque.twin import seine

    with friendly_errors(), progress_bar("Réalisme") as bar:
        task = bar.add_task("Réalisme", total=1.0)
        rows = seine.realism(load_territory(get_settings().data_dir), get_settings().data_dir, stage_m=stage,
                             hours=hours, resolution_m=resolution,
                             progress=lambda s, f: bar.update(task, completed=f, description=f"Réalisme : {s}"))
    table = Table(title=f"Accord avec le PPRI et par arrondissement, composant par composant ({resolution:g} m)")
    for col in ("configuration", "inondé (km²)", "IoU PPRI", "précision", "part du PPRI atteinte",
                "rang / arrdt (IPR)", "écart moyen (points)"):
        table.add_column(col, justify="left" if col == "configuration" else "right")

    def cell(value, digits=3, scale=1.0):
        return "—" if value is None else number(value * scale, digits)
    for row in rows:
        table.add_row(row["configuration"], cell(row["flooded_km2"], 2), cell(row["iou_with_ppri"]),
                      cell(row["precision_vs_ppri"]), cell(row["share_of_ppri_flooded"]),
                      cell(row["arrondissement_spearman"], 2), cell(row["arrondissement_mean_difference"], 1, 100))
    console.print(table)
    for key, label in seine.COMPONENTS.items():
        console.print(f"  {key} : {label}")


@twin_app.command("run")
def twin_run(path: Annotated[Path, typer.Argument(help="Scenario file (YAML, see docs/twin.md and scenarios/).")]) -> None:
    """Run a scenario file beside the current situation; stored with its inputs and footprint."""
    from recoque.twin.service import run_scenario, summary

    with friendly_errors(), progress_bar("Jumeau") as bar:
        task = bar.add_task("Jumeau", total=1.0)
        build = run_scenario(get_settings(), get_engine(), path,
                             progress=lambda s, f: bar.update(task, completed=f, description=s))
    s = summary(build)
    r = build.details["report"]
    console.print(f"[green]Simulation {build.id}[/] — {s['scenario']} → {build.location}")
    if s["component"] == "urban_heat":
        for edit in r["edits"]:
            console.print(f"  {edit}")
        e = r["calibration"]["error"]
        console.print(f"Nuits plus fraîches pour {number(s['residents_cooler'])} habitants dont "
                      f"{number(s['elderly_80_alone_cooler'])} personnes de 80 ans ou plus seules (≥ 0,05 K).")
        table = Table(title="Par arrondissement (nuit : moyenne pondérée par les habitants ; jour : surfaces)")
        for col in ("arrondissement", "nuit (K)", "jour (K)", "habitants rafraîchis"):
            table.add_column(col, justify="right")
        shown = {arr: v for arr, v in r["per_arrondissement"].items()
                 if abs(v["night_change_k_resident_weighted"]) >= 0.001 or abs(v["day_change_k"]) >= 0.001}
        for arr, v in shown.items():
            table.add_row(arr, f"{v['night_change_k_resident_weighted']:+.3f}", f"{v['day_change_k']:+.3f}",
                          number(v["residents_cooler"]))
        if shown:
            console.print(table)
        else:
            console.print("Aucun arrondissement ne change de 0,001 K ou plus, ni la nuit ni le jour.")
        console.print(f"Calage sur les classes des IRIS : précision {e['accuracy']:.0%} (classe majoritaire "
                      f"{e['majority_class_share']:.0%}), précision équilibrée {e['balanced_accuracy']:.0%} — "
                      "le couvert arboré des données est partiel et la hauteur du bâti n'est connue que par "
                      "arrondissement. Rang des arrondissements comparé aux notes d'aléa de l'Institut Paris Région : "
                      f"nuit {number(e['spearman_night_model_with_night_hazard_per_arrondissement'], 2)} (air la nuit), "
                      f"jour {number(e['spearman_day_model_with_day_hazard_per_arrondissement'], 2)} (surface le jour) "
                      "(Spearman).")
    else:
        console.print(f"Zone inondée {r['flooded_km2']} km², accord avec le PPRI (IoU) {r['iou_with_ppri']}, "
                      f"habitants touchés {s['residents'] if s['residents'] is not None else '—'}.")


@twin_app.command("runs")
def twin_runs() -> None:
    """The twin's stored runs, newest first."""
    from recoque.twin.service import list_runs, summary

    table = Table(title="Simulations du jumeau")
    for col in ("n°", "date", "type", "scénario"):
        table.add_column(col)
    for build in list_runs(get_engine()):
        s = summary(build)
        table.add_row(str(build.id), build.created_at.strftime("%d/%m/%Y %H:%M"), s["component"], s["scenario"])
    console.print(table)


@twin_app.command("compare")
def twin_compare(a: Annotated[int, typer.Argument(help="First run (recoque twin runs).")],
                 b: Annotated[int, typer.Argument(help="Second run.")]) -> None:
    """Two runs side by side: headline numbers and per arrondissement."""
    from recoque.twin.service import compare

    with friendly_errors():
        c = compare(get_engine(), a, b)
    head = Table(title="Côte à côte")
    head.add_column("")
    head.add_column(f"A : {c['a']['scenario']}")
    head.add_column(f"B : {c['b']['scenario']}")
    for key in sorted(set(c["a"]) | set(c["b"]) - {"scenario"}):
        head.add_row(key, str(c["a"].get(key, "—")), str(c["b"].get(key, "—")))
    console.print(head)
    columns = sorted({k for v in c["per_arrondissement"].values() for k in v})
    table = Table(title="Par arrondissement")
    table.add_column("arrondissement")
    for col in columns:
        table.add_column(col, justify="right")
    for arr, v in c["per_arrondissement"].items():
        table.add_row(arr, *(f"{v[k]:.3f}" if isinstance(v.get(k), float) else str(v.get(k, "—")) for k in columns))
    console.print(table)
