"""stage cycles and task history

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

A stage run belongs to a cycle of its strategy (`strategy.cycle`: 1 while the strategy is
drafted, +1 for each closed yearly update), so a new cycle starts its stages afresh and the
runs of earlier cycles stay as history. Until now runs were keyed by the strategy version;
the cycle of an existing run is its version, and a strategy's cycle is its version, which
is what the store showed before.

`task_event` is the history of a task: every submission, acceptance, return and
cancellation with who, when, why, the result note and link, and a return's new due date.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import roadmap.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = "'open', 'submitted', 'accepted', 'returned', 'cancelled'"


def upgrade() -> None:
    with op.batch_alter_table("strategy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cycle", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("stage_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cycle", sa.Integer(), server_default="1", nullable=False))
    op.execute("UPDATE strategy SET cycle = version")
    op.execute("UPDATE stage_run SET cycle = version")
    with op.batch_alter_table("stage_run", schema=None) as batch_op:
        batch_op.drop_constraint("uq_stage_run_strategy_id_version_stage", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_stage_run_strategy_id_cycle_stage"), ["strategy_id", "cycle", "stage"]
        )
    op.create_table(
        "task_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=True),
        sa.Column("at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("why", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("link", sa.String(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "action IN ('submit', 'accept', 'return', 'cancel')",
            name=op.f("ck_task_event_action_valid"),
        ),
        sa.CheckConstraint(
            f"from_status IN ({_STATUSES})", name=op.f("ck_task_event_from_status_valid")
        ),
        sa.CheckConstraint(
            f"to_status IN ({_STATUSES})", name=op.f("ck_task_event_to_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_task_event_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_event")),
    )
    with op.batch_alter_table("task_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_event_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_event_task_id"))
    op.drop_table("task_event")
    with op.batch_alter_table("stage_run", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_stage_run_strategy_id_cycle_stage"), type_="unique")
        batch_op.create_unique_constraint(
            "uq_stage_run_strategy_id_version_stage", ["strategy_id", "version", "stage"]
        )
        batch_op.drop_column("cycle")
    with op.batch_alter_table("strategy", schema=None) as batch_op:
        batch_op.drop_column("cycle")
