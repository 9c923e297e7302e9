"""The onboarding wizard: resumable, never half-configured and active, one-time invitations."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent, Tenant, User
from tenant_app.models.base import utcnow
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.files import spreadsheets
from tenant_app.services.province import onboarding
from tenant_app.services.rollout import templates
from tenant_app.tenancy import tenant_context
from tests.helpers import csrf_token, login, post_form


def _tenant(slug="quang-phu"):
    return db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one()


def _start(client):
    return post_form(
        client,
        "/admin/onboarding/",
        {"name": "Phường Quảng Phú", "slug": "quang-phu", "kind": "phuong"},
    )


def _invite(client, slug="quang-phu", method="invite"):
    url = f"/admin/onboarding/{slug}/admin"
    return post_form(
        client,
        url,
        {"username": "qt.quangphu", "full_name": "Phạm Văn Quản", "email": "", "method": method},
    )


def test_wizard_creates_unit_in_onboarding_and_goes_to_step_two(admin_client):
    """Step 1 creates the unit in status onboarding and leads to the administrator step."""
    response = _start(admin_client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/onboarding/quang-phu/admin")
    assert _tenant().status == "onboarding"


def test_wizard_resumes_at_the_first_unfinished_step(admin_client, published):
    """Interrupted after step 2, the list shows the unit and resuming lands on step 3."""
    _start(admin_client)
    _invite(admin_client)
    listing = admin_client.get("/admin/onboarding/").get_data(as_text=True)
    assert "Phường Quảng Phú" in listing and "/admin/onboarding/quang-phu" in listing
    response = admin_client.get("/admin/onboarding/quang-phu")
    assert response.headers["Location"].endswith("/admin/onboarding/quang-phu/config")
    state = onboarding.progress(_tenant())
    assert (state.has_admin, state.has_config, state.next_step) == (True, False, "config")


def test_wizard_applies_the_chosen_published_version(admin_client, published):
    """Step 3 applies the chosen version; the unit then runs it."""
    _start(admin_client)
    url = "/admin/onboarding/quang-phu/config"
    response = post_form(admin_client, url, {"version_id": str(published.id)})
    assert response.status_code == 302
    assert templates.latest_config(_tenant()).version_id == published.id


def test_wizard_refuses_a_draft_version(admin_client, template, payload):
    """A draft cannot be applied: the unit stays without configuration."""
    draft = templates.create_draft(template, payload)
    db.session.commit()
    _start(admin_client)
    response = post_form(
        admin_client, "/admin/onboarding/quang-phu/config", {"version_id": str(draft.id)}
    )
    assert response.status_code == 400
    assert templates.latest_config(_tenant()) is None


@pytest.mark.parametrize("missing", ["admin", "config"])
def test_activation_refused_when_half_configured(admin_client, published, missing):
    """Without an administrator, or without a configuration, the unit cannot be activated."""
    _start(admin_client)
    if missing != "admin":
        _invite(admin_client)
    if missing != "config":
        post_form(
            admin_client, "/admin/onboarding/quang-phu/config", {"version_id": str(published.id)}
        )
    url = "/admin/onboarding/quang-phu/activate"
    response = post_form(admin_client, url, {"status": "active"})
    assert response.status_code == 409
    assert "Chưa thể đưa đơn vị vào hoạt động" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _tenant().status == "onboarding"


def test_activation_succeeds_once_admin_and_configuration_exist(admin_client, published):
    """With both, the unit becomes a pilot and the change is audited."""
    _start(admin_client)
    _invite(admin_client)
    post_form(admin_client, "/admin/onboarding/quang-phu/config", {"version_id": str(published.id)})
    response = post_form(admin_client, "/admin/onboarding/quang-phu/activate", {"status": "pilot"})
    assert response.status_code == 302
    db.session.expire_all()
    assert _tenant().status == "pilot"
    actions = db.session.execute(sa.select(ProvinceAuditEvent.action)).scalars().all()
    assert {"tenant.admin_invited", "template.applied", "tenant.status_changed"} <= set(actions)


def test_wizard_staff_step_imports_accounts_from_xlsx(admin_client, published):
    """Step 4 reuses the spreadsheet import: validate, then write every row."""
    _start(admin_client)
    workbook = spreadsheets.build_workbook(
        [spreadsheets.Sheet("Tài khoản", ["Tên đăng nhập", "Họ và tên", "Vai trò"],
                            [["le.thi.hoa", "Lê Thị Hoa", "Cán bộ, công chức"]])]
    )  # fmt: skip
    url = "/admin/onboarding/quang-phu/staff"
    kind = "users"
    response = admin_client.post(
        url,
        data={"csrf_token": csrf_token(admin_client, url), "action": "upload", "kind": kind,
              "file": (io.BytesIO(workbook), "taikhoan.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    run = onboarding.staff_imports(_tenant())[0]
    assert run["state"] == "ready"
    post_form(admin_client, url, {"action": "commit", "run_id": run["id"]})
    with tenant_context(_tenant()):
        assert (
            db.session.execute(
                sa.select(User.full_name).where(User.username == "le.thi.hoa")
            ).scalar_one()
            == "Lê Thị Hoa"
        )


def _link_token(html: str) -> str:
    match = re.search(r'id="invitation-link">[^<]*/invitation/([A-Za-z0-9_-]+)<', html)
    assert match, "no invitation link on the page"
    return match.group(1)


def test_invitation_link_sets_the_password_once(admin_client, client_factory):
    """The link sets the password, which then signs in; the same link is refused afterwards."""
    _start(admin_client)
    token = _link_token(_invite(admin_client).get_data(as_text=True))
    person = client_factory()
    url = f"/t/quang-phu/invitation/{token}"
    response = post_form(person, url, {"password": "Quang-Phu-2026", "confirm": "Quang-Phu-2026"})
    assert response.status_code == 302
    assert login(person, "quang-phu", "qt.quangphu", "Quang-Phu-2026").status_code == 302
    again = client_factory().get(url)
    assert again.status_code == 410
    assert "đã được sử dụng" in again.get_data(as_text=True)


def test_invitation_link_expires_after_72_hours(app, factory):
    """After 72 hours the link is refused and the password cannot be set with it."""
    tenant = factory.tenant("moi", status="onboarding")
    _user, token = onboarding.invite_admin(tenant, username="qt.moi", full_name="Quản Trị")
    db.session.commit()
    later = utcnow() + timedelta(hours=72, seconds=1)
    with pytest.raises(ServiceError) as caught:
        onboarding.check_invitation(tenant, token, now=later)
    assert (caught.value.status, caught.value.code) == (410, "invitation_expired")
    onboarding.check_invitation(tenant, token, now=utcnow() + timedelta(hours=71))


def test_invitation_keeps_only_a_hash_of_the_token(app, factory):
    """Neither the settings nor the audit trail hold the link's token."""
    tenant = factory.tenant("moi", status="onboarding")
    _user, token = onboarding.invite_admin(tenant, username="qt.moi", full_name="Quản Trị")
    db.session.commit()
    assert token not in str(tenant.settings)
    events = db.session.execute(sa.select(ProvinceAuditEvent.after)).scalars().all()
    assert token not in str(events)
    with pytest.raises(NotFound):
        onboarding.check_invitation(tenant, token[:-1] + ("A" if token[-1] != "A" else "B"))


def test_printed_password_lets_the_administrator_sign_in(admin_client, client_factory):
    """The printed temporary password works on the unit's sign-in page."""
    _start(admin_client)
    html = _invite(admin_client, method="password").get_data(as_text=True)
    password = re.search(r'id="temporary-password">([^<]+)<', html).group(1)
    assert login(client_factory(), "quang-phu", "qt.quangphu", password).status_code == 302


def test_wizard_pages_of_an_active_unit_send_back_to_its_page(admin_client, tenant_a):
    """A unit already active is not onboarded again."""
    response = admin_client.get("/admin/onboarding/phuong-a/config")
    assert response.headers["Location"].endswith("/admin/tenants/phuong-a")
