"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import roadmap.models

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "region",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region")),
        sa.UniqueConstraint("code", name=op.f("uq_region_code")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("locale", sa.String(length=2), nullable=False),
        sa.CheckConstraint("locale IN ('ru', 'en')", name=op.f("ck_person_locale_valid")),
        sa.CheckConstraint(
            "role IN ('emissary', 'responsible', 'coordinator')", name=op.f("ck_person_role_valid")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_person_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("region_id", "code", name=op.f("uq_person_region_id_code")),
    )
    op.create_table(
        "sector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_sector_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sector")),
        sa.UniqueConstraint("region_id", "code", name=op.f("uq_sector_region_id_code")),
    )
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("emissary_id", sa.Integer(), nullable=True),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('executive_body', 'municipality')", name=op.f("ck_agency_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["emissary_id"],
            ["person.id"],
            name=op.f("fk_agency_emissary_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_agency_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["person.id"],
            name=op.f("fk_agency_responsible_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
        sa.UniqueConstraint("region_id", "code", name=op.f("uq_agency_region_id_code")),
    )
    op.create_table(
        "strategy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("end_year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'approved', 'archived')", name=op.f("ck_strategy_status_valid")
        ),
        sa.CheckConstraint("start_year <= end_year", name=op.f("ck_strategy_horizon_ordered")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_strategy_version_positive")),
        sa.ForeignKeyConstraint(
            ["coordinator_id"],
            ["person.id"],
            name=op.f("fk_strategy_coordinator_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_strategy_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy")),
        sa.UniqueConstraint(
            "region_id",
            "start_year",
            "end_year",
            name=op.f("uq_strategy_region_id_start_year_end_year"),
        ),
    )
    with op.batch_alter_table("strategy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_region_id"), ["region_id"], unique=False)

    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("higher_is_better", sa.Boolean(), nullable=False),
        sa.Column("baseline_year", sa.Integer(), nullable=False),
        sa.Column("baseline_value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
            name=op.f("fk_indicator_agency_id_agency"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"],
            ["sector.id"],
            name=op.f("fk_indicator_sector_id_sector"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategy.id"],
            name=op.f("fk_indicator_strategy_id_strategy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint("strategy_id", "code", name=op.f("uq_indicator_strategy_id_code")),
    )
    op.create_table(
        "information_system",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("gostekh_migration_due", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
            name=op.f("fk_information_system_agency_id_agency"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_information_system_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_information_system")),
        sa.UniqueConstraint("region_id", "code", name=op.f("uq_information_system_region_id_code")),
    )
    op.create_table(
        "initiative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("problem", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("expected_effect", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.CheckConstraint(
            "status IN ('proposed', 'confirmed', 'selected', 'in_progress', 'done', 'dropped')",
            name=op.f("ck_initiative_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
            name=op.f("fk_initiative_agency_id_agency"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"],
            ["sector.id"],
            name=op.f("fk_initiative_sector_id_sector"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategy.id"],
            name=op.f("fk_initiative_strategy_id_strategy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative")),
        sa.UniqueConstraint("strategy_id", "code", name=op.f("uq_initiative_strategy_id_code")),
    )
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_initiative_strategy_id"), ["strategy_id"], unique=False
        )

    op.create_table(
        "service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("online_target_year", sa.Integer(), nullable=True),
        sa.Column("ai_candidate", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
            name=op.f("fk_service_agency_id_agency"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_service_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
        sa.UniqueConstraint("region_id", "code", name=op.f("uq_service_region_id_code")),
    )
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", roadmap.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'submitted', 'accepted', 'returned', 'cancelled')",
            name=op.f("ck_task_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_task_agency_id_agency"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["person.id"],
            name=op.f("fk_task_assignee_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategy.id"],
            name=op.f("fk_task_strategy_id_strategy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
        sa.UniqueConstraint("strategy_id", "code", name=op.f("uq_task_strategy_id_code")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index("ix_task_open_due", ["status", "due_on"], unique=False)

    op.create_table(
        "budget_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("planned_kopecks", sa.BigInteger(), nullable=False),
        sa.Column("actual_kopecks", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "source IN ('federal', 'regional', 'municipal', 'extrabudgetary')",
            name=op.f("ck_budget_line_source_valid"),
        ),
        sa.CheckConstraint(
            "actual_kopecks IS NULL OR actual_kopecks >= 0",
            name=op.f("ck_budget_line_actual_non_negative"),
        ),
        sa.CheckConstraint(
            "planned_kopecks >= 0", name=op.f("ck_budget_line_planned_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_budget_line_initiative_id_initiative"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line")),
        sa.UniqueConstraint(
            "initiative_id", "year", "source", name=op.f("uq_budget_line_initiative_id_year_source")
        ),
    )
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('target', 'actual')", name=op.f("ck_indicator_value_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_indicator_value_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value")),
        sa.UniqueConstraint(
            "indicator_id", "year", "kind", name=op.f("uq_indicator_value_indicator_id_year_kind")
        ),
    )


def downgrade() -> None:

    op.drop_table("indicator_value")
    op.drop_table("budget_line")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_open_due")
        batch_op.drop_index(batch_op.f("ix_task_agency_id"))

    op.drop_table("task")
    op.drop_table("service")
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_strategy_id"))
        batch_op.drop_index(batch_op.f("ix_initiative_agency_id"))

    op.drop_table("initiative")
    op.drop_table("information_system")
    op.drop_table("indicator")
    with op.batch_alter_table("strategy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_region_id"))

    op.drop_table("strategy")
    op.drop_table("agency")
    op.drop_table("sector")
    op.drop_table("person")
    op.drop_table("region")
