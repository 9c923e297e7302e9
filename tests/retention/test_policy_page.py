"""The retention policy on the province console: only a province administrator changes it,
every value checked (a whole number in its range, named in Vietnamese), every change audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent, ProvinceSetting
from tenant_app.services.errors import ServiceError
from tenant_app.services.files import retention_policy
from tests.helpers import login, post_form

PAGE = "/admin/retention"
VALUES = {
    "import_workbook_days": "60",
    "rejected_upload_days": "14",
    "export_days": "3",
    "evidence_years": "20",
    "orphan_days": "7",
}


def admin_client(app):
    client = app.test_client()
    login(client, None, "tinh.admin")
    return client


def test_admin_sees_the_defaults_on_the_page(app, province_admin):
    """Nothing stored: the form shows the defaults."""
    html = admin_client(app).get(PAGE).get_data(as_text=True)
    assert 'name="evidence_years"' in html and 'value="10"' in html
    assert "Thời hạn lưu giữ tệp" in html


def test_admin_saves_the_policy_audited(app, province_admin):
    """Saved, the policy is what the form said and one province event says what changed."""
    response = post_form(admin_client(app), PAGE, VALUES)
    assert response.status_code == 302
    assert retention_policy.load() == retention_policy.Policy(
        **{k: int(v) for k, v in VALUES.items()}
    )
    event = db.session.execute(
        sa.select(ProvinceAuditEvent).order_by(ProvinceAuditEvent.seq.desc()).limit(1)
    ).scalar_one()
    assert event.action == "retention.policy_updated" and event.actor_name == "tinh.admin"
    assert event.before["evidence_years"] == 10 and event.after["evidence_years"] == 20
    assert db.session.get(ProvinceSetting, "retention").updated_by == province_admin.id


def test_saving_the_same_policy_again_records_nothing(app, province_admin):
    client = admin_client(app)
    post_form(client, PAGE, VALUES)
    count = db.session.execute(sa.select(sa.func.count()).select_from(ProvinceAuditEvent)).scalar()
    post_form(client, PAGE, VALUES)
    assert (
        db.session.execute(sa.select(sa.func.count()).select_from(ProvinceAuditEvent)).scalar()
        == count
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("evidence_years", "abc", "Nhập một số nguyên"),
        ("evidence_years", "101", "từ 0 đến 100"),
        ("import_workbook_days", "-1", "từ 0 đến 3650"),
        ("orphan_days", "0", "từ 1 đến 3650"),
    ],
)
def test_invalid_values_are_refused_on_their_field(app, province_admin, name, value, message):
    """A refused value is named on its own field, in Vietnamese, and nothing is stored."""
    response = post_form(admin_client(app), PAGE, {**VALUES, name: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    assert db.session.get(ProvinceSetting, "retention") is None
    with pytest.raises(ServiceError) as refused:
        retention_policy.update(actor=province_admin, **{**VALUES, name: value})
    assert refused.value.field == name


def test_auditor_may_not_change_the_policy(app, auditor):
    """An auditor (a province user, read-only) gets 403 on the page and from the service."""
    client = app.test_client()
    login(client, None, "tinh.thanhtra")
    assert client.get(PAGE).status_code == 403
    with pytest.raises(ServiceError) as refused:
        retention_policy.update(actor=auditor, **VALUES)
    assert refused.value.status == 403
    assert db.session.get(ProvinceSetting, "retention") is None


def test_unit_users_never_reach_the_policy_page(app, tenant_a, admin_a):
    """A unit administrator signed in to a unit is sent to the province sign-in, and cannot
    post either; nothing is stored."""
    client = app.test_client()
    login(client, "phuong-a", "admin.a")
    response = client.get(PAGE)
    assert response.status_code in (302, 401)
    assert "/admin/login" in response.headers.get("Location", "/admin/login")
    assert client.post(PAGE, data=VALUES).status_code in (302, 400, 401)
    assert db.session.get(ProvinceSetting, "retention") is None
    with pytest.raises(ServiceError) as refused:
        retention_policy.update(actor=admin_a, **VALUES)
    assert refused.value.status == 403


def test_a_stored_value_out_of_range_falls_back_to_its_default(app):
    """A hand-edited row with nonsense keeps the purge safe: the default is used instead."""
    db.session.add(
        ProvinceSetting(key="retention", value={"evidence_years": -5, "export_days": "x"})
    )
    db.session.commit()
    assert retention_policy.load() == retention_policy.DEFAULTS
