"""Postgres access: the embedded server, connections and the Alembic-owned app schema."""
