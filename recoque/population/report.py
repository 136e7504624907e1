"""The population's validation report as a stand-alone HTML file written next to its data (its
tables, ``templates/_validation.html``, are also included by the web console's /population page)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from recoque.core.typography import arrondissement_fr, date_fr, percent, significant


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html"]))
    env.filters["pct"] = percent
    env.filters["arrdt"] = arrondissement_fr
    env.filters["date_fr"] = date_fr
    env.filters["sig"] = significant
    return env



TEMPLATES = Path(__file__).with_name("templates")


def render_validation_report(report: dict) -> str:
    """The report as one HTML page with its own style (no asset to fetch)."""
    return _environment().get_template("population_report.html").render(report=report)
