"""Issue 12, findings 1, 4 and 5: ``next`` redirects stay on the site, logout ends the session on
the server (a copied cookie dies with it), and a temporary password opens nothing but the
password page, in HTML and in the API."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import LoginSession, ProvinceLoginSession, ProvinceUser, User
from tenant_app.models.base import utcnow
from tenant_app.security.redirects import safe_target
from tenant_app.tenancy import tenant_context
from tests.helpers import PASSWORD, bearer, csrf_token, login, post_form, token_for

# --- finding 1: open redirect

# ``next`` values as an attacker writes them in a link (already percent-encoded once).
HOSTILE_NEXT = [
    "/%09/evil.example/x",  # tab: browsers drop it, leaving //evil.example
    "/%0a/evil.example",  # newline: was a 500
    "/%0d/evil.example",  # carriage return
    "/%00/evil.example",  # NUL
    "/%7f/evil.example",  # DEL
    "/%C2%85/evil.example",  # NEL
    "/%E2%80%A8/evil.example",  # unicode line separator
    "/%E2%80%A9/evil.example",  # unicode paragraph separator
    "/%E2%80%8B/evil.example",  # zero-width space (format character)
    "%09//evil.example",
    "%20//evil.example",
    "/%5Cevil.example",  # /\evil
    "%5C%5Cevil.example",
    "/%5C/evil.example",
    "//evil.example",
    "///evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "https://evil.example",
    "https:evil.example",
    "https:%2F%2Fevil.example",
    "javascript:alert(1)",
    "evil.example",
    "/%2509/evil.example",  # double-encoded tab
    "/%255C/evil.example",  # double-encoded backslash
    "/%252F/evil.example",  # double-encoded slash
]


def _browser_target(location: str) -> str:
    """Where a browser on https://kpi.example/ goes for ``location`` (WHATWG leniency: drops
    tab/newline/CR, trims C0 controls and spaces, reads a backslash as a slash)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00\x01-\x1f ").replace("\\", "/")
    return urljoin("https://kpi.example/page", cleaned)


def _assert_stays_on_site(response, raw: str) -> None:
    assert response.status_code == 302, (raw, response.status_code)
    location = response.headers["Location"]
    assert not re.search(r"[\x00-\x1f\x7f\u0085\u2028\u2029]", location), (raw, location)
    assert location.startswith("/") and not location.startswith("//"), (raw, location)
    assert urlsplit(_browser_target(location)).netloc == "kpi.example", (raw, location)


@pytest.mark.parametrize("raw", HOSTILE_NEXT)
def test_finding1_language_switch_never_redirects_off_site(client, raw):
    """/lang/vi?next=<hostile> answers 302 to a same-site path, never a 500, never off-site."""
    _assert_stays_on_site(client.get(f"/lang/vi?next={raw}"), raw)


def test_finding1_tenant_login_never_redirects_off_site(app, tenant_a, admin_a):
    """A successful unit login with a hostile ``next`` lands on the site (each value in turn)."""
    for raw in HOSTILE_NEXT:
        client = app.test_client()
        response = post_form(
            client,
            f"/t/phuong-a/login?next={raw}",
            {"username": "admin.a", "password": PASSWORD},
            page="/t/phuong-a/login",
        )
        _assert_stays_on_site(response, raw)


def test_finding1_admin_login_never_redirects_off_site(app, province_admin):
    """A successful province login with a hostile ``next`` lands on the site (each value)."""
    for raw in HOSTILE_NEXT:
        client = app.test_client()
        response = post_form(
            client,
            f"/admin/login?next={raw}",
            {"username": "tinh.admin", "password": PASSWORD},
            page="/admin/login",
        )
        _assert_stays_on_site(response, raw)


def test_finding1_tab_value_falls_back_to_the_default(client, tenant_a, admin_a):
    """The reported case: ``next=/%09/evil.example/x`` goes to the unit's home page instead."""
    response = post_form(
        client,
        "/t/phuong-a/login?next=/%09/evil.example/x",
        {"username": "admin.a", "password": PASSWORD},
        page="/t/phuong-a/login",
    )
    assert response.headers["Location"] == "/t/phuong-a/"


def test_finding1_same_site_next_is_kept(client, tenant_a, admin_a):
    """An ordinary path with an encoded query survives the check."""
    response = client.get("/lang/en?next=/t/phuong-a/users%3Fq%3Dl%25C3%25AA%2520th%25E1%25BB%258B")
    assert response.headers["Location"] == "/t/phuong-a/users?q=l%C3%AA%20th%E1%BB%8B"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/t/x/", "/t/x/"),
        ("/t/x/?q=a%20b", "/t/x/?q=a%20b"),
        ("/\t/evil", "D"),
        ("/\u2028/evil", "D"),
        ("/\\evil", "D"),
        ("//evil", "D"),
        ("", "D"),
        (None, "D"),
        ("/%2F/evil", "D"),
        ("/" + "a" * 3000, "D"),
    ],
)
def test_finding1_safe_target_table(value, expected):
    """safe_target keeps plain same-site paths and replaces everything else with the default."""
    assert safe_target(value, "D") == expected


# --- finding 4: sessions that end on the server


def _copy_session(source, target) -> None:
    cookie = source.get_cookie("kpi_session")
    target.set_cookie("kpi_session", cookie.value)


def _logout(client, prefix: str, page: str) -> None:
    client.post(f"{prefix}/logout", data={"csrf_token": csrf_token(client, page)})


def test_finding4_copied_cookie_dies_at_tenant_logout(app, tenant_a, admin_a):
    """A copy of the session cookie stops working once its owner logs out."""
    owner, thief = app.test_client(), app.test_client()
    login(owner, "phuong-a", "admin.a")
    _copy_session(owner, thief)
    assert thief.get("/t/phuong-a/").status_code == 200
    _logout(owner, "/t/phuong-a", "/t/phuong-a/")
    response = thief.get("/t/phuong-a/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_finding4_copied_cookie_dies_at_province_logout(app, province_admin):
    """The same for a province administrator's session under /admin."""
    owner, thief = app.test_client(), app.test_client()
    login(owner, None, "tinh.admin")
    _copy_session(owner, thief)
    assert thief.get("/admin/").status_code == 200
    _logout(owner, "/admin", "/admin/")
    assert thief.get("/admin/").status_code == 302


def test_finding4_session_record_keeps_only_a_hash(client, tenant_a, admin_a):
    """The cookie's session id is not stored; its SHA-256 is, in the tenant's own table."""
    login(client, "phuong-a", "admin.a")
    with client.session_transaction() as session:
        sid = session["_sid"]
    with tenant_context(tenant_a):
        hashes = db.session.execute(sa.select(LoginSession.token_hash)).scalars().all()
    assert len(hashes) == 1 and sid not in hashes and len(hashes[0]) == 64


def test_finding4_server_idle_timeout_ends_a_copied_cookie(app, tenant_a, admin_a):
    """A session unused on the server for longer than the idle limit is over, whatever the
    cookie claims."""
    client = app.test_client()
    login(client, "phuong-a", "admin.a")
    with tenant_context(tenant_a):
        db.session.execute(
            sa.update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=40))
        )
        db.session.commit()
    assert client.get("/t/phuong-a/").status_code == 302


def test_finding4_server_absolute_end_is_enforced(app, province_admin):
    """A province session past its absolute end is over even if used a second ago."""
    client = app.test_client()
    login(client, None, "tinh.admin")
    db.session.execute(
        sa.update(ProvinceLoginSession).values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert client.get("/admin/").status_code == 302


def test_finding4_last_seen_written_at_most_once_a_minute(client, tenant_a, admin_a):
    """Requests within a minute of the last write do not write again; a later one does."""
    login(client, "phuong-a", "admin.a")
    recent = utcnow() - timedelta(seconds=20)
    older = utcnow() - timedelta(minutes=5)

    def set_and_read(value):
        with tenant_context(tenant_a):
            db.session.execute(sa.update(LoginSession).values(last_seen_at=value))
            db.session.commit()
        client.get("/t/phuong-a/")
        db.session.expire_all()
        with tenant_context(tenant_a):
            return db.session.execute(sa.select(LoginSession.last_seen_at)).scalar_one()

    assert set_and_read(recent) == recent
    assert set_and_read(older) > older + timedelta(minutes=4)


def test_finding4_password_change_ends_other_session_records(app, tenant_a, admin_a):
    """A password change marks the user's other session records ended (one live: this one)."""
    first, second = app.test_client(), app.test_client()
    login(first, "phuong-a", "admin.a")
    login(second, "phuong-a", "admin.a")
    post_form(
        first,
        "/t/phuong-a/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "Mat-khau-moi-2027",
            "confirm": "Mat-khau-moi-2027",
        },
    )
    with tenant_context(tenant_a):
        rows = db.session.execute(sa.select(LoginSession)).scalars().all()
    assert sum(1 for r in rows if r.ended_at is None) == 1
    assert second.get("/t/phuong-a/").status_code == 302


# --- finding 5: temporary passwords


def _must_change(tenant) -> None:
    with tenant_context(tenant):
        db.session.execute(sa.update(User).values(must_change_password=True))
        db.session.commit()


def test_finding5_temporary_password_opens_no_page_but_the_password_page(client, tenant_a, admin_a):
    """Pages opened directly go to the password page with a flash, until the password changes."""
    _must_change(tenant_a)
    login(client, "phuong-a", "admin.a")
    for path in ("/t/phuong-a/", "/t/phuong-a/users", "/t/phuong-a/users/new"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/t/phuong-a/account/password"), path
    page = client.get("/t/phuong-a/account/password").get_data(as_text=True)
    assert "Vui lòng đổi mật khẩu tạm thời" in page


def test_finding5_password_page_logout_and_language_stay_open(client, tenant_a, admin_a):
    """The password page, the language switch and logout work with a temporary password."""
    _must_change(tenant_a)
    login(client, "phuong-a", "admin.a")
    assert client.get("/t/phuong-a/account/password").status_code == 200
    assert client.get("/lang/en?next=/t/phuong-a/account/password").status_code == 302
    token = csrf_token(client, "/t/phuong-a/account/password")
    response = client.post("/t/phuong-a/logout", data={"csrf_token": token})
    assert response.headers["Location"].endswith("/t/phuong-a/login")


def test_finding5_changing_the_password_opens_the_workspace(client, tenant_a, admin_a):
    """Once the temporary password is changed, the pages open again."""
    _must_change(tenant_a)
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
    assert client.get("/t/phuong-a/users").status_code == 200


def test_finding5_province_temporary_password_opens_only_the_password_page(client, province_admin):
    """A province user with a temporary password is held at /admin/account/password."""
    db.session.execute(sa.update(ProvinceUser).values(must_change_password=True))
    db.session.commit()
    login(client, None, "tinh.admin")
    response = client.get("/admin/")
    assert response.headers["Location"].endswith("/admin/account/password")
    assert client.get("/admin/account/password").status_code == 200


def test_finding5_token_refused_with_temporary_password(client, tenant_a, admin_a):
    """POST /api/v1/auth/token answers 403 password_change_required, in Vietnamese."""
    _must_change(tenant_a)
    response = client.post(
        "/api/v1/auth/token",
        json={"tenant": "phuong-a", "username": "admin.a", "password": PASSWORD},
    )
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "password_change_required"
    assert "mật khẩu tạm thời" in error["message"]


def test_finding5_existing_token_stops_working_with_temporary_password(client, tenant_a, admin_a):
    """A token issued before the password became temporary is refused (403) until it changes."""
    token = token_for(client, "phuong-a", "admin.a")
    _must_change(tenant_a)
    response = client.get("/api/v1/t/phuong-a/me", headers=bearer(token))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "password_change_required"
