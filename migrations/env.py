"""Alembic environment: run as the table OWNER (KPI_DATABASE_OWNER_URL), not the app."""

from __future__ import annotations

import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name)

target_metadata = current_app.extensions["migrate"].db.metadata


def _owner_url() -> str:
    return (
        current_app.config.get("KPI_DATABASE_OWNER_URL")
        or current_app.config["SQLALCHEMY_DATABASE_URI"]
    )


def run_migrations_offline() -> None:
    context.configure(
        url=_owner_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = sa.create_engine(_owner_url(), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        _store_rls_key(connection)
    engine.dispose()


def _store_rls_key(connection) -> None:
    """Every `kpi db upgrade` stores the configured RLS scope key (0012), so that a rotated
    KPI_RLS_KEY or KPI_SECRET_KEY reaches the database before the new pods serve."""
    from tenant_app.tenancy import rls

    if connection.in_transaction():
        connection.commit()
    if rls.signed_scope_installed(connection):
        rls.store_key(connection, rls.scope_key(current_app.config["KPI_RLS_KEY"]))
    connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
