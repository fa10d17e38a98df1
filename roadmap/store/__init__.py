"""The store (хранилище): engine and sessions, one unit of work, the tables, Alembic migrations.

Everything above this package reaches the database only through `unit_of_work` or
`region_session`; nothing here knows about stages, alerts or the file format.
"""
