"""Discipline decisions: recorded with number, date and authority, forcing a fail at once."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, PeriodScore
from tenant_app.models.evaluation import Period
from tenant_app.services import scores
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import ward_today
from tests.helpers import login, post_form


def _form(person_id, number="15/QĐ-UBND"):
    return {
        "staff_id": str(person_id),
        "decision_number": number,
        "decision_date": date.today().replace(day=1).isoformat(),
        "authority": "Chủ tịch UBND phường",
        "severity": "khien_trach",
        "reason": "discipline",
        "note": "",
    }


def test_discipline_recorded_by_head_forces_fail(client, factory, tenant_a):
    """The head records a reprimand; the person's open-period score turns KHTNV, audited."""
    ward = ward_today(factory, tenant_a)

    with tenant_context(tenant_a):
        period = db.session.get(Period, (tenant_a.id, ward["period"]))
        work_helpers_assign(tenant_a, ward, period)
        scores.score_people(period)
        db.session.commit()
    login(client, "phuong-a", "truong")
    response = post_form(client, "/t/phuong-a/discipline", _form(ward["clerk"]))
    assert response.status_code == 302
    with tenant_context(tenant_a):
        db.session.expire_all()
        score = db.session.execute(
            sa.select(PeriodScore).where(PeriodScore.staff_id == ward["clerk"])
        ).scalar_one()
        assert score.grade == "KHTNV" and score.forced_fail == "discipline"
        assert db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "discipline.recorded")
        ).scalar_one()


def work_helpers_assign(tenant, ward, period):
    from tenant_app.models import User
    from tenant_app.models.catalogue import CatalogueItem
    from tenant_app.models.staff import StaffMember
    from tenant_app.services import work

    work.assign(
        period,
        db.session.get(StaffMember, (tenant.id, ward["clerk"])),
        db.session.get(CatalogueItem, (tenant.id, ward["items"]["T1"])),
        quantity=2,
        due_on=period.ends_on,
        actor=db.session.get(User, (tenant.id, ward["head_user"])),
    )


def test_discipline_duplicate_and_bad_input_write_nothing(client, factory, tenant_a):
    """A repeated decision number or a missing authority is refused in Vietnamese."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "truong")
    assert post_form(client, "/t/phuong-a/discipline", _form(ward["clerk"])).status_code == 302
    again = post_form(client, "/t/phuong-a/discipline", _form(ward["clerk"]))
    assert again.status_code == 400 and "Số quyết định đã được ghi" in again.get_data(as_text=True)
    bad = post_form(
        client, "/t/phuong-a/discipline", {**_form(ward["clerk"], "16/QĐ"), "authority": ""}
    )
    assert bad.status_code == 400 and "Trường này là bắt buộc" in bad.get_data(as_text=True)


def test_discipline_staff_is_forbidden(client, factory, tenant_a):
    """A staff member cannot open the discipline page (403)."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "vanthu")
    assert client.get("/t/phuong-a/discipline").status_code == 403


def test_discipline_other_tenant_person_is_404(client, factory, tenant_a, tenant_b):
    """A person of another unit cannot be named in a decision."""
    ward_today(factory, tenant_a)
    other = ward_today(factory, tenant_b)
    login(client, "phuong-a", "truong")
    response = post_form(client, "/t/phuong-a/discipline", _form(other["clerk"], "99/QĐ"))
    assert response.status_code == 404
