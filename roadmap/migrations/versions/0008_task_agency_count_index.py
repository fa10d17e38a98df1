"""an index on task (strategy_id, status, agency_id)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

`roadmap agencies list` shows each organisation's open tasks: with a million tasks the count
was a scan of the table; on this index it is read from the index alone.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(
            "ix_task_strategy_status_agency", ["strategy_id", "status", "agency_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_strategy_status_agency")
