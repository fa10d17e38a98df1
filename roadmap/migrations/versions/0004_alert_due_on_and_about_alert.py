"""alert: due_on and about_alert_id columns instead of parsing the rung string

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

The rung key ("reminder-3@2027-03-01", "escalation-1@2027-03-01#4", "dead-letter:42")
carried the task's due date and, for a dead letter, the alert it is about; code parsed
them back out. They become columns, filled here from the existing strings. The rung and
the dedupe key stay as they are.
"""

import re
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DUE = re.compile(r"@(\d{4}-\d{2}-\d{2})(?:#|$)")
_DEAD_LETTER = re.compile(r"dead-letter:(\d+)")


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("about_alert_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_alert_about_alert_id_alert"),
            "alert",
            ["about_alert_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    """Fill the columns from the rung strings (read in Python: the same on both backends)."""
    alert = sa.table(
        "alert",
        sa.column("id", sa.Integer),
        sa.column("rung", sa.String),
        sa.column("due_on", sa.Date),
        sa.column("about_alert_id", sa.Integer),
    )
    rungs = dict(connection.execute(sa.select(alert.c.id, alert.c.rung)).all())
    due: dict[int, date] = {}
    about: dict[int, int] = {}
    for alert_id, rung in rungs.items():
        if found := _DUE.search(rung):
            due[alert_id] = date.fromisoformat(found.group(1))
        elif (found := _DEAD_LETTER.fullmatch(rung)) and int(found.group(1)) in rungs:
            about[alert_id] = int(found.group(1))
    for alert_id, original in about.items():
        if original in due:
            due[alert_id] = due[original]  # a dead letter is about the original's due date
    values = [
        {"row_id": alert_id, "due": due.get(alert_id), "about": about.get(alert_id)}
        for alert_id in sorted(due.keys() | about.keys())
    ]
    if values:
        connection.execute(
            alert.update()
            .where(alert.c.id == sa.bindparam("row_id"))
            .values(due_on=sa.bindparam("due"), about_alert_id=sa.bindparam("about")),
            values,
        )


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_alert_about_alert_id_alert"), type_="foreignkey")
        batch_op.drop_column("about_alert_id")
        batch_op.drop_column("due_on")
