"""Fixtures of the backup tests: empty restore targets (a fresh database and instance folder)."""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import tarfile
from itertools import count
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.conftest import PG_OWNER_URL, _base_config
from tests.helpers import BACKEND, PG_APP_ROLE

_numbers = count(1)


@pytest.fixture()
def empty_target(tmp_path_factory):
    """A function that makes an app on an EMPTY database (no tables) with its own instance
    folder and its own RLS key: a fresh PostgreSQL database (dropped afterwards) or SQLite file."""
    from tenant_app import create_app
    from tenant_app.extensions import db

    created: list[str] = []
    apps = []
    server = make_url(PG_OWNER_URL).set(drivername="postgresql+psycopg") if PG_OWNER_URL else None

    def make():
        tmp = tmp_path_factory.mktemp("restore")
        if BACKEND == "postgres":
            name = f"kpi_test_restore_{os.getpid()}_{next(_numbers)}"
            admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                conn.execute(sa.text(f'GRANT CONNECT ON DATABASE "{name}" TO {PG_APP_ROLE}'))
            admin.dispose()
            created.append(name)
            owner = server.set(database=name).render_as_string(hide_password=False)
            app_url = server.set(
                database=name, username=PG_APP_ROLE, password="kpi"
            ).render_as_string(hide_password=False)
        else:
            owner = app_url = f"sqlite:///{tmp / 'kpi.sqlite3'}"
        config = _base_config(tmp, app_url, owner)
        config["KPI_RLS_KEY"] = secrets.token_hex(32)  # another deployment, another key
        app = create_app(config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if created:
        admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in created:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(app, *args):
    """Run ``kpi ARGS`` against ``app`` (its own app context); return the click result."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def owner_counts(app) -> dict[str, int]:
    """Rows per table as the owner sees them with every unit in scope (or plainly on SQLite)."""
    from tenant_app.services.backup import databases
    from tenant_app.tenancy import rls

    url = app.config["KPI_DATABASE_OWNER_URL"]
    if url.startswith("postgresql"):
        return databases.pg_counts(url, rls.scope_key(app.config["KPI_RLS_KEY"]))[1]
    return databases.sqlite_info(databases.sqlite_path(url))[1]


def rewrite_archive(source: Path, target: Path, change) -> None:
    """Copy the archive ``source`` to ``target`` with ``change(name, data) -> data | None``
    applied to each member (None drops it); ``manifest.sha256`` is recomputed when the change
    left it alone, so that only the deliberate damage remains."""
    members = []
    with tarfile.open(source) as tar:
        for info in tar:
            data = tar.extractfile(info).read()
            new = change(info.name, data)
            if new is not None:
                members.append((info.name, new))
    names = dict(members)
    if "manifest.json" in names and names.get("manifest.sha256") is not None:
        digest = hashlib.sha256(names["manifest.json"]).hexdigest()
        members = [
            (n, f"{digest}  manifest.json\n".encode() if n == "manifest.sha256" else d)
            for n, d in members
        ]
    with tarfile.open(target, "w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
