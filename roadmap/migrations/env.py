"""Alembic environment: runs on the connection roadmap.store.engine hands over."""

from alembic import context
from sqlmodel import SQLModel

import roadmap.store.models  # noqa: F401  (registers the tables)

config = context.config
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
