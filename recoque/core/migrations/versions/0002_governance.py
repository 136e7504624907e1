"""Decision journal (append-only, hash-chained), its head, algorithm runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("algorithm_id", sa.String(64), nullable=False, index=True),
        sa.Column("algorithm_version", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(64), nullable=True, index=True),
        sa.Column("inputs_digest", sa.String(64), nullable=False),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("output", sa.JSON, nullable=False),
        sa.Column("explanation", sa.JSON, nullable=False),
        sa.Column("validator", sa.String(128), nullable=True),
        sa.Column("footprint", sa.JSON, nullable=False),
        sa.Column("references", sa.Integer, nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "journal_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
    )
    op.execute(sa.text(f"INSERT INTO journal_head (id, last_hash, entries) VALUES (1, '{GENESIS}', 0)"))
    op.create_table(
        "algorithm_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("algorithm_id", sa.String(64), nullable=False, index=True),
        sa.Column("algorithm_version", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("energy_kwh", sa.Float, nullable=False),
        sa.Column("co2_g", sa.Float, nullable=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
    )
    # the journal refuses UPDATE and DELETE at the database level too
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(sa.text(
                f"CREATE TRIGGER journal_no_{action.lower()} BEFORE {action} ON journal_entries "
                "BEGIN SELECT RAISE(ABORT, 'the decision journal is append-only'); END"))
    else:
        op.execute(sa.text(
            "CREATE FUNCTION journal_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'the decision journal is append-only'; END; $$ LANGUAGE plpgsql"))
        op.execute(sa.text(
            "CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal_entries "
            "FOR EACH ROW EXECUTE FUNCTION journal_append_only()"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute(sa.text("DROP TRIGGER journal_append_only ON journal_entries"))
        op.execute(sa.text("DROP FUNCTION journal_append_only()"))
    op.drop_table("algorithm_runs")
    op.drop_table("journal_head")
    op.drop_table("journal_entries")
