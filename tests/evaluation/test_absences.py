"""Absences: recorded with their document on the staff screen, checked, audited, tenant-scoped."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import Absence, AuditEvent
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.helpers import login, post_form

URL = "/t/phuong-a/absences"


def _form(person_id, starts="2026-02-16", ends="2026-06-15", kind="maternity", ref="15/QĐ-UBND"):
    return {
        "staff_id": str(person_id),
        "kind": kind,
        "starts_on": starts,
        "ends_on": ends,
        "reference": ref,
        "note": "",
    }


def _absences(tenant):
    with tenant_context(tenant):
        db.session.expire_all()
        return db.session.execute(sa.select(Absence)).scalars().all()


def test_absence_recorded_by_unit_admin_and_audited(client, tenant_a, ward_a, admin_a):
    """The unit administrator records four months of maternity leave with its decision: stored,
    listed on the page and audited."""
    login(client, "phuong-a", "admin.a")
    response = post_form(client, URL, _form(ward_a["clerk"]))
    assert response.status_code == 302
    [row] = _absences(tenant_a)
    assert (row.kind, row.starts_on, row.ends_on, row.reference) == (
        "maternity", date(2026, 2, 16), date(2026, 6, 15), "15/QĐ-UBND"
    )  # fmt: skip
    assert row.recorded_by == admin_a.id
    page = client.get(URL).get_data(as_text=True)
    assert "15/QĐ-UBND" in page and "Nghỉ thai sản" in page
    with tenant_context(tenant_a):
        assert db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "absence.recorded")
        ).scalar_one()


def test_absence_overlapping_the_same_person_is_refused(client, tenant_a, ward_a, admin_a):
    """A second leave of the clerk from 01/06 overlaps the one ending 15/06: refused in
    Vietnamese, nothing written; a leave of the head at the same time is fine."""
    login(client, "phuong-a", "admin.a")
    assert post_form(client, URL, _form(ward_a["clerk"])).status_code == 302
    response = post_form(
        client, URL, _form(ward_a["clerk"], "2026-06-01", "2026-06-30", "sickness", "02/GCN")
    )
    assert response.status_code == 400
    assert "Trùng thời gian với lần vắng mặt đã ghi từ 16/02/2026 đến 15/06/2026" in (
        response.get_data(as_text=True)
    )
    assert len(_absences(tenant_a)) == 1
    other = _form(ward_a["head"], "2026-06-01", "2026-06-30", "training", "03/QĐ")
    assert post_form(client, URL, other).status_code == 302
    assert len(_absences(tenant_a)) == 2


def test_absence_end_before_start_is_refused(client, tenant_a, ward_a, admin_a):
    """An end before the start is refused next to the end date, in Vietnamese."""
    login(client, "phuong-a", "admin.a")
    response = post_form(client, URL, _form(ward_a["clerk"], "2026-06-15", "2026-02-16"))
    assert response.status_code == 400
    assert "Ngày kết thúc không được trước ngày bắt đầu." in response.get_data(as_text=True)
    assert _absences(tenant_a) == []


def test_absence_dates_out_of_bounds_and_missing_reference_refused(
    client, tenant_a, ward_a, admin_a
):
    """A date in 1999, a leave of more than five years and a reference of two characters are
    refused; nothing is written."""
    login(client, "phuong-a", "admin.a")
    for bad in (
        _form(ward_a["clerk"], "1999-12-31", "2026-01-10"),
        _form(ward_a["clerk"], "2026-01-01", "2031-06-30"),
        _form(ward_a["clerk"], ref="QĐ"),
        _form(ward_a["clerk"], starts="2026-02-31"),
        _form(ward_a["clerk"], kind="holiday"),
    ):
        response = post_form(client, URL, bad)
        assert response.status_code == 400, bad
    page = response.get_data(as_text=True)
    assert "Loại vắng mặt không hợp lệ." in page
    assert _absences(tenant_a) == []


def test_absence_before_the_person_joined_is_refused(client, tenant_a, ward_a, admin_a):
    """The clerk started on 01/07/2025: a leave from 01/06/2025 is refused."""
    login(client, "phuong-a", "admin.a")
    response = post_form(client, URL, _form(ward_a["clerk"], "2025-06-01", "2025-08-01"))
    assert response.status_code == 400
    assert "trước ngày bắt đầu công tác (01/07/2025)" in response.get_data(as_text=True)


def test_absence_staff_member_may_not_record(client, tenant_a, ward_a):
    """A staff member without a managing or administering role gets 403."""
    login(client, "phuong-a", "vanthu")
    assert client.get(URL).status_code == 403


def test_absence_manager_records_for_their_people(client, tenant_a, ward_a):
    """The head (a manager) records a leave for the clerk of the unit they run."""
    login(client, "phuong-a", "truong")
    assert post_form(client, URL, _form(ward_a["clerk"])).status_code == 302
    assert len(_absences(tenant_a)) == 1


def test_absence_cross_tenant_person_is_not_found(client, factory, tenant_a, tenant_b, ward_a):
    """The administrator of ward B cannot record a leave for a person of ward A (404, nothing
    written) nor see ward A's leaves."""
    factory.user(tenant_b, "admin.b", ("unit_admin",), full_name="Quản Trị B")
    build_ward(factory, tenant_b, "-b")
    with tenant_context(tenant_a):
        db.session.add(
            Absence(
                staff_id=ward_a["clerk"], kind="sickness", starts_on=date(2026, 3, 1),
                ends_on=date(2026, 3, 31), reference="BÍ-MẬT-A",
            )
        )  # fmt: skip
        db.session.commit()
    login(client, "phuong-b", "admin.b")
    url = "/t/phuong-b/absences"
    response = post_form(client, url, _form(ward_a["clerk"]))
    assert response.status_code == 404
    assert len(_absences(tenant_b)) == 0 and len(_absences(tenant_a)) == 1
    assert "BÍ-MẬT-A" not in client.get(url).get_data(as_text=True)
    assert "BÍ-MẬT-A" not in client.get(f"{url}?staff={ward_a['clerk']}").get_data(as_text=True)


def _recorded(tenant, ward, reference="BÍ-MẬT-A"):
    with tenant_context(tenant):
        row = Absence(
            staff_id=ward["clerk"], kind="sickness", starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 31), reference=reference,
        )  # fmt: skip
        db.session.add(row)
        db.session.commit()
        return row.id


def test_absence_removed_by_unit_admin_and_audited(client, tenant_a, ward_a, admin_a):
    """A leave recorded in error is removed by the administrator; the audit keeps what it was."""
    absence_id = _recorded(tenant_a, ward_a, "09/GCN")
    login(client, "phuong-a", "admin.a")
    response = post_form(client, f"{URL}/{absence_id}/remove", {}, page=URL)
    assert response.status_code == 302
    assert _absences(tenant_a) == []
    with tenant_context(tenant_a):
        event = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "absence.removed")
        ).scalar_one()
        assert event.before["reference"] == "09/GCN"


def test_absence_remove_across_tenants_is_not_found(client, factory, tenant_a, tenant_b, ward_a):
    """The administrator of ward B removing ward A's leave by its id gets 404; it stays."""
    factory.user(tenant_b, "admin.b", ("unit_admin",), full_name="Quản Trị B")
    absence_id = _recorded(tenant_a, ward_a)
    login(client, "phuong-b", "admin.b")
    url = f"/t/phuong-b/absences/{absence_id}/remove"
    response = post_form(client, url, {}, page="/t/phuong-b/absences")
    assert response.status_code == 404
    assert len(_absences(tenant_a)) == 1


def test_absence_linked_from_the_person_page(client, tenant_a, ward_a, admin_a):
    """The person's page links to their leaves, and that list preselects the person."""
    login(client, "phuong-a", "admin.a")
    html = client.get(f"/t/phuong-a/staff/{ward_a['clerk']}").get_data(as_text=True)
    assert f"/t/phuong-a/absences?staff={ward_a['clerk']}" in html
    page = client.get(f"{URL}?staff={ward_a['clerk']}").get_data(as_text=True)
    assert f'<option selected value="{ward_a["clerk"]}"' in page
