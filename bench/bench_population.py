"""Speed and memory of the synthetic population against the targets of issue 3.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_population.py``). Each measure runs in a
child process (so its peak RSS is its own), side by side with its anchor in the same run:
- full build of Paris (generation + Parquet + layers), target 60 s and 6 GiB; anchor: writing
  the same two tables with a bare ``DataFrame.to_parquet`` (the I/O floor of any build);
- validation, target 30 s; anchor: one DuckDB count over the persons;
- loading 1 M real records through the schema (CSV written from the synthetic city), target 30 s;
  anchor: ``pandas.read_csv`` of the same files.
Prints persons per second.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from results import fmt, record  # noqa: E402


def _child(code: str) -> dict:
    wrapper = ("import json, resource, time\nout = {}\n" + code +
               "\nout['peak_rss_gib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20\n"
               "print(json.dumps(out))")
    done = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


SETUP = """
from pathlib import Path
from recoque.core.settings import load_settings
from recoque.core.store import create_store_engine, migrate
import secrets
settings = load_settings(var_dir=Path({var!r}), environment="test", secret_key=secrets.token_urlsafe(48))
engine = create_store_engine(settings.sqlalchemy_url); migrate(engine)
"""


def main() -> None:
    var = tempfile.mkdtemp(prefix="recoque-bench-pop-")
    setup = SETUP.format(var=var)
    build = _child(setup + """
from recoque.territory.service import build_territory
from recoque.population.service import build_population
from recoque.population.storage import connect
build_territory(settings, engine)
t0 = time.perf_counter(); r = build_population(settings, engine, seed=42, scale=1.0, force=True)
out['ours_s'] = time.perf_counter() - t0; out['persons'] = r.persons
con = connect(r.location)
tables = [con.execute(f'SELECT * FROM {t}').df() for t in ('persons', 'households')]
t0 = time.perf_counter()
for i, frame in enumerate(tables):
    frame.to_parquet(Path({var!r}) / f'anchor{i}.parquet')
out['anchor_s'] = time.perf_counter() - t0
""".replace("{var!r}", repr(var)))
    validation = _child(setup + """
from recoque.population.service import validate_population, current
from recoque.population.storage import connect
con = connect(Path(current(engine).location))
t0 = time.perf_counter(); con.execute('SELECT count(*) FROM persons').fetchall(); out['anchor_s'] = time.perf_counter() - t0
t0 = time.perf_counter(); validate_population(settings, engine); out['ours_s'] = time.perf_counter() - t0
""")
    load = _child(setup + """
import pandas as pd
from recoque.population.service import current, load_records
from recoque.population.storage import connect
con = connect(Path(current(engine).location))
persons = con.execute("SELECT * FROM persons WHERE arrondissement <= '75116'").df()
households = con.execute("SELECT * FROM households WHERE arrondissement <= '75116'").df()
folder = Path({var!r})
persons.to_csv(folder / 'p.csv', index=False); households.to_csv(folder / 'h.csv', index=False)
out['records'] = len(persons)
t0 = time.perf_counter(); pd.read_csv(folder / 'p.csv', dtype=str); pd.read_csv(folder / 'h.csv', dtype=str)
out['anchor_s'] = time.perf_counter() - t0
t0 = time.perf_counter(); load_records(settings, engine, persons_path=folder / 'p.csv', households_path=folder / 'h.csv')
out['ours_s'] = time.perf_counter() - t0
""".replace("{var!r}", repr(var)))

    rows = [
        (f"full build ({build['persons']:,} persons)", build, 60.0, 6.0),
        ("validation", validation, 30.0, None),
        (f"load {load['records']:,} real records (CSV)", load, 30.0, None),
    ]
    print(f"{'measure':<38}{'seconds':>9}{'target':>8}{'/target':>9}{'anchor s':>10}{'/anchor':>9}{'peak GiB':>10}")
    for name, r, target, rss_target in rows:
        print(f"{name:<38}{r['ours_s']:9.2f}{target:8.0f}{r['ours_s'] / target:9.2f}{r['anchor_s']:10.3f}"
              f"{r['ours_s'] / r['anchor_s']:9.1f}{r['peak_rss_gib']:10.2f}"
              + (f"  (memory target {rss_target:.0f} GiB)" if rss_target else ""))
    print(f"\nbuild: {build['persons'] / build['ours_s']:,.0f} persons per second; "
          f"load: {load['records'] / load['ours_s']:,.0f} records per second")
    print("/target <= 1 meets the issue's target; /anchor is the cost over the bare minimum.")
    met = lambda ok: "met" if ok else "**not met**"  # noqa: E731
    record("population", title="the synthetic population of Paris, each measure in a fresh process", columns=[
        "measure", "seconds", "target", "anchor"], rows=[
        [f"full build, {fmt(build['persons'])} persons (≈ {fmt(build['persons'] / build['ours_s'])} "
         f"persons/s), peak {build['peak_rss_gib']:.1f} GiB", f"{build['ours_s']:.1f}",
         f"60, 6 GiB: {met(build['ours_s'] <= 60 and build['peak_rss_gib'] <= 6)}",
         f"{build['anchor_s']:.1f} (bare `to_parquet` of the output)"],
        ["validation report", f"{validation['ours_s']:.1f}", f"30: {met(validation['ours_s'] <= 30)}",
         f"{validation['anchor_s']:.2f} (one DuckDB count)"],
        [f"loading {fmt(load['records'])} real records from CSV through the schema", f"{load['ours_s']:.1f}",
         f"30: {met(load['ours_s'] <= 30)}", f"{load['anchor_s']:.1f} (bare `read_csv`)"],
    ])


if __name__ == "__main__":
    main()
