"""Test helpers: forms with CSRF tokens, logins, tokens, and the row factory."""

from __future__ import annotations

import os
import re

import pytest

BACKEND = os.environ.get("KPI_TEST_BACKEND", "sqlite")
PG_APP_ROLE = "kpi_test_app"
PASSWORD = "Mat-khau-2026"


def _worker_redis_url(url: str) -> str:
    """``KPI_TEST_REDIS_URL`` for this pytest-xdist worker: worker N flushes database ``db - N``,
    so that workers running side by side never flush each other's queues."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker.startswith("gw"):
        return url
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    db = base - int(worker[2:])
    if db < 0:
        raise RuntimeError(f"KPI_TEST_REDIS_URL database {base} leaves none for {worker}")
    return parts._replace(path=f"/{db}").geturl()


REDIS_URL = _worker_redis_url(os.environ.get("KPI_TEST_REDIS_URL", ""))

requires_redis = pytest.mark.skipif(
    not REDIS_URL, reason="needs Redis (KPI_TEST_REDIS_URL); runs in the postgres pass"
)

requires_postgres = pytest.mark.skipif(
    BACKEND != "postgres", reason="needs PostgreSQL (row-level security); runs in the postgres pass"
)


def worker_env(app, redis_url: str, **extra) -> dict:
    """The environment of a real ``kpi worker`` process serving ``app``'s database: no KPI_
    setting of the test process leaks in; the secret and the RLS scope key are the app's (a
    worker signing with another key would read every unit as empty on PostgreSQL)."""
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(
        KPI_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        KPI_REDIS_URL=redis_url,
        KPI_INSTANCE_DIR=app.config["KPI_INSTANCE_DIR"],
        KPI_SECRET_KEY=app.config["SECRET_KEY"],
        KPI_RLS_KEY=app.config["KPI_RLS_KEY"],
        KPI_DATABASE_APP_ROLE=PG_APP_ROLE,
        PYTHONPATH=str(Path(__file__).resolve().parents[1]),
        **extra,
    )
    return env


def csrf_token(client, url: str) -> str:
    """GET ``url`` and return the CSRF token of its first form."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client, url: str, data: dict, *, page: str | None = None, **kwargs):
    """POST ``data`` to ``url`` with a CSRF token taken from ``page`` (default: ``url``)."""
    token = csrf_token(client, page or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def login(client, tenant_slug: str | None, username: str, password: str = PASSWORD):
    url = f"/t/{tenant_slug}/login" if tenant_slug else "/admin/login"
    return post_form(client, url, {"username": username, "password": password})


class Factory:
    """Makes rows; every tenant-owned row requires its tenant."""

    def __init__(self, password_hash: str):
        self.password_hash = password_hash

    def tenant(self, slug: str, *, status: str = "pilot", kind: str = "phuong", name=None):
        from tenant_app.extensions import db
        from tenant_app.models import Tenant

        tenant = Tenant(
            slug=slug, name=name or f"Phường {slug}", kind=kind, status=status, settings={}
        )
        db.session.add(tenant)
        db.session.commit()
        return tenant

    def user(self, tenant, username: str, roles=("staff",), *, full_name=None, active=True):
        from tenant_app.extensions import db
        from tenant_app.models import User
        from tenant_app.tenancy import tenant_context

        with tenant_context(tenant):
            user = User(
                username=username,
                full_name=full_name or username.title(),
                roles=list(roles),
                password_hash=self.password_hash,
                active=active,
            )
            db.session.add(user)
            db.session.commit()
        return user

    def province_user(self, username: str, role: str):
        from tenant_app.extensions import db
        from tenant_app.models import ProvinceUser

        user = ProvinceUser(
            username=username,
            full_name=username.title(),
            role=role,
            password_hash=self.password_hash,
        )
        db.session.add(user)
        db.session.commit()
        return user


def token_for(client, tenant_slug, username, password=PASSWORD) -> str:
    response = client.post(
        "/api/v1/auth/token",
        json={"tenant": tenant_slug, "username": username, "password": password},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
