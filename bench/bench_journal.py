"""Decision journal speed against the targets of issue 4, side by side with a plain anchor.

- append: one decision per transaction, single writer, SQLite (target >= 2,000 entries/s);
  anchor: the same rows inserted without the chain (plain INSERT per transaction) in the same store;
  also shown: 1,000 decisions per transaction (batch journaling);
- verify: 1,000,000 entries (target <= 30 s); anchor: reading exactly what verify reads (the same
  statement, ``journal.chain_query()``, in the same batches) without hashing or checking.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from results import fmt, record  # noqa: E402
from sqlalchemy import text

from recoque.core.store import create_store_engine, migrate
from recoque.governance.journal import Decision, append, chain_query, verify


def decision(i: int) -> Decision:
    return Decision("synthetic-population", "1.0", f"P{i:015x}", {"age": 70 + i % 30, "alone": True},
                    {"score": (i % 97) / 97}, {"points": ["age", "alone"]}, footprint={"energy_kwh": 1e-7})


def main(n_single: int = 4000, n_total: int = 1_000_000) -> None:
    folder = Path(tempfile.mkdtemp(prefix="recoque-bench-journal-"))
    engine = create_store_engine(f"sqlite:///{folder / 'j.db'}")
    migrate(engine)

    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE plain (id INTEGER PRIMARY KEY, subject TEXT, output TEXT)"))
    t0 = time.perf_counter()
    for i in range(n_single):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO plain (subject, output) VALUES (:s, :o)"), {"s": f"P{i}", "o": "{}"})
    anchor_rate = n_single / (time.perf_counter() - t0)

    t0 = time.perf_counter()
    for i in range(n_single):
        append(engine, [decision(i)])
    single_rate = n_single / (time.perf_counter() - t0)

    t0 = time.perf_counter()
    done = n_single
    while done < n_total:
        k = min(1000, n_total - done)
        append(engine, [decision(done + j) for j in range(k)])
        done += k
    batch_rate = (n_total - n_single) / (time.perf_counter() - t0)

    t0 = time.perf_counter()
    with engine.connect() as conn:
        for _ in conn.execution_options(yield_per=20_000).execute(chain_query()):
            pass
    anchor_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = verify(engine)
    verify_s = time.perf_counter() - t0
    assert result.ok and result.checked == n_total, result

    print(f"{'measure':<46}{'value':>12}{'target':>10}{'anchor':>12}{'ratio':>8}")
    print(f"{'append, 1 per transaction (entries/s)':<46}{single_rate:12,.0f}{'>= 2000':>10}{anchor_rate:12,.0f}"
          f"{single_rate / anchor_rate:8.2f}")
    print(f"{'append, 1000 per transaction (entries/s)':<46}{batch_rate:12,.0f}{'':>10}{'':>12}{'':>8}")
    print(f"{'verify ' + format(n_total, ',') + ' entries (s)':<46}{verify_s:12.1f}{'<= 30':>10}{anchor_read:12.1f}"
          f"{verify_s / anchor_read:8.2f}")
    met = lambda ok: "met" if ok else "**not met**"  # noqa: E731
    record("journal", title="the decision journal on SQLite", columns=["measure", "value", "target", "anchor"], rows=[
        ["journal append, one decision per transaction", f"{fmt(single_rate)} entries/s",
         f"≥ 2,000/s: {met(single_rate >= 2000)}", f"{fmt(anchor_rate)}/s (plain INSERT per transaction)"],
        ["journal append, 1,000 per transaction", f"{fmt(batch_rate)} entries/s", "", ""],
        [f"verify {fmt(n_total)} entries", f"{verify_s:.1f} s", f"≤ 30 s: {met(verify_s <= 30)}",
         f"{anchor_read:.1f} s (reading exactly what verify reads, without hashing)"],
    ])


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
