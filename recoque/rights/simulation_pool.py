"""The anonymous simulator's own processes, so that OpenFisca's CPU-bound work never runs in the
web server's process, and a bounded queue in front of them.

A simulation takes OpenFisca one to two seconds of pure Python. Run in the server's threads, four
at once held the interpreter lock and slowed every other request (health, maps, the register).
Here they run in ``RECOQUE_SIMULATION_WORKERS`` worker processes (spawned, each warmed with the
tax-benefit system once); at most ``RECOQUE_SIMULATION_QUEUE`` more wait, and beyond that a
caller is told to come back (``Busy``: HTTP 429 with Retry-After, a French page on /aides).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from recoque.core.errors import RecoqueError

SECONDS_PER_SIMULATION = 2  # what Retry-After promises per simulation ahead in the queue


class Busy(RecoqueError):
    """Every worker is busy and the queue is full."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"the simulator is busy: try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


def _warm() -> None:
    from recoque.rights import bridge

    bridge.tax_benefit_system()


def simulate_situation(data: dict) -> dict:
    """In a worker: one simulation from the situation's fields (what crosses the process boundary)."""
    from recoque.rights.simulator import Situation, simulate

    return simulate(Situation.model_validate(data))


class SimulationPool:
    def __init__(self, workers: int, queue: int, function: Callable[[dict], dict] = simulate_situation,
                 warm: Callable[[], None] | None = _warm) -> None:
        self.workers, self.queue, self.function, self._warm = workers, queue, function, warm
        self._slots = threading.BoundedSemaphore(workers + queue)
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                     initializer=self._warm)
            return self._executor

    async def run(self, data: dict) -> dict:
        """The simulation's result, computed in a worker; ``Busy`` at once when the queue is full."""
        if not self._slots.acquire(blocking=False):
            raise Busy(SECONDS_PER_SIMULATION * (1 + self.queue // max(self.workers, 1)))
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool(), self.function, data)
        finally:
            self._slots.release()

    def shutdown(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None
