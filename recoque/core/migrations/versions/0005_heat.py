"""Heat-wave early warning: forecasts, hazard alerts, registrations, call plans, attempts, tasks.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "heat_forecasts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("departement", sa.String(3), nullable=False),
        sa.Column("source", sa.String(256), nullable=False),
        sa.Column("loaded_at", TZ, nullable=False),
        sa.Column("loaded_by", sa.String(64), nullable=False),
        sa.Column("days", sa.JSON, nullable=False),
        sa.Column("repairs", sa.JSON, nullable=False),
        sa.Column("current", sa.Boolean, nullable=False, index=True),
    )
    op.create_table(
        "hazard_alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("hazard", sa.String(16), nullable=False),
        sa.Column("departement", sa.String(3), nullable=False),
        sa.Column("day", sa.String(10), nullable=False, index=True),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(256), nullable=False),
        sa.Column("forecast_id", sa.Integer, nullable=True),
        sa.UniqueConstraint("hazard", "departement", "day", "source", name="uq_hazard_alert_day"),
    )
    op.create_table(
        "heat_registrations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String(32), nullable=False, unique=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("registered_at", TZ, nullable=False),
        sa.Column("registered_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "heat_calls",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("day", sa.String(10), nullable=False, index=True),
        sa.Column("episode", sa.String(10), nullable=False, index=True),
        sa.Column("person_id", sa.String(32), nullable=False, index=True),
        sa.Column("arrondissement", sa.String(5), nullable=False, index=True),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(128), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("next_try_at", TZ, nullable=True),
        sa.Column("locked_by", sa.String(64), nullable=True),
        sa.Column("locked_at", TZ, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("places", sa.JSON, nullable=False),
        sa.Column("entry_id", sa.Integer, nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("day", "person_id", name="uq_heat_call_day_person"),
    )
    op.create_table(
        "heat_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.Integer, nullable=False, index=True),
        sa.Column("person_id", sa.String(32), nullable=False, index=True),
        sa.Column("episode", sa.String(10), nullable=False, index=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("note", sa.String(1000), nullable=False),
    )
    op.create_table(
        "heat_tasks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(96), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False, index=True),
        sa.Column("person_id", sa.String(32), nullable=False, index=True),
        sa.Column("arrondissement", sa.String(5), nullable=False, index=True),
        sa.Column("episode", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(256), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("closed_by", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    for table in ("heat_tasks", "heat_attempts", "heat_calls", "heat_registrations", "hazard_alerts",
                  "heat_forecasts"):
        op.drop_table(table)
