"""stages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import roadmap.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "analysis_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("created_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("weights", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cut", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("selected", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategy.id"],
            name=op.f("fk_analysis_run_strategy_id_strategy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_run")),
    )
    op.create_table(
        "architecture_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
            name=op.f("fk_architecture_decision_agency_id_agency"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategy.id"],
            name=op.f("fk_architecture_decision_strategy_id_strategy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_architecture_decision")),
        sa.UniqueConstraint(
            "strategy_id", "agency_id", name=op.f("uq_architecture_decision_strategy_id_agency_id")
        ),
    )
    op.create_table(
        "stage_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("started_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", roadmap.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("gate_missing", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'gate_failed', 'closed')",
            name=op.f("ck_stage_run_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategy.id"],
            name=op.f("fk_stage_run_strategy_id_strategy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_run")),
        sa.UniqueConstraint(
            "strategy_id", "version", "stage", name=op.f("uq_stage_run_strategy_id_version_stage")
        ),
    )
    op.create_table(
        "analysis_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analysis_run_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("scores", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("selected", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["analysis_run_id"],
            ["analysis_run.id"],
            name=op.f("fk_analysis_result_analysis_run_id_analysis_run"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_analysis_result_initiative_id_initiative"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_result")),
        sa.UniqueConstraint(
            "analysis_run_id",
            "initiative_id",
            name=op.f("uq_analysis_result_analysis_run_id_initiative_id"),
        ),
    )
    op.create_table(
        "hypothesis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("statement", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'rejected')",
            name=op.f("ck_hypothesis_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_hypothesis_initiative_id_initiative"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hypothesis")),
        sa.UniqueConstraint("initiative_id", "code", name=op.f("uq_hypothesis_initiative_id_code")),
    )
    with op.batch_alter_table("hypothesis", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hypothesis_initiative_id"), ["initiative_id"], unique=False
        )

    op.create_table(
        "initiative_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "value >= 0 AND value <= 10", name=op.f("ck_initiative_score_value_0_10")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_initiative_score_initiative_id_initiative"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_score")),
        sa.UniqueConstraint(
            "initiative_id", "criterion", name=op.f("uq_initiative_score_initiative_id_criterion")
        ),
    )
    op.create_table(
        "interview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hypothesis_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=40), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("respondent_group", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("supports", sa.Boolean(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["hypothesis_id"],
            ["hypothesis.id"],
            name=op.f("fk_interview_hypothesis_id_hypothesis"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview")),
        sa.UniqueConstraint(
            "hypothesis_id", "respondent", name=op.f("uq_interview_hypothesis_id_respondent")
        ),
    )
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_hypothesis_id"), ["hypothesis_id"], unique=False
        )

    with op.batch_alter_table("information_system", schema=None) as batch_op:
        batch_op.add_column(sa.Column("function", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("platform", sa.String(length=60), nullable=True))

    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage_run_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("template", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_task_stage_run_id_agency_id_template"),
            ["stage_run_id", "agency_id", "template"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_task_stage_run_id_stage_run"),
            "stage_run",
            ["stage_run_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:

    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_task_stage_run_id_stage_run"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("uq_task_stage_run_id_agency_id_template"), type_="unique"
        )
        batch_op.drop_column("template")
        batch_op.drop_column("stage_run_id")

    with op.batch_alter_table("information_system", schema=None) as batch_op:
        batch_op.drop_column("platform")
        batch_op.drop_column("function")

    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_hypothesis_id"))

    op.drop_table("interview")
    op.drop_table("initiative_score")
    with op.batch_alter_table("hypothesis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hypothesis_initiative_id"))

    op.drop_table("hypothesis")
    op.drop_table("analysis_result")
    op.drop_table("stage_run")
    op.drop_table("architecture_decision")
    op.drop_table("analysis_run")
