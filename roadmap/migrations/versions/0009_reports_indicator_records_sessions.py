"""indicator records and frequency, strategy sessions and their proposals

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

An indicator is reported yearly or quarterly (`indicator.frequency`, yearly for every
existing one); `indicator_record` keeps each recorded actual by period with who and when.
Strategy sessions (sectoral or territorial) and the ideas proposed at them, each linked to
the initiative it became. A public service may name its sector (`service.sector_id`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import roadmap.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("frequency", sa.String(length=10), server_default="yearly", nullable=False)
        )
        batch_op.create_check_constraint("frequency_valid", "frequency IN ('yearly', 'quarterly')")
    op.create_table(
        "indicator_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=True),
        sa.Column("recorded_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "quarter IS NULL OR quarter BETWEEN 1 AND 4",
            name=op.f("ck_indicator_record_quarter_1_4"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_indicator_record_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_record")),
        sa.UniqueConstraint(
            "indicator_id", "period", name=op.f("uq_indicator_record_indicator_id_period")
        ),
    )
    op.create_table(
        "strategy_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('sectoral', 'territorial')", name=op.f("ck_strategy_session_kind_valid")
        ),
        sa.CheckConstraint(
            "participants >= 0", name=op.f("ck_strategy_session_participants_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategy.id"],
            name=op.f("fk_strategy_session_strategy_id_strategy"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"],
            ["sector.id"],
            name=op.f("fk_strategy_session_sector_id_sector"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["agency.id"],
            name=op.f("fk_strategy_session_municipality_id_agency"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_session")),
        sa.UniqueConstraint(
            "strategy_id", "code", name=op.f("uq_strategy_session_strategy_id_code")
        ),
    )
    op.create_table(
        "session_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=True),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("created_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["strategy_session.id"],
            name=op.f("fk_session_proposal_session_id_strategy_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_session_proposal_initiative_id_initiative"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_proposal")),
        sa.UniqueConstraint("session_id", "code", name=op.f("uq_session_proposal_session_id_code")),
    )
    with op.batch_alter_table("session_proposal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_proposal_session_id"), ["session_id"], unique=False
        )
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sector_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_service_sector_id_sector"),
            "sector",
            ["sector_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_service_sector_id_sector"), type_="foreignkey")
        batch_op.drop_column("sector_id")
    with op.batch_alter_table("session_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_proposal_session_id"))
    op.drop_table("session_proposal")
    op.drop_table("strategy_session")
    op.drop_table("indicator_record")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_indicator_frequency_valid"), type_="check")
        batch_op.drop_column("frequency")
