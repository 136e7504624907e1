"""Security and load: failed logins (throttling), the code a failed attempt tried, process
leases, data revisions (what the open reads' cache keys on).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("client", sa.String(64), nullable=False, index=True),
        sa.Column("at", TZ, nullable=False, index=True),
    )
    with op.batch_alter_table("code_attempts") as batch:
        batch.add_column(sa.Column("code_hash", sa.String(64), nullable=True))
    op.create_index("ix_code_attempts_at", "code_attempts", ["at"])
    op.create_table(
        "leases",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_table(
        "data_revisions",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    op.bulk_insert(sa.table("data_revisions", sa.column("name", sa.String), sa.column("revision", sa.Integer)),
                   [{"name": "layers", "revision": 0}])


def downgrade() -> None:
    op.drop_table("data_revisions")
    op.drop_table("leases")
    op.drop_index("ix_code_attempts_at", "code_attempts")
    with op.batch_alter_table("code_attempts") as batch:
        batch.drop_column("code_hash")
    op.drop_table("login_failures")
