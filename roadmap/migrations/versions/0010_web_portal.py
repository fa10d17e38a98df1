"""the web portal: personal sign-in tokens, browser sessions, attachments of results

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

`person_token` keeps the SHA-256 of each person's sign-in link with its expiry and
revocation; `web_session` a signed-in browser (the hash of its cookie, the token it came
from, its form token); `attachment` a file handed in with a task's result.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import roadmap.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", roadmap.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("last_used_at", roadmap.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_token_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_person_token_token_hash")),
    )
    with op.batch_alter_table("person_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_token_person_id"), ["person_id"], unique=False)
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_web_session_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["person_token.id"],
            name=op.f("fk_web_session_token_id_person_token"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_web_session_session_hash")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_session_token_id"), ["token_id"], unique=False)
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_event_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", roadmap.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_event_id"],
            ["task_event.id"],
            name=op.f("fk_attachment_task_event_id_task_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_attachment_stored_name")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attachment_task_event_id"), ["task_event_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_task_event_id"))
    op.drop_table("attachment")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_token_id"))
        batch_op.drop_index(batch_op.f("ix_web_session_person_id"))
    op.drop_table("web_session")
    with op.batch_alter_table("person_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_token_person_id"))
    op.drop_table("person_token")
