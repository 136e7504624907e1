"""Speed and memory of the territory, against the targets of issue 2 and a plain anchor.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_territory.py``). Prints, side by side in
one run: each measure, its target, the ratio to the target (<= 1 meets it), and the ratio to an
anchor doing the bare minimum with the same libraries:
- territory load vs a plain ``geopandas.read_file`` / ``pandas.read_*`` of the same files
  (no harmonisation, no checks);
- grids vs a single ``rasterio.features.rasterize`` of the IRIS ids at the same resolution;
- `recoque up`: first start (fresh var/) and a later start, until the map's data is served.
Grids run in a child process so that their peak memory (ru_maxrss) is their own.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from results import record  # noqa: E402

DATA = ROOT / "data"


def _child(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints a JSON dict; add the child's peak RSS."""
    wrapper = code + "\nimport resource, json, sys\n" \
        "out['peak_rss_gib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20\n" \
        "print(json.dumps(out))"
    done = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_load() -> dict:
    code = f"""
import time
import geopandas as gpd, pandas as pd, json
from recoque.territory import load_territory
from recoque.territory.sources import SOURCES
data = {str(DATA)!r}
t0 = time.perf_counter()
for s in SOURCES.values():
    p = data + '/' + s.path
    if s.kind == 'vector':
        gpd.read_file(('zip://' if s.zipped else '') + p, engine='pyogrio')
    elif s.kind == 'csv':
        pd.read_csv(p, sep=s.csv_sep, low_memory=False)
    elif s.kind == 'excel':
        pd.read_excel(p)
    else:
        pd.DataFrame.from_records(json.load(open(p)))
anchor = time.perf_counter() - t0
t0 = time.perf_counter()
load_territory(data)
ours = time.perf_counter() - t0
out = {{'ours_s': ours, 'anchor_s': anchor}}
"""
    return _child(code)


def bench_grid(resolution: float) -> dict:
    code = f"""
import time
import rasterio.features
from affine import Affine
from recoque.territory import load_territory
t = load_territory({str(DATA)!r})
xmin, ymin, xmax, ymax = t.bounds
r = {resolution}
w, h = int((xmax - xmin) // r) + 1, int((ymax - ymin) // r) + 1
t0 = time.perf_counter()
rasterio.features.rasterize(zip(t.iris.geometry.values, range(len(t.iris))), out_shape=(h, w),
                            transform=Affine(r, 0, xmin, 0, -r, ymax), fill=-1, dtype='int32')
anchor = time.perf_counter() - t0
t0 = time.perf_counter()
from recoque.territory.grid import rasterise
g = rasterise(t, resolution_m=r)
ours = time.perf_counter() - t0
out = {{'ours_s': ours, 'anchor_s': anchor, 'cells': int(g.sizes['x'] * g.sizes['y'])}}
"""
    return _child(code)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _time_up(var: Path) -> float:
    port = _free_port()
    env = dict(os.environ, RECOQUE_VAR_DIR=str(var), RECOQUE_PORT=str(port))
    recoque = Path(sys.executable).with_name("recoque")
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(recoque), "up"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/api/v1/layers/personnes_agees_seules?level=iris"
        while time.perf_counter() - t0 < 300:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200 and urllib.request.urlopen(f"http://127.0.0.1:{port}/carte").status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("recoque up did not serve within 300 s")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def bench_up() -> dict:
    var = Path(tempfile.mkdtemp(prefix="recoque-bench-"))
    try:
        return {"first_s": _time_up(var), "later_s": _time_up(var)}
    finally:
        shutil.rmtree(var, ignore_errors=True)


def main() -> None:
    rows = []
    load = bench_load()
    rows.append(("territory load", load["ours_s"], 5.0, load["anchor_s"], load["peak_rss_gib"], None))
    for res, target in ((25.0, 10.0), (5.0, 60.0)):
        g = bench_grid(res)
        rows.append((f"grid {res:g} m ({g['cells']:,} cells)", g["ours_s"], target, g["anchor_s"],
                     g["peak_rss_gib"], 4.0 if res == 5.0 else None))
    up = bench_up()
    rows.append(("recoque up, first start", up["first_s"], 120.0, None, None, None))
    rows.append(("recoque up, later start", up["later_s"], 10.0, None, None, None))

    print(f"{'measure':<34}{'seconds':>9}{'target':>8}{'/target':>9}{'anchor s':>10}{'/anchor':>9}{'peak GiB':>10}")
    for name, ours, target, anchor, rss, rss_target in rows:
        anchor_txt = f"{anchor:10.2f}{ours / anchor:9.1f}" if anchor else f"{'':>10}{'':>9}"
        rss_txt = f"{rss:10.2f}" if rss is not None else f"{'':>10}"
        print(f"{name:<34}{ours:9.2f}{target:8.0f}{ours / target:9.2f}{anchor_txt}{rss_txt}")
        if rss_target is not None:
            print(f"{'  memory':<34}{'':>9}{'':>8}{'':>9}{'':>10}{'':>9}   {rss:.2f}/{rss_target:.0f} GiB")
    print("\n/target <= 1 meets the issue's target; /anchor is the cost over the bare library call.")
    print(f"machine: {os.cpu_count()} cores; max RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")
    labels = {"territory load": "territory load (all files, harmonised, checked)",
              "recoque up, first start": "`recoque up`, first start to a served map (territory + population + validation)",
              "recoque up, later start": "`recoque up`, later start"}
    table = []
    for name, ours, target, anchor, rss, rss_target in rows:
        label = labels.get(name, name)
        if rss_target is not None:
            label += f", peak memory {rss:.2f} GiB"
        met = "met" if ours <= target and (rss_target is None or rss <= rss_target) else "**not met**"
        table.append([label, f"{ours:.1f}", f"{target:g}" + (f", {rss_target:g} GiB" if rss_target else "") + f": {met}",
                      f"{anchor:.2f} ({'plain reads' if name == 'territory load' else 'one rasterize'})" if anchor else ""])
    record("territory", title="the territory and its grids, each in a fresh process", rows=table,
           columns=["measure", "seconds", "target", "anchor (bare call)"])


if __name__ == "__main__":
    main()
