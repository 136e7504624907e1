"""The decision journal: append-only, hash-chained (EU AI Act art. 12 logging).

Every output about a person is appended with its algorithm and version, the subject's
pseudonym, a digest of all inputs plus the inputs its explanation needs, the output, the
explanation payload, the human validator, the footprint, a timestamp, and the hash of the
previous entry. There is no update or delete path here, and the database refuses both.
``verify`` recomputes the chain and names the first altered, removed or reordered entry; given
the signed heads published outside the database (``recoque.governance.checkpoints``), it also
finds a chain its database administrator rewrote and recomputed.

The hash covers the exact text the store holds (JSON is always written in one canonical form,
``recoque.core.store.canonical_json``), so verifying needs no JSON decoding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, Text, bindparam, cast, func, insert, select, update

from recoque.core.errors import RecoqueError
from recoque.core.store import canonical_json, detached_get, session_scope
from recoque.governance.models import JournalEntry, JournalHead

GENESIS = "0" * 64
HASHED_FIELDS = ("algorithm_id", "algorithm_version", "subject", "inputs_digest", "inputs", "output",
                 "explanation", "validator", "footprint", "references", "created_at", "previous_hash")
JSON_FIELDS = frozenset({"inputs", "output", "explanation", "footprint"})
_TABLE = JournalEntry.__table__
# statements built once (appends are a hot path)
_LOCK_HEAD = (update(JournalHead).where(JournalHead.id == 1)
              .values(entries=JournalHead.entries + bindparam("n")).returning(JournalHead.last_hash))
_INSERT = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)
_MOVE_HEAD = update(JournalHead).where(JournalHead.id == 1).values(last_hash=bindparam("last_hash"))
# what is journaled without being an algorithm of the public register: administrative acts whose
# trace must be as tamper-evident as the decisions (who was given which rights, and when)
PROCEDURES = {"agent-accounts": "Gestion des comptes des agents (création, désactivation, rôle, mot de passe)"}


@dataclass(frozen=True)
class Decision:
    """What a service hands to the journal about one person (or one batch item)."""

    algorithm_id: str
    algorithm_version: str
    subject: str | None
    inputs: dict            # the inputs the explanation needs
    output: dict
    explanation: dict
    validator: str | None = None
    footprint: dict = field(default_factory=dict)
    references: int | None = None   # a previous entry this one answers (e.g. a contest outcome)
    all_inputs: dict | None = None  # everything the algorithm read, digested (default: inputs)


def digest(value: object) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def hash_texts(texts: Iterable[str | None]) -> str:
    """SHA-256 over the fields' stored texts, in HASHED_FIELDS order (NUL marks a NULL)."""
    h = hashlib.sha256()
    for name, value in zip(HASHED_FIELDS, texts):
        h.update(f"{name}\x1f{chr(0) if value is None else value}\x1e".encode())
    return h.hexdigest()


def _text(name: str, value: object) -> str | None:
    if value is None:
        return None
    return canonical_json(value) if name in JSON_FIELDS else str(value)


class JournalError(RecoqueError):
    """A decision cannot be journaled (e.g. its algorithm is not in the register)."""


def append(engine: Engine, decisions: Iterable[Decision]) -> list[int]:
    """Append ``decisions`` in one transaction, chained after the current head. Safe with
    concurrent writers in several processes: the head row is written (locked) first."""
    from recoque.governance.register import entries

    decisions = list(decisions)
    registered = entries()
    for d in decisions:
        if d.algorithm_id not in registered and d.algorithm_id not in PROCEDURES:
            raise JournalError(f"algorithm {d.algorithm_id!r} has no entry in the public register: "
                               "add recoque/governance/register/<id>.yaml before journaling its outputs")
    if not decisions:
        return []
    with engine.begin() as conn:
        # the first statement writes: it takes SQLite's write lock / PostgreSQL's row lock
        previous = conn.execute(_LOCK_HEAD, {"n": len(decisions)}).scalar_one()
        rows = []
        for d in decisions:
            row = {"algorithm_id": d.algorithm_id, "algorithm_version": d.algorithm_version, "subject": d.subject,
                   "inputs_digest": digest(d.all_inputs if d.all_inputs is not None else d.inputs),
                   "inputs": d.inputs, "output": d.output, "explanation": d.explanation, "validator": d.validator,
                   "footprint": d.footprint, "references": d.references,
                   "created_at": datetime.now(UTC).isoformat(timespec="microseconds"), "previous_hash": previous}
            row["entry_hash"] = previous = hash_texts(_text(name, row[name]) for name in HASHED_FIELDS)
            rows.append(row)
        ids = conn.execute(_INSERT, rows).scalars().all()
        conn.execute(_MOVE_HEAD, {"last_hash": previous})
    return list(ids)


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    problem: str | None = None
    entry_id: int | None = None
    anchored: int = 0                # entries vouched for by a published, signed head
    anchored_at: str | None = None   # when that head was published


def _rewritten(c, position: int, entry_id: int, matched) -> str:
    since = (f"after entry {matched.last_id} (position {matched.entries}, head published {matched.published_at}, "
             "which still matches)") if matched else "from the first entry"
    return (f"entry {entry_id} (position {position}): its hash differs from the signed head published "
            f"{c.published_at} — the chain was rewritten and recomputed; the altered entries lie {since} "
            f"up to entry {entry_id}")


def chain_query():
    """What ``verify`` reads: the hashed fields as stored (JSON as its text), the id and the stored
    hash, in the chain's order."""
    columns = [cast(_TABLE.c[name], Text) if name in JSON_FIELDS or name == "references" else _TABLE.c[name]
               for name in HASHED_FIELDS]
    return select(*columns, _TABLE.c.id, _TABLE.c.entry_hash).order_by(_TABLE.c.id)


def verify(engine: Engine, *, batch: int = 20_000, checkpoints: Sequence = (),
           progress: Callable[[int, int], None] = lambda _done, _total: None) -> Verification:
    """Recompute the chain from the first entry; stop at the first problem. ``checkpoints``
    (signed heads, oldest first) must each match the hash at their position."""
    n = len(HASHED_FIELDS)
    previous_index = HASHED_FIELDS.index("previous_hash")
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(_TABLE)).scalar_one()
        head = conn.execute(select(JournalHead.last_hash, JournalHead.entries)).one()
        previous, previous_id, checked = GENESIS, None, 0
        pending = [c for c in checkpoints if c.entries > 0]
        matched = next((c for c in reversed(checkpoints) if c.entries == 0), None)
        result = conn.execution_options(yield_per=batch).execute(chain_query())
        for row in result:
            if row[previous_index] != previous:
                where = f"after entry {previous_id}" if previous_id else "at the start"
                return Verification(False, checked, f"entry {row[n]}: its chain link does not match the entry "
                                    f"{where} — an entry was removed, inserted or reordered there", row[n])
            if hash_texts(row[:n]) != row[n + 1]:
                return Verification(False, checked, f"entry {row[n]}: its content was altered "
                                    "(recomputed hash differs from the stored one)", row[n])
            previous, previous_id = row[n + 1], row[n]
            checked += 1
            while pending and pending[0].entries == checked:
                if pending[0].last_hash != previous:
                    return Verification(False, checked - 1, _rewritten(pending[0], checked, row[n], matched), row[n],
                                        matched.entries if matched else 0)
                matched = pending.pop(0)
            if checked % batch == 0:
                progress(checked, total)
    if pending:
        c = pending[-1]
        return Verification(False, checked, f"the journal holds {checked} entries but the signed head published "
                            f"{c.published_at} counted {c.entries}: entries were removed", previous_id,
                            matched.entries if matched else 0)
    if head.entries != checked or head.last_hash != previous:
        return Verification(False, checked, f"the journal holds {checked} chained entries ending at entry "
                            f"{previous_id} but its head records {head.entries}: entries were removed at the end "
                            "or the head was altered", previous_id)
    progress(checked, total)
    return Verification(True, checked, anchored=matched.entries if matched else 0,
                        anchored_at=matched.published_at if matched else None)


def entry(engine: Engine, entry_id: int) -> JournalEntry | None:
    """One entry, detached from its session (None when there is no such entry)."""
    return detached_get(engine, JournalEntry, entry_id)


def entries_for(engine: Engine, subject: str) -> list[JournalEntry]:
    with session_scope(engine) as session:
        return list(session.scalars(select(JournalEntry).where(JournalEntry.subject == subject)
                                    .order_by(JournalEntry.id)))


def latest_entries(engine: Engine, limit: int = 100) -> list[JournalEntry]:
    with session_scope(engine) as session:
        return list(session.scalars(select(JournalEntry).order_by(JournalEntry.id.desc()).limit(limit)))
