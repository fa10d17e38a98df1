"""an index on alert.task_id

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

The dispatcher and the sweep look up the alerts of given tasks (revive the newest alert of
a task and person, cancel what a submission ended); with a growing alert history that was a
scan of the whole outbox.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index("ix_alert_task_id", ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_task_id")
