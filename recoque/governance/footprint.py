"""Energy and carbon of a computation, measured and shown to its user.

``with measure() as m: ...`` then ``m.result``: seconds, kWh, gCO2e and the method. CodeCarbon's
offline tracker (France) measures the process's energy — the whole machine's with
``with_workers=True``, for work done in worker processes; if it cannot run, a stated TDP model
(CPU time × watts per core) stands in, and the method says so. That CPU time counts the worker
processes that ended inside the block (``os.times``' children), so a screening on two
processes is not counted as one.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from recoque.core.parameters import ParameterFile

PARAMETERS = ParameterFile(__file__, "footprint.yaml")


@dataclass(frozen=True)
class Footprint:
    seconds: float
    energy_kwh: float
    co2_g: float
    method: str

    def as_dict(self) -> dict:
        return asdict(self)

    def label(self) -> str:
        """French label shown beside an output, e.g. « 0,42 Wh · 0,018 gCO2e (mesuré : CodeCarbon) »."""
        wh = self.energy_kwh * 1000
        carbon = f"{self.co2_g:.3g} gCO2e" if self.co2_g >= 0.01 else f"{self.co2_g * 1000:.3g} mgCO2e"
        return f"{wh:.3g} Wh · {carbon} ({self.method})".replace(".", ",")


class _Holder:
    result: Footprint | None = None


def _carbon(kwh: float) -> float:
    return kwh * PARAMETERS.value("grid_kgco2e_per_kwh") * 1000.0


def _cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@contextmanager
def measure(*, use_codecarbon: bool = True, with_workers: bool = False) -> Iterator[_Holder]:
    holder = _Holder()
    tracker = None
    if use_codecarbon:
        try:
            from codecarbon import OfflineEmissionsTracker

            logging.getLogger("codecarbon").setLevel(logging.ERROR)
            tracker = OfflineEmissionsTracker(country_iso_code="FRA", save_to_file=False, log_level="error",
                                              tracking_mode="machine" if with_workers else "process",
                                              measure_power_secs=1)
            tracker.start()
        except Exception:  # no CodeCarbon, or it cannot read this machine: fall back, say so
            tracker = None
    wall, cpu = time.perf_counter(), _cpu_seconds()
    try:
        yield holder
    finally:
        seconds, cpu_seconds = time.perf_counter() - wall, _cpu_seconds() - cpu
        energy = None
        if tracker is not None:
            try:
                tracker.stop()
                data = tracker.final_emissions_data
                energy = float(data.energy_consumed) if data is not None else None
            except Exception:
                energy = None
        if energy is not None:
            method = ("mesuré : CodeCarbon, machine entière, réseau français"
                      if with_workers else "mesuré : CodeCarbon, réseau français")
        else:
            energy = cpu_seconds * PARAMETERS.value("cpu_watts_per_core") / 3.6e6
            method = "estimé : temps CPU des processus × puissance par cœur"
        holder.result = Footprint(round(seconds, 3), energy, _carbon(energy), method)
