"""Speed and memory of the heat watch against the targets of issue 6.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_heat.py [--var DIR]``). Builds in a
temporary var/ the territory and the full population (seed 42), draws the synthetic REFLEX
register, then in a fresh child process (its peak memory sampled every 0.2 s):

1. score all of Paris (~2.1 M persons, read from the population's Parquet) and build the day's
   plan for 40 operators: target ≤ 10 s; side by side in the same run, on the same persons, the
   same score as one writes it in pandas, vectorised (the anchor: a frame of the factors
   present, times the odds ratios, product across the row; equal multipliers asserted), as
   persons per second and their ratio;
2. the nearest open cool place and the nearest fountain for every person at risk: target ≤ 10 s;
   anchor side by side: GeoPandas ``sjoin_nearest`` on the same points and places (results
   compared: same places, same distances);
3. peak memory of the child process: target ≤ 4 GiB.

Also printed, not a target: the full ``recoque heat score`` service (journal of every person at
risk, bias audit, layers) on the same population.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import secrets
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from results import fmt, record  # noqa: E402

DAY = date(2026, 7, 15)   # a Wednesday in summer (opening hours)


def _settings(var: Path):
    from recoque.core.settings import PROJECT_ROOT, load_settings

    return load_settings(data_dir=PROJECT_ROOT / "data", var_dir=var, environment="test", footprint_meter="cpu-time",
                         secret_key=secrets.token_urlsafe(48))


def prepare(var: Path) -> None:
    from recoque.core.store import create_store_engine, migrate
    from recoque.heat import service
    from recoque.population.service import build_population, latest
    from recoque.territory.service import build_territory

    settings = _settings(var)
    engine = create_store_engine(settings.sqlalchemy_url)
    migrate(engine)
    if latest(engine) is None:
        t = time.perf_counter()
        build_territory(settings, engine)
        build_population(settings, engine, seed=42, scale=1.0)
        print(f"territory and full population built in {time.perf_counter() - t:.0f} s (not timed below)")
    if not service.registered_ids(engine):
        print(f"synthetic REFLEX register: {service.build_synthetic_registry(settings, engine):,} people")


def pandas_anchor(persons: pd.DataFrame, heat_class: np.ndarray) -> np.ndarray:
    """The anchor: the same product of odds ratios as one writes it in pandas, vectorised — a
    boolean frame of the factors present, each column turned into its odds ratio or 1, the
    product across the row."""
    from recoque.heat.vulnerability import PARAMETERS

    factors = PARAMETERS["factors"]
    present = pd.DataFrame({
        "bedridden": persons["bedridden"], "dependency": persons["dependency_gir"].between(1, 4),
        "chronic_illness": persons["chronic_illness"], "age_75": persons["age"] >= 75,
        "living_alone": persons["living_alone"], "under_roof": persons["under_roof"],
        "no_phone": persons["contactability"] == "none", "night_heat_high": pd.Series(heat_class == 3, persons.index),
        "night_heat_medium": pd.Series(heat_class == 2, persons.index),
        "air_conditioning": persons["air_conditioning"]})[list(factors)].astype(bool)
    ratios = pd.Series({name: f["odds_ratio"] for name, f in factors.items()})
    return present.mul(ratios).where(present, 1.0).prod(axis=1).to_numpy()


def child(var: str, queue) -> None:
    import geopandas as gpd

    from recoque.core.store import create_store_engine
    from recoque.heat import planning, service, vulnerability
    from recoque.population import service as population_service
    from recoque.territory import coolplaces

    warnings.simplefilter("ignore")
    settings = _settings(Path(var))
    engine = create_store_engine(settings.sqlalchemy_url)
    registered = service.registered_ids(engine)
    coolplaces.places(), coolplaces.fountains()   # the bundled lists, read once per process
    out = {}

    t0 = time.perf_counter()
    persons = population_service.read_persons(engine)
    classes = service.heat_classes(engine, persons["iris"])
    s = vulnerability.score(persons, classes)
    t_score = time.perf_counter() - t0
    people = pd.DataFrame({"person_id": persons["person_id"].to_numpy()[s.public], "score": s.score[s.public],
                           "at_risk": s.at_risk[s.public]})
    people["registered"] = people["person_id"].isin(registered)
    people = people[people["registered"] | people["at_risk"]]
    empty = planning.person_state(pd.DataFrame(columns=["person_id", "at", "outcome"]), pd.Timestamp(DAY))
    plan = planning.plan(pd.Timestamp(DAY), people, empty, set(), planning.capacity())
    t_plan = time.perf_counter() - t0
    out.update(persons=len(persons), at_risk=int(s.at_risk.sum()), registered=len(registered), planned=len(plan),
               score_s=t_score, score_plan_s=t_plan)

    t = time.perf_counter()
    vec = vulnerability.score(persons, classes).multiplier
    t_vec = time.perf_counter() - t
    t = time.perf_counter()
    anchor = pandas_anchor(persons, classes)
    t_row = time.perf_counter() - t
    assert np.allclose(vec, anchor, rtol=1e-5), "the anchor and the score disagree"
    out.update(sample=len(persons), vec_s=t_vec, row_s=t_row)

    risk = persons[s.at_risk]
    x, y = risk["x"].to_numpy(), risk["y"].to_numpy()
    t = time.perf_counter()
    near = coolplaces.nearest_open(x, y, DAY)
    t_near = time.perf_counter() - t
    places = coolplaces.places()
    open_places = places[coolplaces.open_mask(places, DAY)]
    t = time.perf_counter()
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=2154)
    pl = gpd.GeoDataFrame({"pid": open_places.index}, geometry=gpd.points_from_xy(open_places["x"], open_places["y"]),
                          crs=2154)
    fo = coolplaces.fountains()
    fg = gpd.GeoDataFrame({"fid": fo.index}, geometry=gpd.points_from_xy(fo["x"], fo["y"]), crs=2154)
    a = gpd.sjoin_nearest(pts, pl, distance_col="d").groupby(level=0).first()
    b = gpd.sjoin_nearest(pts, fg, distance_col="d").groupby(level=0).first()
    t_gpd = time.perf_counter() - t
    detour = coolplaces.PARAMETERS["walking"]["detour_factor"]["value"]
    assert np.allclose(near["place_m"].to_numpy(), (a["d"].to_numpy() * detour).round(0), atol=1.0)
    assert np.allclose(near["fountain_m"].to_numpy(), (b["d"].to_numpy() * detour).round(0), atol=1.0)
    out.update(near_points=len(risk), near_s=t_near, gpd_s=t_gpd)
    queue.put(out)


def main() -> None:
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, default=None, help="reuse a var/ folder holding a full population")
    parser.add_argument("--skip-service", action="store_true", help="skip the full `recoque heat score` service run")
    args = parser.parse_args()
    var = args.var or Path(tempfile.mkdtemp(prefix="recoque-bench-heat-"))
    prepare(var)
    from bench_rights import PeakMemory

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=child, args=(str(var), queue))
    proc.start()
    with PeakMemory(proc.pid) as peak:
        r = queue.get()
        proc.join()
    gib = peak.gib

    print(f"\n1. Score {r['persons']:,} persons ({r['at_risk']:,} at risk, {r['registered']:,} registered) "
          f"and plan the day ({r['planned']:,} calls of 40 operators)")
    print(f"   score {r['score_s']:.2f} s, score + plan {r['score_plan_s']:.2f} s   target ≤ 10 s   "
          f"{'PASS' if r['score_plan_s'] <= 10 else 'FAIL'} ({r['score_plan_s'] / 10:.2f} of the budget)")
    vec, row = r["sample"] / r["vec_s"], r["sample"] / r["row_s"]
    print(f"   the score alone on the same {r['sample']:,} persons: {vec:,.0f} persons/s; anchor pandas, vectorised "
          f"(factor frame × odds ratios, row product) {row:,.0f} persons/s: ratio {vec / row:,.1f}× (same multipliers)")
    print(f"2. Nearest open cool place and fountain for {r['near_points']:,} people at risk: {r['near_s']:.2f} s   "
          f"target ≤ 10 s   {'PASS' if r['near_s'] <= 10 else 'FAIL'}; anchor GeoPandas sjoin_nearest "
          f"{r['gpd_s']:.2f} s (same results): ratio {r['gpd_s'] / r['near_s']:.1f}×")
    print(f"3. Peak memory of the child (RSS sampled every 0.2 s): {gib:.2f} GiB   target ≤ 4 GiB   "
          f"{'PASS' if gib <= 4 else 'FAIL'}")

    met = lambda ok: "met" if ok else "**not met**"  # noqa: E731
    rows = [
        [f"score {fmt(r['persons'])} persons (read from Parquet) and build the day's plan ({fmt(r['planned'])} calls)",
         f"{r['score_plan_s']:.2f} s (score {r['score_s']:.2f} s)", f"≤ 10 s: {met(r['score_plan_s'] <= 10)}", ""],
        [f"the score alone, same {fmt(r['sample'])} persons", f"{vec / 1e6:.1f} M persons/s", "",
         f"pandas, vectorised (frame of the factors present × odds ratios, product across the row), same "
         f"multipliers: {row / 1e6:.1f} M persons/s ({vec / row:.1f}× slower)"],
        [f"nearest open cool place and fountain for the {fmt(r['near_points'])} people at risk", f"{r['near_s']:.2f} s",
         f"≤ 10 s: {met(r['near_s'] <= 10)}",
         f"GeoPandas `sjoin_nearest`, same results: {r['gpd_s']:.2f} s (≈ {r['gpd_s'] / r['near_s']:.0f}×)"],
        ["peak memory of that process", f"{gib:.2f} GiB", f"≤ 4 GiB: {met(gib <= 4)}", ""],
    ]
    if not args.skip_service:
        from recoque.core.store import create_store_engine
        from recoque.heat import service

        settings = _settings(var)
        engine = create_store_engine(settings.sqlalchemy_url)
        t = time.perf_counter()
        build = service.score_population(settings, engine)
        service_s = time.perf_counter() - t
        print(f"(not a target) full `recoque heat score` service: {service_s:.1f} s, "
              f"{build.details['journal_entries']:,} explanations journaled, bias audit and layers")
        rows.append([f"full `recoque heat score` (with {fmt(build.details['journal_entries'])} journal entries, bias "
                     "audit, layers) — not a target", f"{service_s:.0f} s", "", ""])
        rows.append(reach_2003(service.backtest_people(engine)))
    record("heat", title="the heat watch, full Paris seed 42, in a child process", rows=rows,
           columns=["measure", "value", "target", "anchor"])


def reach_2003(people) -> list[str]:
    """4. The 2003 summer replayed at the default capacity and split, beside the registry-only
    baseline (registrants only, as the old register worked): the share of the people at risk
    reached at least once so far, day by day, registered and not."""
    from recoque.heat import backtest

    ours = backtest.replay(2003, people)
    base = backtest.replay(2003, people, registry_only=True)
    at_risk = ours["at_risk"]
    registered_at_risk = int((people["registered"] & people["at_risk"]).sum())
    print(f"\n4. 2003 backtest, {ours['calls_per_day']:,} calls a day, {at_risk:,} people at risk "
          f"({registered_at_risk:,} registered); share of the people at risk reached so far")
    print("   day          Recoque: registered  unregistered   total   | registry only: total")
    for d, b in zip([d for d in ours["days"] if "episode" in d], [d for d in base["days"] if "episode" in d]):
        r, u = d["reached_so_far_registered"], d["reached_so_far_unregistered"]
        rb = b["reached_so_far_registered"] + b["reached_so_far_unregistered"]
        print(f"   {d['date']}   {r / at_risk:8.2%}  {u / at_risk:12.2%}   {(r + u) / at_risk:6.2%}   | {rb / at_risk:6.2%}")
    print(f"   at risk reached at least once: Recoque {ours['at_risk_reached']:,} ({ours['at_risk_reached'] / at_risk:.1%}), "
          f"registry only {base['at_risk_reached']:,} ({base['at_risk_reached'] / at_risk:.1%})")
    for band in ours["bands"]:
        print(f"   band {band['band']:>10} (≥ {band['min_score']}): {band['people']:,} people, reached "
              f"{band['reached']:,} ({band['reached_unregistered']:,} unregistered), never reached {band['never_reached']:,}")
    reached_registered = sum(b["reached"] - b["reached_unregistered"] for b in ours["bands"])
    reached_unregistered = sum(b["reached_unregistered"] for b in ours["bands"])
    return [f"2003 replay at the default capacity ({fmt(ours['calls_per_day'])} calls a day) and split, share of the "
            f"{fmt(at_risk)} people at risk at home reached at least once",
            f"{ours['at_risk_reached'] / at_risk:.1%} ({fmt(ours['at_risk_reached'])}: {fmt(reached_registered)} registered, "
            f"{fmt(reached_unregistered)} unregistered)", "",
            f"registry only (registrants only, the old way): {base['at_risk_reached'] / at_risk:.1%} "
            f"({fmt(base['at_risk_reached'])})"]


if __name__ == "__main__":
    main()
