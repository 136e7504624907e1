"""Builds, territorial units and layer values.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "builds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("artifact", sa.String(64), nullable=False, index=True),
        sa.Column("input_digest", sa.String(64), nullable=False),
        sa.Column("code_version", sa.String(32), nullable=False),
        sa.Column("location", sa.String(512), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_table(
        "territory_units",
        sa.Column("level", sa.String(16), primary_key=True),
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("arrondissement", sa.String(5), nullable=False, index=True),
        sa.Column("parent_code", sa.String(16), nullable=True),
        sa.Column("area_m2", sa.Float, nullable=False),
    )
    op.create_table(
        "layer_values",
        sa.Column("layer", sa.String(64), primary_key=True),
        sa.Column("level", sa.String(16), primary_key=True),
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("value", sa.Float, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("layer_values")
    op.drop_table("territory_units")
    op.drop_table("builds")
