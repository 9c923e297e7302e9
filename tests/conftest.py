"""Shared fixtures: a migrated database per test, apps, clients.

``KPI_TEST_BACKEND=postgres`` with ``KPI_TEST_DATABASE_URL`` (an owner URL) runs the
same suite on PostgreSQL: the app connects as the RLS-bound role ``kpi_test_app``.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from tests.helpers import BACKEND, PASSWORD, PG_APP_ROLE, REDIS_URL, Factory

PG_OWNER_URL = os.environ.get("KPI_TEST_DATABASE_URL", "")
# The RLS scope key of this run: the migrations store it, the apps sign with it.
RLS_KEY = secrets.token_hex(32)
os.environ.setdefault("KPI_DATABASE_APP_ROLE", PG_APP_ROLE)


def _base_config(tmp: Path, database_url: str, owner_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "KPI_DATABASE_OWNER_URL": owner_url,
        "KPI_DATABASE_APP_ROLE": PG_APP_ROLE,
        "KPI_RLS_KEY": RLS_KEY,
        "KPI_INSTANCE_DIR": str(tmp),
        # One limiter storage serves every app of the test session: keep the limit out of reach.
        "KPI_LOGIN_RATE_LIMIT": "100000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        "KPI_REDIS_URL": None,
    }


def _migrate(config: dict) -> None:
    from flask_migrate import upgrade

    from tenant_app import create_app

    app = create_app({**config, "KPI_SKIP_ROLE_CHECK": True})
    with app.app_context():
        upgrade()
        from tenant_app.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """A migrated database for the session: (how to reset it per test, app URL, owner URL)."""
    tmp = tmp_path_factory.mktemp("db")
    if BACKEND == "postgres":
        if not PG_OWNER_URL:
            pytest.fail("KPI_TEST_BACKEND=postgres needs KPI_TEST_DATABASE_URL")
        server = make_url(PG_OWNER_URL).set(drivername="postgresql+psycopg")
        name = f"kpi_test_{os.getpid()}"
        admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            # pytest-xdist workers start together: one creates the shared role, the others wait.
            conn.execute(sa.text("SELECT pg_advisory_lock(hashtext(:r))"), {"r": PG_APP_ROLE})
            try:
                exists = conn.execute(
                    sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": PG_APP_ROLE}
                ).first()
                if not exists:
                    role = f"{PG_APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'kpi'"
                    conn.execute(sa.text(f"CREATE ROLE {role}"))
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:r))"), {"r": PG_APP_ROLE})
        owner_url = server.set(database=name).render_as_string(hide_password=False)
        app_url = server.set(database=name, username=PG_APP_ROLE, password="kpi").render_as_string(
            hide_password=False
        )
        with admin.connect() as conn:
            conn.execute(sa.text(f'GRANT CONNECT ON DATABASE "{name}" TO {PG_APP_ROLE}'))
        _migrate(_base_config(tmp, owner_url, owner_url))
        owner = sa.create_engine(owner_url)
        with owner.begin() as conn:
            conn.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {PG_APP_ROLE}"))
        tables = [t for t in sa.inspect(owner).get_table_names() if t != "alembic_version"]

        # The audit tables refuse TRUNCATE (0005_audit_guards): lift their triggers for the reset.
        guarded = ("audit_events", "province_audit_events")

        def reset(_tmp_path):
            with owner.begin() as conn:
                for table in guarded:
                    conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
                conn.execute(sa.text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
                for table in guarded:
                    conn.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            return app_url, owner_url

        yield reset
        owner.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        template = tmp / "template.sqlite3"
        url = f"sqlite:///{template}"
        _migrate(_base_config(tmp, url, url))

        def reset(tmp_path):
            target = tmp_path / "kpi.sqlite3"
            shutil.copy(template, target)
            return f"sqlite:///{target}", f"sqlite:///{target}"

        yield reset


class IsolatedClient(FlaskClient):
    """A test client whose requests get their own app context, as in production.

    The test body keeps an app context for direct database work; it is set aside during each
    request so that ``g`` and the database session are not shared with the request.
    """

    def open(self, *args, **kwargs):
        ctx = _cv_app.get(None)
        if ctx is not None:
            ctx.pop()
        try:
            return super().open(*args, **kwargs)
        finally:
            if ctx is not None:
                ctx.push()


@pytest.fixture()
def app(database, tmp_path):
    """The app on a fresh copy of the migrated database (an app context is pushed for the test)."""
    from tenant_app import create_app
    from tenant_app.extensions import db

    app_url, owner_url = database(tmp_path)
    app = create_app(_base_config(tmp_path, app_url, owner_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def password_hash():
    from tenant_app.security.passwords import hash_password

    return hash_password(PASSWORD)


@pytest.fixture()
def factory(app, password_hash):
    return Factory(password_hash)


@pytest.fixture()
def tenant_a(factory):
    return factory.tenant("phuong-a", name="Phường A")


@pytest.fixture()
def tenant_b(factory):
    return factory.tenant("phuong-b", name="Phường B")


@pytest.fixture()
def admin_a(factory, tenant_a):
    return factory.user(tenant_a, "admin.a", ("unit_admin", "staff"), full_name="Quản Trị A")


@pytest.fixture()
def staff_a(factory, tenant_a):
    return factory.user(tenant_a, "staff.a", ("staff",), full_name="Nguyễn Văn A")


@pytest.fixture()
def admin_b(factory, tenant_b):
    return factory.user(tenant_b, "admin.b", ("unit_admin", "staff"), full_name="Quản Trị B")


@pytest.fixture()
def staff_b(factory, tenant_b):
    return factory.user(tenant_b, "staff.b", ("staff",), full_name="Trần Thị B")


@pytest.fixture()
def province_admin(factory):
    return factory.province_user("tinh.admin", "province_admin")


@pytest.fixture()
def auditor(factory):
    return factory.province_user("tinh.thanhtra", "auditor")


@pytest.fixture()
def head_reviewer(factory):
    """A province account (auditor role) with the competent higher level's duty: it assesses
    and approves the units' heads."""
    from tenant_app.extensions import db

    user = factory.province_user("tinh.thamquyen", "auditor")
    user.head_reviewer = True
    db.session.commit()
    return user


@pytest.fixture()
def redis_app(app):
    """The app with Redis (the revisions, caches and rq jobs) on this worker's flushed database;
    only for tests marked ``requires_redis``."""
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    app.config["KPI_REDIS_URL"] = REDIS_URL
    yield app
    connection.flushdb()
    connection.close()
