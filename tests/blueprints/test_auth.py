"""Authentication and sessions: passwords, lockout, CSRF, session lifetimes, tokens, headers."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ApiToken, AuditEvent, User
from tenant_app.models.base import utcnow
from tenant_app.tenancy import tenant_context
from tests.helpers import PASSWORD, bearer, csrf_token, login, post_form, token_for


def _events(tenant, action):
    with tenant_context(tenant):
        return (
            db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action))
            .scalars()
            .all()
        )


def test_auth_login_succeeds_and_records_event(client, tenant_a, admin_a):
    """A right password opens the unit's home page and leaves an audit event."""
    response = login(client, "phuong-a", "admin.a")
    assert response.status_code == 302
    assert "Xin chào" in client.get("/t/phuong-a/").get_data(as_text=True)
    assert len(_events(tenant_a, "auth.login")) == 1


def test_auth_wrong_password_is_refused_in_vietnamese(client, tenant_a, admin_a):
    """A wrong password gives 401, a Vietnamese message, and an auth.login_failed event."""
    response = login(client, "phuong-a", "admin.a", "sai-mat-khau-1")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)
    assert len(_events(tenant_a, "auth.login_failed")) == 1


def test_auth_unknown_user_gets_the_same_message(client, tenant_a):
    """An unknown username is indistinguishable from a wrong password."""
    response = login(client, "phuong-a", "khong.co")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)


def test_auth_lockout_after_repeated_failures(client, app, tenant_a, admin_a):
    """After the configured number of failures from this address the pair is held, even for the
    right password, and the answer names the address, not the account."""
    for _ in range(app.config["KPI_LOGIN_MAX_FAILURES"]):
        login(client, "phuong-a", "admin.a", "sai-mat-khau-1")
    response = login(client, "phuong-a", "admin.a")
    assert response.status_code == 401
    text = response.get_data(as_text=True)
    assert "Quá nhiều lần đăng nhập sai từ địa chỉ này" in text and "1 phút" in text
    assert client.get("/t/phuong-a/").status_code == 302


def test_auth_lockout_expires(client, app, tenant_a, admin_a):
    """Once the hold has passed the right password works again."""
    from tenant_app.models import LoginThrottle

    for _ in range(app.config["KPI_LOGIN_MAX_FAILURES"]):
        login(client, "phuong-a", "admin.a", "sai-mat-khau-1")
    with tenant_context(tenant_a):
        db.session.execute(
            sa.update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    assert login(client, "phuong-a", "admin.a").status_code == 302


def test_auth_rate_limit_per_address(client, app, tenant_a):
    """Too many login attempts from one address get 429."""
    app.config["KPI_LOGIN_RATE_LIMIT"] = "3 per minute"
    token = csrf_token(client, "/t/phuong-a/login")
    codes = [
        client.post(
            "/t/phuong-a/login", data={"csrf_token": token, "username": "x", "password": "y"}
        ).status_code
        for _ in range(4)
    ]
    assert codes[-1] == 429


def test_auth_form_without_csrf_token_is_rejected(client, tenant_a, admin_a):
    """A POST without the CSRF token is refused and logs nobody in."""
    response = client.post("/t/phuong-a/login", data={"username": "admin.a", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/t/phuong-a/").status_code == 302


def test_auth_login_starts_a_new_session(client, tenant_a, admin_a):
    """Data of the anonymous session is dropped at login (no session fixation)."""
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    login(client, "phuong-a", "admin.a")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_auth_password_change_ends_other_sessions(app, tenant_a, admin_a):
    """Changing one's password keeps this session and ends the user's other sessions."""
    first, second = app.test_client(), app.test_client()
    login(first, "phuong-a", "admin.a")
    login(second, "phuong-a", "admin.a")
    response = post_form(
        first,
        "/t/phuong-a/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "Mat-khau-moi-2027",
            "confirm": "Mat-khau-moi-2027",
        },
    )
    assert response.status_code == 302
    assert first.get("/t/phuong-a/").status_code == 200
    assert second.get("/t/phuong-a/").status_code == 302
    assert login(second, "phuong-a", "admin.a", "Mat-khau-moi-2027").status_code == 302


def test_auth_password_change_needs_current_password(client, tenant_a, admin_a):
    """A wrong current password changes nothing and says so."""
    login(client, "phuong-a", "admin.a")
    response = post_form(
        client,
        "/t/phuong-a/account/password",
        {
            "current_password": "sai-mat-khau-1",
            "new_password": "Mat-khau-moi-2027",
            "confirm": "Mat-khau-moi-2027",
        },
    )
    assert "Mật khẩu hiện tại không đúng" in response.get_data(as_text=True)
    client.post("/t/phuong-a/logout", data={"csrf_token": csrf_token(client, "/t/phuong-a/")})
    assert login(client, "phuong-a", "admin.a").status_code == 302


def test_auth_disable_ends_sessions(app, tenant_a, admin_a, staff_a):
    """A disabled account's open session ends at its next request."""
    admin, staff = app.test_client(), app.test_client()
    login(admin, "phuong-a", "admin.a")
    login(staff, "phuong-a", "staff.a")
    assert staff.get("/t/phuong-a/").status_code == 200
    response = post_form(
        admin,
        f"/t/phuong-a/users/{staff_a.id}",
        {"full_name": "Nguyễn Văn A", "roles": ["staff"], "email": ""},
    )
    assert response.status_code == 302
    assert staff.get("/t/phuong-a/").status_code == 302
    assert login(staff, "phuong-a", "staff.a").status_code == 401


def test_auth_idle_timeout(client, tenant_a, admin_a):
    """A session idle for longer than the idle timeout is over."""
    login(client, "phuong-a", "admin.a")
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    response = client.get("/t/phuong-a/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_auth_absolute_timeout(client, tenant_a, admin_a):
    """A session older than the absolute limit is over even if it was used a second ago."""
    login(client, "phuong-a", "admin.a")
    with client.session_transaction() as session:
        session["login_at"] -= 13 * 3600
    assert client.get("/t/phuong-a/").status_code == 302


def test_auth_logout_needs_post_and_ends_session(client, tenant_a, admin_a):
    """Logout is a POST with CSRF (a GET only leads to the home page, still signed in);
    afterwards the workspace needs a login again."""
    login(client, "phuong-a", "admin.a")
    response = client.get("/t/phuong-a/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/t/phuong-a/"
    assert client.get("/t/phuong-a/").status_code == 200
    token = csrf_token(client, "/t/phuong-a/")
    client.post("/t/phuong-a/logout", data={"csrf_token": token})
    assert client.get("/t/phuong-a/").status_code == 302


def test_auth_security_headers(client, tenant_a):
    """Pages carry CSP, frame, sniffing and referrer headers; the session cookie is HttpOnly."""
    response = client.get("/t/phuong-a/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("kpi_session=")]
    assert cookies and "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]


def test_auth_secure_cookie_in_production_config():
    """Production settings send the session cookie over HTTPS only."""
    from tenant_app.config import load

    settings = load(
        {
            "KPI_ENV": "production",
            "KPI_SECRET_KEY": "x" * 40,
            "KPI_DATABASE_URL": "postgresql://app@db/kpi",
        }
    )
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_auth_token_issued_and_usable(client, tenant_a, admin_a):
    """POST /api/v1/auth/token returns a bearer token that opens the tenant API."""
    token = token_for(client, "phuong-a", "admin.a")
    response = client.get("/api/v1/t/phuong-a/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json()["username"] == "admin.a"


def test_auth_token_is_stored_hashed(client, tenant_a, admin_a):
    """The database keeps only the token's SHA-256, never the token."""
    token = token_for(client, "phuong-a", "admin.a")
    with tenant_context(tenant_a):
        stored = db.session.execute(sa.select(ApiToken.token_hash)).scalars().all()
    assert token not in stored and len(stored[0]) == 64


def test_auth_token_wrong_password_is_401_json(client, tenant_a, admin_a):
    """Bad credentials give 401 with a stable code."""
    response = client.post(
        "/api/v1/auth/token", json={"tenant": "phuong-a", "username": "admin.a", "password": "no"}
    )
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_auth_token_expires(client, tenant_a, admin_a):
    """An expired token is refused."""
    token = token_for(client, "phuong-a", "admin.a")
    with tenant_context(tenant_a):
        db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get("/api/v1/t/phuong-a/me", headers=bearer(token)).status_code == 401


def test_auth_token_revoked(client, tenant_a, admin_a):
    """DELETE /api/v1/auth/token revokes the token presented."""
    token = token_for(client, "phuong-a", "admin.a")
    assert client.delete("/api/v1/auth/token", headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/t/phuong-a/me", headers=bearer(token)).status_code == 401


def test_auth_password_change_revokes_tokens(client, tenant_a, admin_a):
    """Changing the password revokes the user's API tokens too."""
    token = token_for(client, "phuong-a", "admin.a")
    login(client, "phuong-a", "admin.a")
    post_form(
        client,
        "/t/phuong-a/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "Mat-khau-moi-2027",
            "confirm": "Mat-khau-moi-2027",
        },
    )
    assert client.get("/api/v1/t/phuong-a/me", headers=bearer(token)).status_code == 401


def test_auth_province_token_does_not_open_tenant_api(client, tenant_a, province_admin):
    """A province token is not a tenant token."""
    token = token_for(client, None, "tinh.admin")
    assert client.get("/api/v1/t/phuong-a/me", headers=bearer(token)).status_code == 401


def test_auth_admin_login_for_province_users(client, province_admin):
    """The province administrator logs in at /admin/login and sees the unit list."""
    response = login(client, None, "tinh.admin")
    assert response.status_code == 302
    assert "Các đơn vị của tỉnh" in client.get("/admin/").get_data(as_text=True)


def test_auth_temporary_password_must_be_changed(client, tenant_a, admin_a):
    """A user with a temporary password is sent to the password page after login."""
    with tenant_context(tenant_a):
        db.session.execute(sa.update(User).values(must_change_password=True))
        db.session.commit()
    response = login(client, "phuong-a", "admin.a")
    assert response.headers["Location"].endswith("/account/password")


def test_auth_province_password_change_ends_other_sessions(app, province_admin):
    """A province user's password change keeps this session and ends their other sessions."""
    first, second = app.test_client(), app.test_client()
    login(first, None, "tinh.admin")
    login(second, None, "tinh.admin")
    response = post_form(
        first,
        "/admin/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "Mat-khau-moi-2027",
            "confirm": "Mat-khau-moi-2027",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    assert first.get("/admin/").status_code == 200
    assert second.get("/admin/").status_code == 302
