"""Alembic helpers for revisions: tenant-table RLS, province-table grants (PostgreSQL)."""

from __future__ import annotations

import os

from alembic import op
from flask import current_app

from tenant_app.tenancy import rls


def _app_role() -> str:
    try:
        return current_app.config["KPI_DATABASE_APP_ROLE"]
    except RuntimeError:
        return os.environ.get("KPI_DATABASE_APP_ROLE", "kpi_app")


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def enable_tenant_rls(table: str, *, append_only: bool = False) -> None:
    if _postgres():
        for statement in rls.enable_statements(table, _app_role(), append_only=append_only):
            op.execute(statement)


def disable_tenant_rls(table: str) -> None:
    if _postgres():
        for statement in rls.disable_statements(table):
            op.execute(statement)


def grant_province_table(
    table: str, *, rights: str = "SELECT, INSERT, UPDATE, DELETE", sequence: str | None = None
) -> None:
    if _postgres():
        for statement in rls.grant_statements(table, _app_role(), rights=rights, sequence=sequence):
            op.execute(statement)
