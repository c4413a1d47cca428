"""Alembic environment: runs on the connection newsmon hands over, or on sqlalchemy.url."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

from db.fts import include_name
from db.models import Base

config = context.config


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url") or "").connect() as conn:
        _run(conn)
