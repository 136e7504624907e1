"""Stand-alone HTML reports (files written next to their data), from the web templates."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from recoque.core.typography import arrondissement_fr, date_fr, significant


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                      autoescape=select_autoescape(["html"]))
    env.filters["pct"] = percent
    env.filters["arrdt"] = arrondissement_fr
    env.filters["date_fr"] = date_fr
    env.filters["sig"] = significant
    return env


def percent(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.{digits}f} %".replace(".", ",")


def render_validation_report(report: dict) -> str:
    return _environment().get_template("population_report.html").render(report=report)
