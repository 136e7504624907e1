"""The README's benchmark tables are what the benchmarks recorded (bench/results/*.json), never
typed by hand: a table that differs from its file, a table without a file or a file shown
nowhere fails here. `make bench` measures again and rewrites them."""

from __future__ import annotations

import importlib.util
import json

from recoque.core.settings import PROJECT_ROOT

BENCH = PROJECT_ROOT / "bench"


def _readme_module():
    spec = importlib.util.spec_from_file_location("bench_readme", BENCH / "readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_benchmark_table_is_its_recorded_result():
    readme = _readme_module()
    shown = set()
    for path in readme.documents():
        text = path.read_text(encoding="utf-8")
        names = readme.blocks(text)
        shown |= set(names)
        for name in names:
            assert (BENCH / "results" / f"{name}.json").is_file(), f"{path.name}: no recorded result for {name}"
        assert readme.render(text) == text, f"{path.name}: a benchmark table differs from bench/results — " \
                                            "run `python bench/readme.py --write` after `make bench`"
    recorded = {p.stem for p in (BENCH / "results").glob("*.json")}
    assert recorded == shown, f"recorded but shown nowhere: {recorded - shown}; shown without a record: {shown - recorded}"
    assert {"territory", "population", "journal", "rights", "heat", "api", "flood", "twin_heat"} <= shown


def test_each_recorded_result_says_when_and_where_and_whether_its_target_is_met():
    for path in (BENCH / "results").glob("*.json"):
        r = json.loads(path.read_text(encoding="utf-8"))
        assert r["date"] and "cores" in r["machine"] and r["rows"], path.name
        for row in r["rows"]:
            target = row[r["columns"].index("target")] if "target" in r["columns"] else ""
            assert not target or "met" in target or target.startswith("none"), (path.name, row)   # says if it is met
