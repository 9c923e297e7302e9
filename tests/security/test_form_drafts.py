"""Issue 15, item 4: a save that arrives after the session expired keeps what was typed as a draft
for the same account (never another account or unit), goes to the login page with a message, and
comes back to the form page, filled again; a GET to a POST-only URL never shows a 405."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import FormDraft
from tenant_app.models.base import utcnow
from tenant_app.services.workspace import drafts
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import assign, ward_today
from tests.helpers import PASSWORD, csrf_token, login, post_form

KEPT = "Phiên làm việc đã hết hạn. Đăng nhập lại để tiếp tục; nội dung bạn đã nhập được giữ lại."
RESTORED = "Đã khôi phục nội dung bạn nhập trước khi phiên hết hạn. Kiểm tra và bấm Lưu."


@pytest.fixture()
def ward(factory, tenant_a):
    """A ward with its month open today: head ``truong``, clerk ``vanthu``."""
    return ward_today(factory, tenant_a)


def _pages(ward) -> tuple[str, str]:
    period = ward["period"]
    return f"/t/phuong-a/my/work?period={period}", f"/t/phuong-a/my/assessment?period={period}"


def _expire(client) -> None:
    """Age the cookie's last use past the idle limit, as a lunch break does."""
    with client.session_transaction() as session:
        session["seen_at"] = session["seen_at"] - 3600


def _post_after_expiry(client, ward, comment="Đã hoàn thành báo cáo tháng"):
    page, action = _pages(ward)
    token = csrf_token(client, page)
    _expire(client)
    return client.post(
        action,
        data={"csrf_token": token, "general_0": "7", "comment": comment, "password": "x"},
        headers={"Referer": f"http://localhost{page}"},
    )


def _island(html: str):
    """The draft handed to the page's script, or None."""
    match = re.search(r'<script type="application/json" id="draft-data">(.*?)</script>', html)
    return json.loads(match.group(1)) if match else None


def _drafts(tenant) -> list[FormDraft]:
    with tenant_context(tenant):
        return db.session.execute(sa.select(FormDraft)).scalars().all()


def test_expired_save_keeps_a_draft_and_goes_to_login_with_the_form_page(client, tenant_a, ward):
    """The stale POST goes to the login page with ``next`` = the form's page (not the POST-only
    URL) and the message; the draft keeps the typed fields, not the password or the token."""
    login(client, "phuong-a", "vanthu")
    response = _post_after_expiry(client, ward)
    page, _action = _pages(ward)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/t/phuong-a/login" and parse_qs(location.query) == {"next": [page]}
    assert KEPT in client.get(response.headers["Location"]).get_data(as_text=True)
    [draft] = _drafts(tenant_a)
    assert draft.user_id == ward["clerk_user"]
    assert draft.fields == {"general_0": ["7"], "comment": ["Đã hoàn thành báo cáo tháng"]}


def test_signing_in_again_returns_to_the_form_filled_from_the_draft(client, tenant_a, ward):
    """After login the browser lands on the form page (GET), with the draft and the notice,
    once; the draft is then gone."""
    login(client, "phuong-a", "vanthu")
    location = _post_after_expiry(client, ward).headers["Location"]
    response = post_form(
        client, location, {"username": "vanthu", "password": PASSWORD}, page=location
    )
    page, action = _pages(ward)
    assert response.headers["Location"] == page
    html = client.get(page).get_data(as_text=True)
    assert RESTORED in html
    assert _island(html) == {
        "action": action.split("?")[0],
        "fields": {"general_0": ["7"], "comment": ["Đã hoàn thành báo cáo tháng"]},
    }
    assert _drafts(tenant_a) == []
    assert 'id="draft-data"' not in client.get(page).get_data(as_text=True)


def test_server_ended_session_keeps_the_draft_too(client, tenant_a, ward):
    """A session ended on the server (its record gone) keeps the typed fields the same way."""
    from tenant_app.models import LoginSession

    login(client, "phuong-a", "vanthu")
    page, action = _pages(ward)
    token = csrf_token(client, page)
    with tenant_context(tenant_a):
        db.session.execute(sa.delete(LoginSession))
        db.session.commit()
    response = client.post(
        action,
        data={"csrf_token": token, "comment": "Giữ lại"},
        headers={"Referer": f"http://localhost{page}"},
    )
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    assert [d.fields for d in _drafts(tenant_a)] == [{"comment": ["Giữ lại"]}]


def test_another_account_signing_in_does_not_get_the_draft(client, tenant_a, ward):
    """The head signing in on the same browser sees no draft of the clerk's; it stays kept
    for the clerk only."""
    login(client, "phuong-a", "vanthu")
    location = _post_after_expiry(client, ward).headers["Location"]
    post_form(client, location, {"username": "truong", "password": PASSWORD}, page=location)
    page, _action = _pages(ward)
    html = client.get(page).get_data(as_text=True)
    assert _island(html) is None and RESTORED not in html
    assert [d.user_id for d in _drafts(tenant_a)] == [ward["clerk_user"]]


def test_a_draft_older_than_an_hour_is_not_restored(client, tenant_a, ward):
    """A draft not claimed within an hour is discarded."""
    login(client, "phuong-a", "vanthu")
    location = _post_after_expiry(client, ward).headers["Location"]
    with tenant_context(tenant_a):
        db.session.execute(
            sa.update(FormDraft).values(created_at=utcnow() - drafts.KEEP - timedelta(minutes=1))
        )
        db.session.commit()
    post_form(client, location, {"username": "vanthu", "password": PASSWORD}, page=location)
    page, _action = _pages(ward)
    assert 'id="draft-data"' not in client.get(page).get_data(as_text=True)


def test_a_post_to_another_unit_keeps_no_draft(client, tenant_a, tenant_b, ward, admin_b):
    """An expired session of unit A posting under unit B's URLs keeps nothing anywhere."""
    login(client, "phuong-a", "vanthu")
    page, _action = _pages(ward)
    token = csrf_token(client, page)
    _expire(client)
    client.post(
        "/t/phuong-b/my/assessment?period=1",
        data={"csrf_token": token, "comment": "Không được giữ"},
    )
    assert _drafts(tenant_a) == [] and _drafts(tenant_b) == []


def test_the_json_api_still_answers_401(client, tenant_a, ward):
    """A form post to the API with an expired session cookie: 401 JSON, no draft."""
    login(client, "phuong-a", "vanthu")
    _expire(client)
    response = client.post("/api/v1/t/phuong-a/reports", data={"comment": "x"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert _drafts(tenant_a) == []


def test_a_get_to_a_post_only_url_goes_to_the_page_above_it(client, tenant_a, ward):
    """A person who opens a POST-only URL is sent to the nearest page, never shown a 405."""
    login(client, "phuong-a", "vanthu")
    assignment = assign(tenant_a, ward)
    response = client.get(f"/t/phuong-a/my/work/{assignment}")
    assert response.status_code == 302 and response.headers["Location"] == "/t/phuong-a/my/work"
    response = client.get("/t/phuong-a/my/assessment")
    assert response.status_code == 302 and response.headers["Location"] == "/t/phuong-a/"


def test_login_next_to_a_post_only_url_lands_on_a_page(client, tenant_a, ward):
    """An old login link whose ``next`` is a POST-only URL lands on the page above it."""
    assignment = assign(tenant_a, ward)
    url = f"/t/phuong-a/login?next=/t/phuong-a/my/work/{assignment}"
    response = post_form(client, url, {"username": "vanthu", "password": PASSWORD}, page=url)
    assert response.headers["Location"] == "/t/phuong-a/my/work"


def test_kept_fields_leave_out_passwords_and_the_csrf_token():
    """Only what a person typed into ordinary fields is kept."""
    from werkzeug.datastructures import MultiDict

    form = MultiDict(
        [
            ("csrf_token", "t"),
            ("password", "p"),
            ("new_password", "p"),
            ("note", "a"),
            ("tag", "x"),
            ("tag", "y"),
        ]
    )
    assert drafts.fields_of(form) == {"note": ["a"], "tag": ["x", "y"]}


def test_expired_console_post_returns_to_its_page_not_the_post_url(
    client, tenant_a, province_admin
):
    """In the province console an expired session's post leads to the login page with ``next``
    = the page the form was on (no draft: the console has none), so no 405 after login."""
    login(client, None, "tinh.admin")
    token = csrf_token(client, "/admin/tenants/new")
    _expire(client)
    response = client.post(
        "/admin/tenants/phuong-a/status/suspended",
        data={"csrf_token": token},
        headers={"Referer": "http://localhost/admin/tenants/phuong-a"},
    )
    location = urlsplit(response.headers["Location"])
    assert location.path == "/admin/login"
    assert parse_qs(location.query) == {"next": ["/admin/tenants/phuong-a"]}
