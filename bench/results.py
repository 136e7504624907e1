"""What the benchmarks measured, kept in ``bench/results/<name>.json``: the README's benchmark
tables are rendered from these files (``bench/readme.py``), never typed by hand, and a test
fails when the README and the files differ.

Each benchmark calls ``record`` at its end with its table: the columns, one row per measure
(already formatted: the value, the target and whether it is met, the anchor), and notes.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).with_name("results")


def machine() -> str:
    """The machine in a few words: cores, memory, processor."""
    try:
        import psutil

        memory = f", {psutil.virtual_memory().total / 2**30:.0f} GiB"
    except ImportError:  # pragma: no cover - psutil ships with the platform's requirements
        memory = ""
    return f"{os.cpu_count()} cores{memory}, {platform.machine()}, Python {platform.python_version()}"


def record(name: str, *, title: str, columns: list[str], rows: list[list[str]], notes: list[str] = ()) -> Path:
    """Write the table ``name`` (measured today on this machine); returns the file."""
    if any(len(r) != len(columns) for r in rows):
        raise ValueError(f"{name}: every row has {len(columns)} cells")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"bench": name, "date": date.today().isoformat(), "machine": machine(),
                                "title": title, "columns": columns, "rows": rows, "notes": list(notes)},
                               ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nrecorded in {path.relative_to(Path(__file__).parents[1])}")
    return path


def read(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))


def markdown(name: str) -> str:
    """The table as the README shows it: a line saying what, where and when, the table, its notes."""
    r = read(name)
    out = [f"`bench/bench_{name}.py` — {r['title']} ({r['machine']}, {r['date']}):", "",
           "| " + " | ".join(r["columns"]) + " |", "|" + "---|" * len(r["columns"])]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in r["rows"]]
    if r["notes"]:
        out += [""] + r["notes"]
    return "\n".join(out)


def fmt(value: float, digits: int = 0) -> str:
    """A figure in the README's English typography: ``fmt(2218.4)`` → ``'2,218'``."""
    return f"{value:,.{digits}f}"
