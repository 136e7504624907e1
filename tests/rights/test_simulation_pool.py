"""The simulator's worker processes and their bounded queue: a full queue answers 429 at once,
and the web server's own process stays free while OpenFisca computes."""

from __future__ import annotations

import asyncio
import os
import time

from recoque.rights.simulation_pool import Busy, SimulationPool


def slow(data: dict) -> dict:
    """Stands for OpenFisca in a worker: takes its time, reports where it ran."""
    time.sleep(data["seconds"])
    return {"pid": os.getpid()}


def test_a_full_queue_is_refused_at_once_and_the_rest_run_elsewhere():
    pool = SimulationPool(workers=1, queue=1, function=slow, warm=None)

    async def burst():
        started = time.monotonic()
        tasks = [asyncio.create_task(pool.run({"seconds": 1.0})) for _ in range(4)]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        return results, time.monotonic() - started

    try:
        results, _ = asyncio.run(burst())
    finally:
        pool.shutdown()
    refused = [r for r in results if isinstance(r, Busy)]
    done = [r for r in results if isinstance(r, dict)]
    assert len(done) == 2 and len(refused) == 2  # one running, one waiting, two told to come back
    assert all(r.retry_after_s >= 2 for r in refused)
    assert {r["pid"] for r in done} != {os.getpid()}  # computed in a worker, not in this process


def test_the_event_loop_stays_free_while_a_simulation_runs():
    pool = SimulationPool(workers=1, queue=0, function=slow, warm=None)

    async def meanwhile():
        job = asyncio.create_task(pool.run({"seconds": 1.5}))
        await asyncio.sleep(0.3)  # the worker is busy now
        ticks, t0 = 0, time.monotonic()
        while not job.done():
            await asyncio.sleep(0.01)
            ticks += 1
        return ticks, time.monotonic() - t0

    try:
        ticks, waited = asyncio.run(meanwhile())
    finally:
        pool.shutdown()
    assert waited > 0.5 and ticks > waited / 0.01 * 0.5  # the loop kept turning at its pace


def test_the_api_answers_429_with_retry_after_when_the_simulator_is_full(client):
    pool = client.app.state.simulations
    real = pool._slots
    import threading

    pool._slots = threading.BoundedSemaphore(1)
    pool._slots.acquire()  # as if one simulation were running and the queue were full
    try:
        situation = {"age": 40, "tenure": "private_rent", "rent": 600, "arrondissement": "75118"}
        r = client.post("/api/v1/rights/simulate", json=situation)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 2
        page = client.post("/aides", data={"age": "40", "tenure": "private_rent", "rent": "600",
                                           "arrondissement": "75118"})
        assert page.status_code == 429 and "très demandé" in page.text
    finally:
        pool._slots = real
    # and with room again, the same situation is computed (in the pool's worker)
    r = client.post("/api/v1/rights/simulate", json=situation)
    assert r.status_code == 200 and r.json()["month"] and isinstance(r.json()["aids"], list)
