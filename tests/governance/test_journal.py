"""The decision journal: chained, append-only, tamper-evident, safe with concurrent writers."""

from __future__ import annotations

import multiprocessing
import re
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from recoque.core.store import create_store_engine
from recoque.governance.journal import (
    Decision,
    JournalError,
    append,
    entries_for,
    verify,
)


def _decision(i: int, algorithm: str = "synthetic-population") -> Decision:
    return Decision(algorithm_id=algorithm, algorithm_version="1.0", subject=f"P{i:015x}",
                    inputs={"age": 80 + i % 10, "living_alone": True}, output={"score": i / 7},
                    explanation={"points": ["a", "b"]}, footprint={"energy_kwh": 1e-7})


def test_append_and_verify(engine):
    ids = append(engine, [_decision(i) for i in range(5)])
    ids += append(engine, [_decision(5)])
    assert ids == sorted(ids) and len(ids) == 6
    result = verify(engine)
    assert result.ok and result.checked == 6
    mine = entries_for(engine, "P000000000000003")
    assert len(mine) == 1 and mine[0].output == {"score": 3 / 7}


def test_an_unregistered_algorithm_cannot_journal(engine):
    with pytest.raises(JournalError, match="public register"):
        append(engine, [_decision(1, algorithm="secret-scoring")])
    assert verify(engine).checked == 0


def test_the_code_has_no_update_or_delete_path():
    package = Path(__file__).resolve().parents[2] / "recoque"
    pattern = re.compile(r"(update|delete)\(\s*JournalEntry|UPDATE\s+journal_entries|DELETE\s+FROM\s+journal_entries",
                         re.IGNORECASE)
    offenders = [str(p) for p in package.rglob("*.py") if "migrations" not in p.parts and pattern.search(p.read_text())]
    assert offenders == []


@pytest.mark.parametrize("statement", ["UPDATE journal_entries SET output = '{}' WHERE id = 1",
                                       "DELETE FROM journal_entries WHERE id = 1"])
def test_the_database_refuses_updates_and_deletes(engine, statement):
    append(engine, [_decision(1)])
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text(statement))
    assert verify(engine).ok


def _as_attacker(engine, *statements: str) -> None:
    """Someone with direct database access, who first disables the guard."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        if sqlite:
            conn.execute(text("DROP TRIGGER journal_no_update"))
            conn.execute(text("DROP TRIGGER journal_no_delete"))
        else:
            conn.execute(text("ALTER TABLE journal_entries DISABLE TRIGGER journal_append_only"))
        for statement in statements:
            conn.execute(text(statement))


def test_an_altered_entry_is_named(engine):
    ids = append(engine, [_decision(i) for i in range(6)])
    _as_attacker(engine, f"UPDATE journal_entries SET output = '{{\"score\": 0.99}}' WHERE id = {ids[3]}")
    result = verify(engine)
    assert not result.ok and result.entry_id == ids[3] and "altered" in result.problem and result.checked == 3


def test_a_removed_entry_is_named(engine):
    ids = append(engine, [_decision(i) for i in range(6)])
    _as_attacker(engine, f"DELETE FROM journal_entries WHERE id = {ids[2]}")
    result = verify(engine)
    assert not result.ok and result.entry_id == ids[3] and "removed" in result.problem


def test_removing_the_last_entries_is_detected(engine):
    ids = append(engine, [_decision(i) for i in range(6)])
    _as_attacker(engine, f"DELETE FROM journal_entries WHERE id >= {ids[4]}")
    result = verify(engine)
    assert not result.ok and "removed at the end" in result.problem


def test_reordered_entries_are_named(engine):
    ids = append(engine, [_decision(i) for i in range(6)])
    a, b = ids[1], ids[2]
    _as_attacker(engine, f"UPDATE journal_entries SET id = -1 WHERE id = {a}",
                 f"UPDATE journal_entries SET id = {a} WHERE id = {b}",
                 f"UPDATE journal_entries SET id = {b} WHERE id = -1")
    result = verify(engine)
    assert not result.ok and result.entry_id == a


def _writer(url: str, worker: int, count: int) -> None:
    engine = create_store_engine(url)
    for i in range(count):
        append(engine, [_decision(worker * 1000 + i)])
    engine.dispose()


def test_concurrent_writers_in_several_processes_keep_one_chain(engine, store_url):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(store_url, w, 25)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(timeout=120)
        assert p.exitcode == 0
    result = verify(engine)
    assert result.ok and result.checked == 100


def _rewrite_chain(engine, entry_id: int, new_output: str) -> None:
    """What a database administrator can do: drop the guard, edit an entry, recompute every hash
    after it and the head, so that the chain alone agrees with itself."""
    from recoque.governance.journal import HASHED_FIELDS, JSON_FIELDS, hash_texts

    _as_attacker(engine, f"UPDATE journal_entries SET output = '{new_output}' WHERE id = {entry_id}")
    cols = ", ".join(f'CAST("{c}" AS TEXT)' if c in JSON_FIELDS or c == "references" else f'"{c}"'
                     for c in HASHED_FIELDS)
    with engine.begin() as conn:
        rows = conn.execute(text(f"SELECT id, {cols} FROM journal_entries ORDER BY id")).all()
        previous = "0" * 64
        for row in rows:
            values = dict(zip(("id", *HASHED_FIELDS), row))
            values["previous_hash"] = previous
            previous = hash_texts(values[c] for c in HASHED_FIELDS)
            conn.execute(text("UPDATE journal_entries SET previous_hash = :p, entry_hash = :h WHERE id = :i"),
                         {"p": values["previous_hash"], "h": previous, "i": values["id"]})
        conn.execute(text("UPDATE journal_head SET last_hash = :h"), {"h": previous})


def test_a_rewritten_chain_passes_alone_and_is_named_against_the_signed_head(engine, settings_for):
    from recoque.governance import checkpoints

    settings = settings_for()
    ids = append(engine, [_decision(i) for i in range(4)])
    first = checkpoints.publish(engine, settings)
    assert first.entries == 4 and first.last_id == ids[-1]
    assert checkpoints.publish(engine, settings) is None  # nothing new to vouch for
    more = append(engine, [_decision(i) for i in range(4, 8)])
    checkpoints.publish(engine, settings)
    assert checkpoints.verify_against_published(engine, settings).anchored == 8

    _rewrite_chain(engine, more[1], '{"score": 0.01}')
    assert verify(engine).ok  # the chain alone cannot see it: that is the attack
    result = checkpoints.verify_against_published(engine, settings)
    assert not result.ok and result.entry_id == more[-1] and "rewritten" in result.problem
    assert f"after entry {ids[-1]}" in result.problem and result.anchored == 4  # the stretch is named


def test_removing_entries_published_in_a_head_is_named(engine, settings_for):
    from recoque.governance import checkpoints

    settings = settings_for()
    ids = append(engine, [_decision(i) for i in range(5)])
    checkpoints.publish(engine, settings)
    _as_attacker(engine, f"DELETE FROM journal_entries WHERE id >= {ids[3]}",
                 "UPDATE journal_head SET entries = 3, last_hash = "
                 f"(SELECT entry_hash FROM journal_entries WHERE id = {ids[2]})")
    assert verify(engine).ok
    result = checkpoints.verify_against_published(engine, settings)
    assert not result.ok and "counted 5" in result.problem and "removed" in result.problem


def test_a_forged_or_edited_head_is_refused(engine, settings_for, tmp_path):
    import json

    from recoque.governance import checkpoints

    settings = settings_for()
    append(engine, [_decision(i) for i in range(3)])
    checkpoints.publish(engine, settings)
    path = checkpoints.heads_file(settings)
    line = json.loads(path.read_text())
    line["last_hash"] = "f" * 64  # edited without the key
    path.write_text(json.dumps(line) + "\n")
    result = checkpoints.verify_against_published(engine, settings)
    assert not result.ok and "line 1" in result.problem and "signature" in result.problem
    # signed with another key (someone who made their own): refused the same way
    other = settings_for(journal_key_file=tmp_path / "other.pem")
    path.unlink()
    checkpoints.publish(engine, other)
    result = checkpoints.verify_against_published(engine, settings)
    assert not result.ok and "not the journal key" in result.problem
    assert oct(checkpoints.key_file(settings).stat().st_mode & 0o777) == "0o600"
