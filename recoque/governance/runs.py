"""Runs of registered algorithms and their footprint, summed per algorithm for the register."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from recoque.core.models import Build, DataRevision
from recoque.core.store import session_scope
from recoque.governance.algorithms import ALGORITHMS
from recoque.governance.footprint import Footprint
from recoque.governance.models import AlgorithmRun, BiasAudit


def record_run(session: Session, algorithm_id: str, footprint: Footprint, items: int) -> None:
    """Inside the caller's transaction: one run of a declared algorithm."""
    declared = ALGORITHMS[algorithm_id]
    session.add(AlgorithmRun(algorithm_id=algorithm_id, algorithm_version=declared.version,
                             started_at=datetime.now(UTC), seconds=footprint.seconds,
                             energy_kwh=footprint.energy_kwh, co2_g=footprint.co2_g,
                             method=footprint.method, items=items))


def footprint_by_algorithm(engine: Engine) -> dict[str, dict]:
    with session_scope(engine) as session:
        rows = session.execute(
            select(AlgorithmRun.algorithm_id, func.count(), func.sum(AlgorithmRun.energy_kwh),
                   func.sum(AlgorithmRun.co2_g), func.max(AlgorithmRun.started_at))
            .group_by(AlgorithmRun.algorithm_id)).all()
    return {a: {"runs": n, "energy_kwh": float(e or 0.0), "co2_g": float(c or 0.0),
                "last_run": last.isoformat() if last else None} for a, n, e, c, last in rows}


def open_data_version(engine: Engine) -> tuple:
    """What the open reads (territory, layers, register) depend on, as a tuple that changes with
    every build, run, bias audit and change of layer values: the read cache's key."""
    with engine.connect() as conn:
        return tuple(conn.execute(select(func.max(Build.id)).union_all(
            select(func.max(AlgorithmRun.id)), select(func.max(BiasAudit.id)),
            select(DataRevision.revision).where(DataRevision.name == "layers"))).scalars())
