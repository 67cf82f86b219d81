"""Alembic environment: migrations run against the URL the caller puts in the config (no alembic.ini)."""

from alembic import context
from sqlalchemy import create_engine

url = context.config.get_main_option("sqlalchemy.url")
engine = create_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, version_table_schema="app", include_schemas=True)
    connection.exec_driver_sql("create schema if not exists app")
    connection.commit()
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
