"""Who decides and locks a viên chức's classification (issue 17, ``vc_deciding_role``).

The ward of ``ward_today``: the clerk is a viên chức, so this month (after 2026-01-01) scores
them under ``vc_2026``; the DOMAIN.md month gives 78.625 → HTT. With the period's
``vc_deciding_role`` = ``head`` (the default) the unit's head approves the clerk as before; with
``higher_level`` only the competent higher level (a province account with the ``head_reviewer``
duty, through ``tenancy.door.head_review_write``) approves the clerk's result and decides and
approves their year; the head is refused with a message naming the setting and the screens say
who decides. A civil servant is never the higher level's under this setting.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import StaffMember, User
from tenant_app.models.audit import AuditEvent, ProvinceAuditEvent
from tenant_app.models.evaluation import Period, PeriodScore
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import annual, assessments, deciding
from tenant_app.tenancy import tenant_context
from tenant_app.tenancy.door import head_review_write
from tests.evaluation.view_helpers import golden_month, ward_today
from tests.helpers import login, post_form

REVIEW_PAGE = "/admin/units/phuong-a/head-review"


def _get(model, tenant, key):
    return db.session.get(model, (tenant.id, key))


def _setup(factory, tenant, role: str | None, kind: str = "vien_chuc"):
    ward = ward_today(factory, tenant)
    with tenant_context(tenant):
        db.session.execute(
            sa.update(StaffMember).where(StaffMember.id == ward["clerk"]).values(staff_type=kind)
        )
        period = _get(Period, tenant, ward["period"])
        if role is not None:
            period.params = {**(period.params or {}), "vc_deciding_role": role}
        db.session.commit()
    golden_month(tenant, ward)
    return ward


def _clerk_score(tenant, ward) -> PeriodScore:
    with tenant_context(tenant):
        db.session.expire_all()
        return db.session.execute(
            sa.select(PeriodScore).where(
                PeriodScore.period_id == ward["period"], PeriodScore.staff_id == ward["clerk"]
            )
        ).scalar_one()


def test_default_the_unit_head_approves_a_public_employee(factory, tenant_a):
    ward = _setup(factory, tenant_a, None)
    score = _clerk_score(tenant_a, ward)
    assert (score.rule_set, score.total, score.grade) == ("vc_2026", 78.625, "HTT")
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward["period"])
        assert deciding.period_reserved(period, [ward["clerk"]]) == {}
        assessments.approve(period, [ward["clerk"]], actor=_get(User, tenant_a, ward["head_user"]))
        db.session.commit()
    assert _clerk_score(tenant_a, ward).approved_at is not None


def test_higher_level_refuses_the_head_and_names_the_setting(factory, tenant_a):
    ward = _setup(factory, tenant_a, "higher_level")
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward["period"])
        head = _get(User, tenant_a, ward["head_user"])
        assert deciding.period_reserved(period, [ward["clerk"]]) == {ward["clerk"]: "vien_chuc"}
        with pytest.raises(ServiceError) as refused:
            assessments.approve(period, [ward["clerk"]], actor=head)
        assert (refused.value.code, refused.value.status) == ("higher_level", 403)
        assert refused.value.message == (
            "Kết quả của viên chức Trần Thị Văn do cấp có thẩm quyền cấp trên quyết định và phê "
            "duyệt (cấu hình của kỳ: cấp quyết định xếp loại viên chức là cấp trên)."
        )
        # "Approve all" leaves the clerk out and says so.
        with pytest.raises(ServiceError) as only:
            assessments.approve_all(period, [ward["clerk"]], actor=head)
        assert only.value.code == "only_reserved"
        db.session.rollback()
    assert _clerk_score(tenant_a, ward).approved_at is None


def test_higher_level_approves_the_public_employee_audited_on_both_chains(
    factory, tenant_a, head_reviewer
):
    ward = _setup(factory, tenant_a, "higher_level")
    head_review_write(
        tenant_a, "Quyết định 12/QĐ-UBND", action="approve", period_id=ward["period"],
        staff_id=ward["clerk"], actor=head_reviewer,
    )  # fmt: skip
    score = _clerk_score(tenant_a, ward)
    assert score.approved_at is not None and score.approved_by_province == head_reviewer.id
    with tenant_context(tenant_a):
        event = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "higher_level.approve")
        ).scalar_one()
        assert event.after["staff_id"] == str(ward["clerk"])
    province = db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "higher_level.approve")
    ).scalar_one()
    assert province.after["reason"] == "Quyết định 12/QĐ-UBND"


def test_higher_level_cannot_take_a_civil_servant_or_a_default_period(
    factory, tenant_a, head_reviewer
):
    """The clerk a công chức (or the setting left at ``head``): the door refuses the clerk."""
    ward = _setup(factory, tenant_a, "higher_level", kind="cong_chuc")
    with pytest.raises(ServiceError) as refused:
        head_review_write(
            tenant_a, "Quyết định 12/QĐ-UBND", action="approve", period_id=ward["period"],
            staff_id=ward["clerk"], actor=head_reviewer,
        )  # fmt: skip
    assert (refused.value.code, refused.value.status) == ("not_reserved", 403)
    assert _clerk_score(tenant_a, ward).approved_at is None


def test_approval_screen_says_who_decides(client, factory, tenant_a):
    ward = _setup(factory, tenant_a, "higher_level")
    login(client, "phuong-a", "truong")
    page = client.get(f"/t/phuong-a/approval?period={ward['period']}").get_data(as_text=True)
    assert "Cấp có thẩm quyền cấp trên phê duyệt (viên chức, theo cấu hình của kỳ)" in page
    assert f'value="{ward["clerk"]}"' not in page  # no checkbox for the clerk


def test_province_page_lists_and_approves_the_public_employee(
    client, factory, tenant_a, head_reviewer
):
    ward = _setup(factory, tenant_a, "higher_level")
    login(client, None, "tinh.thamquyen")
    page = client.get(REVIEW_PAGE).get_data(as_text=True)
    assert "Viên chức do cấp có thẩm quyền cấp trên quyết định" in page
    assert "Trần Thị Văn" in page
    response = post_form(
        client,
        f"{REVIEW_PAGE}/{ward['period']}/approve",
        {"reason": "Quyết định 12/QĐ-UBND", "staff_id": str(ward["clerk"])},
        page=REVIEW_PAGE,
    )
    assert response.status_code == 302
    assert _clerk_score(tenant_a, ward).approved_by_province == head_reviewer.id


def test_year_of_a_public_employee_is_decided_and_locked_by_the_higher_level(
    factory, tenant_a, head_reviewer
):
    ward = _setup(factory, tenant_a, "higher_level")
    with tenant_context(tenant_a):
        head = _get(User, tenant_a, ward["head_user"])
        annual.compute_year(_get(Period, tenant_a, ward["period"]).year, actor=head)
        db.session.commit()
        year = _get(Period, tenant_a, ward["period"]).year
        row = {r.staff_id: r for r in annual.rows_of(year)}[ward["clerk"]]
        with pytest.raises(ServiceError) as refused:
            annual.decide(row, final_grade="HTNV", reason="Hạ một mức theo đề nghị", actor=head)
        assert (refused.value.code, refused.value.status) == ("higher_level", 403)
        assert "viên chức" in refused.value.message
        db.session.rollback()
        # The head has nobody else to approve: the clerk's row waits for the higher level.
        with pytest.raises(ServiceError) as waiting:
            annual.approve(year, actor=_get(User, tenant_a, ward["head_user"]))
        assert waiting.value.code == "awaiting_higher_level"
        db.session.rollback()
        assert annual.view(year).awaiting_higher_level
    head_review_write(
        tenant_a, "Hội đồng thi đua họp ngày 20/12", action="annual_decide", year=year,
        final_grade="HTNV", staff_id=ward["clerk"], actor=head_reviewer,
    )  # fmt: skip
    head_review_write(
        tenant_a, "Quyết định 15/QĐ-UBND", action="annual_approve", year=year,
        staff_id=ward["clerk"], actor=head_reviewer,
    )  # fmt: skip
    with tenant_context(tenant_a):
        row = {r.staff_id: r for r in annual.rows_of(year)}[ward["clerk"]]
        assert (row.final_grade, row.status, row.decided_by_province) == (
            "HTNV", "approved", head_reviewer.id,
        )  # fmt: skip
        actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
    assert {"higher_level.annual_decide", "higher_level.annual_approve"} <= actions
    assert "annual.higher_level_approved" in actions


def test_annual_screen_says_the_higher_level_decides_the_public_employee(client, factory, tenant_a):
    ward = _setup(factory, tenant_a, "higher_level")
    with tenant_context(tenant_a):
        year = _get(Period, tenant_a, ward["period"]).year
        annual.compute_year(year, actor=_get(User, tenant_a, ward["head_user"]))
        db.session.commit()
    login(client, "phuong-a", "truong")
    page = client.get(f"/t/phuong-a/annual?year={year}").get_data(as_text=True)
    assert "Cấp có thẩm quyền cấp trên quyết định (viên chức, theo cấu hình của kỳ)" in page
