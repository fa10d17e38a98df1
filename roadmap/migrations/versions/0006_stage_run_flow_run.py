"""the Prefect flow run that follows a stage run

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

`stage_run.flow_run_id` names the Prefect flow run that carries a stage from start to
close (a pointer only: the store stays the source of truth). Commands that change what the
stage's gate looks at signal that run, and a second start of the same stage reports it
instead of starting another one. Empty for stages run from the command line alone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stage_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flow_run_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stage_run", schema=None) as batch_op:
        batch_op.drop_column("flow_run_id")
