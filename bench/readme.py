"""Render the benchmark tables of README.md (and docs/*.md) from ``bench/results/*.json``.

A table lives between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``. ``--write`` rewrites
them (``make bench`` does, after the benchmarks); ``--check`` (the default) exits 1 and names the
tables that differ from their results, as the test suite does.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from results import RESULTS, markdown  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"(<!-- bench:(?P<name>[\w-]+) -->\n)(?P<body>.*?)\n?(<!-- /bench:(?P=name) -->)", re.S)


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def render(text: str) -> str:
    return BLOCK.sub(lambda m: m.group(1) + markdown(m.group("name")) + "\n" + m.group(4), text)


def blocks(text: str) -> list[str]:
    return [m.group("name") for m in BLOCK.finditer(text)]


def main(argv: list[str]) -> int:
    write = "--write" in argv
    stale = []
    for path in documents():
        text = path.read_text(encoding="utf-8")
        rendered = render(text)
        if rendered != text:
            if write:
                path.write_text(rendered, encoding="utf-8")
                print(f"rewrote {path.relative_to(ROOT)}: {', '.join(blocks(text))}")
            else:
                stale.append(str(path.relative_to(ROOT)))
    unused = {p.stem for p in RESULTS.glob("*.json")} - {n for p in documents() for n in blocks(p.read_text())}
    if unused:
        print(f"results shown nowhere: {sorted(unused)}")
    if stale:
        print(f"tables that differ from bench/results: {stale} — run `python bench/readme.py --write`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
