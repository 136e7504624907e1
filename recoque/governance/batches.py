"""Human validation before anything leaves the system: services submit batches of outputs about
people; a supervisor validates (each output is then journaled with the supervisor as validator)
or rejects (nothing is journaled or sent)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from recoque.core.errors import RecoqueError
from recoque.core.store import session_scope
from recoque.governance.journal import Decision, append
from recoque.governance.models import OutputBatch


class BatchError(RecoqueError):
    """The batch cannot be decided as asked."""


def submit(engine: Engine, algorithm_id: str, decisions: list[Decision]) -> int:
    """Hold ``decisions`` for a supervisor; returns the batch id."""
    if not decisions:
        raise BatchError("an empty batch has nothing to validate")
    if any(d.algorithm_id != algorithm_id for d in decisions):
        raise BatchError("a batch holds the outputs of one algorithm")
    with session_scope(engine) as session:
        batch = OutputBatch(algorithm_id=algorithm_id, created_at=datetime.now(UTC), status="pending",
                            items=[asdict(d) for d in decisions])
        session.add(batch)
        session.flush()
        return batch.id


def pending(engine: Engine) -> list[OutputBatch]:
    with session_scope(engine) as session:
        return list(session.scalars(select(OutputBatch).where(OutputBatch.status == "pending")
                                    .order_by(OutputBatch.id)))


def _decide(engine: Engine, batch_id: int, supervisor: str) -> OutputBatch:
    with session_scope(engine) as session:
        batch = session.get(OutputBatch, batch_id)
        if batch is None or batch.status != "pending":
            raise BatchError(f"no pending batch {batch_id}")
        return batch


def validate(engine: Engine, batch_id: int, *, supervisor: str) -> list[int]:
    """Journal every output of the batch with ``supervisor`` as validator; mark it validated."""
    batch = _decide(engine, batch_id, supervisor)
    decisions = [Decision(**(item | {"validator": supervisor})) for item in batch.items]
    ids = append(engine, decisions)
    with session_scope(engine) as session:
        row = session.get(OutputBatch, batch_id)
        row.status, row.decided_by, row.decided_at, row.first_entry_id = "validated", supervisor, datetime.now(UTC), ids[0]
    return ids


def reject(engine: Engine, batch_id: int, *, supervisor: str, reason: str) -> None:
    if len(reason.strip()) < 3:
        raise BatchError("say why the batch is rejected")
    _decide(engine, batch_id, supervisor)
    with session_scope(engine) as session:
        row = session.get(OutputBatch, batch_id)
        row.status, row.decided_by, row.decided_at, row.reason = "rejected", supervisor, datetime.now(UTC), reason
