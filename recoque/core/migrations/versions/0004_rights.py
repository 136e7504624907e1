"""Proactive rights: screening runs, campaigns, offers and their events, dossiers, outbox.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "screening_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("progress", sa.Float, nullable=False),
        sa.Column("step", sa.String(256), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("location", sa.String(512), nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("benefit", sa.String(64), nullable=False),
        sa.Column("arrondissements", sa.JSON, nullable=False),
        sa.Column("min_amount", sa.Float, nullable=False),
        sa.Column("screening_run_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("batch_id", sa.Integer, nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
    )
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", sa.Integer, nullable=False, index=True),
        sa.Column("household_id", sa.String(32), nullable=False, index=True),
        sa.Column("unit_id", sa.String(32), nullable=False),
        sa.Column("benefit", sa.String(64), nullable=False),
        sa.Column("amount_month", sa.Float, nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("recipient", sa.String(128), nullable=False),
        sa.Column("entry_id", sa.Integer, nullable=True, index=True),
        sa.Column("status", sa.String(24), nullable=False, index=True),
        sa.Column("answer", sa.String(24), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("sent_at", TZ, nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("assigned_to", sa.String(64), nullable=True),
        sa.UniqueConstraint("campaign_id", "unit_id", name="uq_offer_campaign_unit"),
    )
    op.create_table(
        "offer_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("offer_id", sa.Integer, nullable=False, index=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("note", sa.String(512), nullable=False),
    )
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("offer_id", sa.Integer, nullable=False, unique=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("recipient", sa.String(128), nullable=False),
        sa.Column("subject", sa.String(256), nullable=False),
        sa.Column("body", sa.String(8000), nullable=False),
        sa.Column("offer_id", sa.Integer, nullable=True, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("sent_at", TZ, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("outbox", "dossiers", "offer_events", "offers", "campaigns", "screening_runs"):
        op.drop_table(table)
