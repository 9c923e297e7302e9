"""Finding 7: a province administrator inside a live unit only as recorded break-glass access.

A unit being set up gets its first administrator as before. In a live unit (pilot, active,
suspended) the province must give a reason, an expiry and a confirmation; the account stops
working at its expiry (login, every request, every API token), the unit's administrators are told
and both audit chains record it; the province console lists open grants and ends one early.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, BreakGlassGrant, Notification, ProvinceAuditEvent, User
from tenant_app.models.base import utcnow
from tenant_app.services.errors import ServiceError
from tenant_app.services.province import break_glass, tenants
from tenant_app.tenancy import tenant_context
from tests.helpers import bearer, login, post_form, token_for

REASON = "Khôi phục quyền quản trị: quản trị viên đơn vị nghỉ ốm, cần mở kỳ đánh giá tháng 12"
PAGE = "/admin/tenants/phuong-a"


def _grant(tenant, actor, *, hours=4, username="khan.cap"):
    """A break-glass unit administrator in ``tenant``; returns (user, temporary password)."""
    user, password = tenants.create_first_admin(
        tenant,
        username=username,
        full_name="Cán Bộ Tỉnh",
        actor=actor,
        reason=REASON,
        hours=hours,
        confirmed=True,
    )
    db.session.commit()
    return user, password


def _expire(tenant, user) -> None:
    """Move ``user``'s expiry into the past (as if its hours had gone by)."""
    with tenant_context(tenant):
        row = db.session.get(User, (tenant.id, user.id))
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()


def _users(tenant) -> set[str]:
    db.session.expire_all()
    with tenant_context(tenant):
        return set(db.session.execute(sa.select(User.username)).scalars())


def test_finding7_unit_being_set_up_gets_a_plain_first_admin(factory, province_admin):
    """While a unit is onboarding, the first administrator needs no reason and never expires."""
    tenant = factory.tenant("moi", status="onboarding")
    user, _password = tenants.create_first_admin(
        tenant, username="qt.moi", full_name="Quản Trị Mới", actor=province_admin
    )
    db.session.commit()
    assert user.expires_at is None
    with tenant_context(tenant):
        assert db.session.execute(sa.select(BreakGlassGrant)).scalars().all() == []


@pytest.mark.parametrize("status", ["pilot", "active", "suspended"])
def test_finding7_live_unit_refuses_admin_without_break_glass(factory, province_admin, status):
    """In a live unit, creating an administrator without reason/expiry/confirmation is refused."""
    tenant = factory.tenant("song", status=status)
    with pytest.raises(ServiceError) as refused:
        tenants.create_first_admin(
            tenant, username="qt.song", full_name="Quản Trị", actor=province_admin
        )
    db.session.rollback()
    assert refused.value.field == "reason"
    assert "qt.song" not in _users(tenant)


def test_finding7_live_unit_form_without_reason_creates_nothing(client, tenant_a, province_admin):
    """The console's form on a live unit asks for a reason, hours and confirmation (Vietnamese)."""
    login(client, None, "tinh.admin")
    response = post_form(client, PAGE, {"username": "qt.a", "full_name": "Quản Trị", "hours": "4"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Lý do truy cập khẩn cấp" in html and "Cần xác nhận để tiếp tục." in html
    assert "qt.a" not in _users(tenant_a)


@pytest.mark.parametrize(
    ("reason", "hours", "confirmed", "field"),
    [
        ("ngắn quá", 4, True, "reason"),
        ("   " + "x" * 5 + "   ", 4, True, "reason"),
        (REASON, 0, True, "hours"),
        (REASON, 73, True, "hours"),
        (REASON, "abc", True, "hours"),
        (REASON, 4, False, "confirm"),
    ],
)
def test_finding7_break_glass_request_is_validated(reason, hours, confirmed, field):
    """Reason ≥ 20 characters, 1–72 hours and an explicit confirmation, each named on refusal."""
    with pytest.raises(ServiceError) as refused:
        break_glass.check_request(reason, hours, confirmed)
    assert refused.value.field == field


def test_finding7_console_grants_and_shows_expiry(client, tenant_a, admin_a, province_admin):
    """A complete form creates an expiring account; the unit page lists it with its expiry."""
    login(client, None, "tinh.admin")
    response = post_form(
        client,
        PAGE,
        {"username": "khan.cap", "full_name": "Cán Bộ Tỉnh", "reason": REASON, "hours": "6",
         "confirm": "y"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "tự hết hạn lúc" in response.get_data(as_text=True)
    with tenant_context(tenant_a):
        user = db.session.execute(sa.select(User).where(User.username == "khan.cap")).scalar_one()
        assert timedelta(hours=5, minutes=59) < user.expires_at - utcnow() <= timedelta(hours=6)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Truy cập khẩn cấp đang mở" in page and REASON in page


def test_finding7_expired_account_cannot_log_in(client, tenant_a, province_admin):
    """After its expiry the break-glass account's password no longer opens a session."""
    user, password = _grant(tenant_a, province_admin)
    assert login(client, "phuong-a", "khan.cap", password).status_code == 302
    _expire(tenant_a, user)
    other = client.application.test_client()
    assert login(other, "phuong-a", "khan.cap", password).status_code == 401


def test_finding7_expiry_ends_a_running_session(client, tenant_a, province_admin):
    """A session opened before the expiry stops at the next request after it."""
    user, password = _grant(tenant_a, province_admin)
    login(client, "phuong-a", "khan.cap", password)
    assert client.get("/t/phuong-a/account/password").status_code == 200
    _expire(tenant_a, user)
    response = client.get("/t/phuong-a/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_finding7_expiry_stops_api_tokens(client, tenant_a, province_admin):
    """An API token of the break-glass account is refused once the account has expired."""
    user, password = _grant(tenant_a, province_admin)
    with tenant_context(tenant_a):  # the API wants the temporary password changed first
        db.session.get(User, (tenant_a.id, user.id)).must_change_password = False
        db.session.commit()
    headers = bearer(token_for(client, "phuong-a", "khan.cap", password))
    assert client.get("/api/v1/t/phuong-a/me", headers=headers).status_code == 200
    _expire(tenant_a, user)
    assert client.get("/api/v1/t/phuong-a/me", headers=headers).status_code == 401


def test_finding7_unit_admins_notified_and_both_chains_record(tenant_a, admin_a, province_admin):
    """The unit's administrators get a notice naming the reason; the unit's audit log and the
    province chain both record the grant with its reason and expiry."""
    user, _password = _grant(tenant_a, province_admin)
    with tenant_context(tenant_a):
        notes = (
            db.session.execute(sa.select(Notification).where(Notification.user_id == admin_a.id))
            .scalars()
            .all()
        )
        unit_events = (
            db.session.execute(
                sa.select(AuditEvent).where(AuditEvent.action == "break_glass.granted")
            )
            .scalars()
            .all()
        )
    assert len(notes) == 1 and "khan.cap" in notes[0].message and REASON in notes[0].message
    assert len(unit_events) == 1
    assert unit_events[0].actor_type == "province_user"
    assert unit_events[0].after["reason"] == REASON and unit_events[0].after["expires_at"]
    province = db.session.execute(
        sa.select(ProvinceAuditEvent).where(
            ProvinceAuditEvent.action == "tenant.break_glass_granted"
        )
    ).scalar_one()
    assert province.subject_tenant_id == tenant_a.id and province.object_id == str(user.id)


def test_finding7_console_ends_a_grant_early(client, tenant_a, admin_a, province_admin):
    """Ending early disables the account at once, ends its session, and is audited and told."""
    user, password = _grant(tenant_a, province_admin)
    unit = client.application.test_client()
    login(unit, "phuong-a", "khan.cap", password)
    login(client, None, "tinh.admin")
    with tenant_context(tenant_a):
        grant_id = db.session.execute(sa.select(BreakGlassGrant.id)).scalar_one()
    response = post_form(client, f"{PAGE}/break-glass/{grant_id}/end", {}, page=PAGE)
    assert response.status_code == 302
    db.session.expire_all()
    with tenant_context(tenant_a):
        row = db.session.get(User, (tenant_a.id, user.id))
        grant = db.session.get(BreakGlassGrant, (tenant_a.id, grant_id))
        actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
        notes = (
            db.session.execute(
                sa.select(Notification.message).where(Notification.user_id == admin_a.id)
            )
            .scalars()
            .all()
        )
    assert not row.active and grant.ended_at is not None and grant.ended_by == "tinh.admin"
    assert "break_glass.ended" in actions
    assert any("kết thúc sớm" in n for n in notes)
    assert unit.get("/t/phuong-a/account/password").status_code == 302
    assert "Truy cập khẩn cấp đang mở" not in client.get(PAGE).get_data(as_text=True)


def test_finding7_auditor_cannot_end_a_grant(client, tenant_a, province_admin, auditor):
    """Only a province administrator ends a grant; an auditor gets 403."""
    _grant(tenant_a, province_admin)
    with tenant_context(tenant_a):
        grant_id = db.session.execute(sa.select(BreakGlassGrant.id)).scalar_one()
    login(client, None, "tinh.thanhtra")
    response = post_form(client, f"{PAGE}/break-glass/{grant_id}/end", {}, page=PAGE)
    assert response.status_code == 403


def test_finding7_expire_job_disables_expired_accounts(tenant_a, province_admin):
    """The periodic job marks expired break-glass accounts disabled and closes their grants."""
    from tenant_app.jobs.break_glass import expire

    user, _password = _grant(tenant_a, province_admin)
    _expire(tenant_a, user)
    with tenant_context(tenant_a):
        assert expire(tenant_a.id) == {"closed": 1}
        assert expire(tenant_a.id) == {"closed": 0}
        db.session.expire_all()
        assert not db.session.get(User, (tenant_a.id, user.id)).active
        assert db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "break_glass.expired")
        ).scalar_one()


def test_finding7_api_requires_break_glass_and_lists_and_ends(client, tenant_a, province_admin):
    """The province API: a live unit needs reason/hours/confirm; open grants are listed with
    their expiry and one can be ended early (204)."""
    headers = bearer(token_for(client, None, "tinh.admin"))
    base = "/api/v1/province/tenants/phuong-a"
    plain = client.post(
        f"{base}/admins", json={"username": "qt.api", "full_name": "Quản Trị"}, headers=headers
    )
    assert plain.status_code == 400 and "qt.api" not in _users(tenant_a)
    created = client.post(
        f"{base}/admins",
        json={"username": "qt.api", "full_name": "Quản Trị", "reason": REASON, "hours": 2,
              "confirm": True},
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201 and created.get_json()["expires_at"]
    listing = client.get(f"{base}/break-glass", headers=headers).get_json()
    assert [g["username"] for g in listing] == ["qt.api"] and listing[0]["reason"] == REASON
    ended = client.delete(f"{base}/break-glass/{listing[0]['id']}", headers=headers)
    assert ended.status_code == 204
    assert client.get(f"{base}/break-glass", headers=headers).get_json() == []
    again = client.delete(f"{base}/break-glass/{listing[0]['id']}", headers=headers)
    assert again.status_code == 404
