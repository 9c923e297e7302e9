"""Resolving the tenant from the URL fails closed: unknown, suspended and archived units are 404."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import Tenant
from tests.helpers import PASSWORD, csrf_token, login, post_form, requires_postgres


def test_resolution_unknown_slug_is_404_html(client):
    """An unknown unit's login page does not exist."""
    assert client.get("/t/khong-ton-tai/login").status_code == 404


def test_resolution_unknown_slug_is_404_api(client):
    """An unknown unit's API answers 404 with the JSON error envelope."""
    response = client.get("/api/v1/t/khong-ton-tai/users")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("status", ["suspended", "archived"])
def test_resolution_closed_unit_is_404(client, factory, status):
    """Suspended and archived units answer like units that never existed, UI and API."""
    factory.tenant("dong-cua", status=status)
    assert client.get("/t/dong-cua/login").status_code == 404
    assert client.get("/api/v1/t/dong-cua/me").status_code == 404


@pytest.mark.parametrize("status", ["onboarding", "pilot", "active"])
def test_resolution_serving_unit_shows_login(client, factory, status):
    """Units being set up, piloting or active serve their login page."""
    factory.tenant("mo-cua", status=status)
    assert client.get("/t/mo-cua/login").status_code == 200


def test_resolution_suspending_ends_access_of_logged_in_users(client, tenant_a, admin_a):
    """A user already logged in loses access as soon as the unit is suspended."""
    login(client, "phuong-a", "admin.a")
    assert client.get("/t/phuong-a/").status_code == 200
    db.session.execute(sa.update(Tenant).where(Tenant.id == tenant_a.id).values(status="suspended"))
    db.session.commit()
    assert client.get("/t/phuong-a/").status_code == 404


def test_resolution_user_cannot_log_in_to_other_tenant(client, tenant_b, admin_a):
    """Tenant A's credentials do not open tenant B."""
    response = login(client, "phuong-b", "admin.a")
    assert response.status_code == 401
    assert client.get("/t/phuong-b/").status_code == 302


def test_resolution_tenant_user_cannot_log_in_to_admin(client, admin_a):
    """Tenant credentials are not province credentials."""
    response = login(client, None, "admin.a")
    assert response.status_code == 401
    assert client.get("/admin/").status_code == 302


def test_resolution_tenant_session_does_not_open_admin(client, admin_a):
    """A logged-in unit user asking for /admin is sent to the province login."""
    login(client, "phuong-a", "admin.a")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_resolution_province_session_does_not_open_tenant(client, tenant_a, province_admin):
    """A province administrator is not a user inside a unit's workspace."""
    login(client, None, "tinh.admin")
    response = client.get("/t/phuong-a/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/t/phuong-a/login")


def test_resolution_start_page_redirects_to_known_unit(client, tenant_a):
    """The start page's unit box leads to the unit's login, and 404s an unknown one."""
    assert client.get("/?unit=phuong-a").headers["Location"] == "/t/phuong-a/login"
    assert client.get("/?unit=nope").status_code == 404


def test_resolution_unit_not_found_page_is_vietnamese(client):
    """The not-found page speaks Vietnamese by default."""
    html = client.get("/t/khong-ton-tai/").get_data(as_text=True)
    assert "Không tìm thấy" in html


def test_resolution_english_is_switchable(client, tenant_a):
    """Choosing English keeps the language for the session."""
    client.get("/lang/en?next=/t/phuong-a/login")
    html = client.get("/t/phuong-a/login").get_data(as_text=True)
    assert 'lang="en"' in html
    post_form(client, "/t/phuong-a/login", {"username": "x", "password": "y"})


def test_resolution_scope_change_signs_each_connection_once(app, tenant_a):
    """Entering a tenant inside an open transaction re-sends the signed scope once per open
    connection: SQLAlchemy files a connection under its engine too, which must not count twice."""
    from tenant_app.tenancy import scoping, tenant_context

    db.session.execute(sa.select(Tenant.id)).all()  # opens the transaction and its connection
    assert len(scoping._open_connections(db.session())) == 1
    with tenant_context(tenant_a):
        assert len(scoping._open_connections(db.session())) == 1
    db.session.rollback()


@requires_postgres
def test_resolution_tenant_login_signs_the_scope_once_per_change(app, client, tenant_a, staff_a):
    """A unit's sign-in signs its scope once when the tenant is resolved, not twice (each
    signature costs two round trips to PostgreSQL)."""
    from tenant_app.tenancy.rls import BINDING_SQL

    token = csrf_token(client, "/t/phuong-a/login")
    bindings = []

    def count(_conn, _cursor, statement, *_args):
        if statement == BINDING_SQL:
            bindings.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.post(
            "/t/phuong-a/login",
            data={"csrf_token": token, "username": "staff.a", "password": PASSWORD},
        )
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 302
    # One at the start of the transaction, one when the request's tenant is set in it.
    assert len(bindings) == 2
