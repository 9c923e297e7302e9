"""The wizard's staff step with its own sample files: a new ward goes from empty to active with
the samples alone (org units → staff → accounts), with readable states and set-password links."""

from __future__ import annotations

import io
import json
import re

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import Tenant, User
from tenant_app.models.org import OrgUnit
from tenant_app.models.staff import StaffMember
from tenant_app.services.files import spreadsheets
from tenant_app.services.province import onboarding
from tenant_app.services.rollout import templates
from tenant_app.tenancy import tenant_context
from tests.helpers import csrf_token, login, post_form

STAFF = "/admin/onboarding/quang-phu/staff"


def _tenant(slug="quang-phu"):
    return db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one()


def _new_ward(client, published):
    """Steps 1–3: the unit, its administrator (invitation) and the published configuration."""
    post_form(
        client, "/admin/onboarding/",
        {"name": "Phường Quảng Phú", "slug": "quang-phu", "kind": "phuong"},
    )  # fmt: skip
    post_form(
        client, "/admin/onboarding/quang-phu/admin",
        {"username": "qt.quangphu", "full_name": "Phạm Văn Quản", "email": "", "method": "invite"},
    )  # fmt: skip
    post_form(client, "/admin/onboarding/quang-phu/config", {"version_id": str(published.id)})


def _upload_sample(client, kind: str) -> dict:
    """Download the wizard's sample of ``kind`` and upload it unchanged; return the run."""
    sample = client.get(f"{STAFF}/{kind}.xlsx")
    assert sample.status_code == 200
    response = client.post(
        STAFF,
        data={"csrf_token": csrf_token(client, STAFF), "action": "upload", "kind": kind,
              "file": (io.BytesIO(sample.data), f"mau-nhap-{kind}.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    return onboarding.staff_imports(_tenant())[0]


def _load_all_samples(client) -> None:
    for kind in ("org_units", "staff", "users"):
        run = _upload_sample(client, kind)
        assert (run["kind"], run["problem_count"], run["state"]) == (kind, 0, "ready"), run[
            "problems"
        ]
        post_form(client, STAFF, {"action": "commit", "run_id": run["id"]})
        assert onboarding.staff_imports(_tenant())[0]["state"] == "committed"


def test_wizard_offers_org_units_then_staff_then_accounts(admin_client, published):
    """The staff step lists the three samples in loading order, org chart first."""
    _new_ward(admin_client, published)
    html = admin_client.get(STAFF).get_data(as_text=True)
    links = re.findall(r"/staff/(\w+)\.xlsx", html)
    assert links == ["org_units", "staff", "users"]
    assert "Cơ cấu tổ chức" in html


def test_new_ward_reaches_active_with_the_sample_files_alone(admin_client, published):
    """Each sample file, uploaded unchanged in order, validates with zero row errors and is
    written; the unit then activates."""
    _new_ward(admin_client, published)
    _load_all_samples(admin_client)
    with tenant_context(_tenant()):
        assert set(db.session.execute(sa.select(OrgUnit.code)).scalars()) == {"UBND", "VP"}
        people = dict(db.session.execute(sa.select(StaffMember.code, StaffMember.user_id)).all())
        assert set(people) == {"CB001", "CB002"} and all(people.values())
    response = post_form(admin_client, "/admin/onboarding/quang-phu/activate", {"status": "active"})
    assert response.status_code == 302
    db.session.expire_all()
    assert _tenant().status == "active"


def test_staff_sample_uses_the_units_own_position_codes(admin_client, template, payload):
    """The staff sample names positions of the applied configuration and org units of the
    org-units sample, whatever codes the template uses."""
    text = json.dumps(payload).replace("LD01", "TP01").replace("CM01", "TPHT")
    version = templates.create_draft(template, json.loads(text))
    templates.publish(version)
    db.session.commit()
    _new_ward(admin_client, version)
    header, rows, _count = spreadsheets.read_rows(admin_client.get(f"{STAFF}/staff.xlsx").data)
    rows = [dict(zip(header, row, strict=False)) for _n, row in rows]
    assert [r["Mã vị trí việc làm"] for r in rows] == ["TP01", "TPHT"]
    assert [r["Mã đơn vị"] for r in rows] == ["UBND", "VP"]


def test_import_states_are_labelled_in_words(admin_client, published):
    """A run's state reads "Sẵn sàng ghi" / "Có lỗi, chưa ghi", never the raw code."""
    _new_ward(admin_client, published)
    _upload_sample(admin_client, "staff")  # no org chart yet: every row fails
    html = admin_client.get(STAFF).get_data(as_text=True)
    assert "Có lỗi, chưa ghi" in html
    assert not re.search(r'class="badge[^"]*">\s*(invalid|ready|committed)\s*<', html)


def test_imported_accounts_get_one_time_set_password_links(admin_client, published, app):
    """After the accounts import is written, the wizard issues one link per account, shown
    once; a link sets that person's password, which then signs in."""
    _new_ward(admin_client, published)
    _load_all_samples(admin_client)
    run = onboarding.staff_imports(_tenant())[0]
    html = admin_client.get(STAFF).get_data(as_text=True)
    assert "Tạo liên kết đặt mật khẩu" in html
    page = post_form(admin_client, STAFF, {"action": "invite", "run_id": run["id"]})
    links = re.findall(r"/t/quang-phu/invitation/([A-Za-z0-9_-]+)</code>", page.get_data(True))
    assert len(links) == 2
    again = admin_client.get(STAFF).get_data(as_text=True)
    assert links[0] not in again and "Tạo liên kết đặt mật khẩu" not in again
    person = app.test_client()
    url = f"/t/quang-phu/invitation/{links[0]}"
    secret = {"password": "Quang-Phu-2026", "confirm": "Quang-Phu-2026"}
    assert post_form(person, url, secret).status_code == 302
    assert login(person, "quang-phu", "nguyen.van.an", "Quang-Phu-2026").status_code == 302
    with tenant_context(_tenant()):
        user = db.session.execute(
            sa.select(User).where(User.username == "nguyen.van.an")
        ).scalar_one()
        assert user.must_change_password is False


def test_invitations_only_for_the_wizards_own_imports(admin_client, published, factory):
    """A run id of another unit's import gets no links and changes nothing."""
    _new_ward(admin_client, published)
    _load_all_samples(admin_client)
    run_id = onboarding.staff_imports(_tenant())[0]["id"]
    other = factory.tenant("khac", status="onboarding")
    db.session.commit()
    response = post_form(
        admin_client, "/admin/onboarding/khac/staff", {"action": "invite", "run_id": run_id}
    )
    assert response.status_code == 404
    assert "/invitation/" not in response.get_data(as_text=True)
    assert not (other.settings or {}).get("onboarding", {}).get("invitations")
