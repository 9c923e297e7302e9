"""Discipline decisions: recorded with number, date and authority, forcing a fail at once."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, PeriodScore, User
from tenant_app.models.base import utcnow
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, Period
from tenant_app.services.evaluation import assessments, periods, scores
from tenant_app.services.workspace import catalogue
from tenant_app.tenancy import tenant_context
from tests.evaluation.scores_helpers import open_month, stored_score
from tests.evaluation.view_helpers import golden_month, ward_today
from tests.helpers import login, post_form

# A decision dated in the year and month of the published period (today's month), already past.
DECISION_DAY = date.today().replace(day=1)
DECISION = {"decision_number": "12/QĐ-UBND", "decision_date": DECISION_DAY.isoformat()}


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
    from tenant_app.services.evaluation import assignments

    assignments.assign(
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


def _published(tenant, ward, *, lock=False):
    """The clerk's worked-example month (HTT 78.625) approved and published, locked if asked."""
    assert golden_month(tenant, ward).grade == "HTT"
    with tenant_context(tenant):
        period = db.session.get(Period, (tenant.id, ward["period"]))
        head = db.session.get(User, (tenant.id, ward["head_user"]))
        assessments.approve(period, [ward["clerk"]], actor=head)
        assessments.publish(period, actor=head)
        if lock:
            periods.close_period(period)
            periods.lock_period(period)
        db.session.commit()


def _clerk_score(tenant, ward, period_id):
    """The clerk's stored score in the period as plain values, read afresh from the database."""
    with tenant_context(tenant):
        return db.session.execute(
            sa.select(
                PeriodScore.id,
                PeriodScore.grade,
                PeriodScore.revisions_after_publication,
                PeriodScore.inputs_digest,
                PeriodScore.computed_at,
            ).where(PeriodScore.period_id == period_id, PeriodScore.staff_id == ward["clerk"])
        ).one()


def _decide(client, ward):
    login(client, "phuong-a", "truong")
    return post_form(client, "/t/phuong-a/discipline", {**_form(ward["clerk"]), **DECISION})


def test_discipline_revises_published_score_with_the_decision_as_reason(client, factory, tenant_a):
    """A decision of the year turns the year's published HTT into KHTNV, counts one revision
    after publication and audits it with the decision number and date as the reason."""
    ward = ward_today(factory, tenant_a)
    _published(tenant_a, ward)
    assert _decide(client, ward).status_code == 302
    score = _clerk_score(tenant_a, ward, ward["period"])
    assert (score.grade, score.revisions_after_publication) == ("KHTNV", 1)
    with tenant_context(tenant_a):
        event = db.session.execute(
            sa.select(AuditEvent).where(
                AuditEvent.action == "score.changed_after_publication",
                AuditEvent.object_id == str(score.id),
            )
        ).scalar_one()
        reason = f"Quyết định kỷ luật số 12/QĐ-UBND ngày {DECISION_DAY:%d/%m/%Y}"
        assert event.after["reason"].startswith(reason)


def test_discipline_rescores_locked_period_of_its_year_only(client, factory, tenant_a):
    """A locked, published period of the decision's year is revised to KHTNV; the person's
    score of the year before (with work a re-score would recompute) is left as stored."""
    ward = ward_today(factory, tenant_a)
    _published(tenant_a, ward, lock=True)
    with tenant_context(tenant_a):
        earlier = open_month(11, DECISION_DAY.year - 1)
        item = db.session.get(CatalogueItem, (tenant_a.id, ward["items"]["T1"]))
        db.session.add(
            Assignment(
                period_id=earlier.id, staff_id=ward["clerk"], item_id=item.id,
                version_id=catalogue.version_at(item, date(2026, 1, 1)).id, quantity=1,
                coefficient=1, due_on=earlier.ends_on,
            )
        )  # fmt: skip
        stored_score(earlier, ward["clerk"], "80", "HTT")
        earlier.published_at = utcnow()
        db.session.commit()
        earlier_id = earlier.id
    assert _decide(client, ward).status_code == 302
    locked = _clerk_score(tenant_a, ward, ward["period"])
    assert (locked.grade, locked.revisions_after_publication) == ("KHTNV", 1)
    untouched = _clerk_score(tenant_a, ward, earlier_id)
    assert (untouched.grade, untouched.inputs_digest, untouched.revisions_after_publication) == (
        "HTT",
        "test",
        0,
    )


def test_discipline_rescore_leaves_other_tenants_untouched(client, factory, tenant_a, tenant_b):
    """A decision in unit A revises A's locked period; unit B's published scores of the same
    year, their revisions and B's audit trail stay as they were."""
    ward = ward_today(factory, tenant_a)
    other = ward_today(factory, tenant_b, "b")
    _published(tenant_a, ward, lock=True)
    _published(tenant_b, other, lock=True)
    before = _clerk_score(tenant_b, other, other["period"])
    assert _decide(client, ward).status_code == 302
    assert _clerk_score(tenant_a, ward, ward["period"]).grade == "KHTNV"
    after = _clerk_score(tenant_b, other, other["period"])
    assert (after.grade, after.revisions_after_publication, after.computed_at) == (
        "HTT",
        0,
        before.computed_at,
    )
    with tenant_context(tenant_b):
        assert not db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "score.changed_after_publication")
        ).first()


def test_discipline_message_counts_rescored_and_published_periods(client, factory, tenant_a):
    """The confirmation says how many periods were re-scored and how many were published."""
    ward = ward_today(factory, tenant_a)
    _published(tenant_a, ward)
    with tenant_context(tenant_a):
        other_month = 1 if DECISION_DAY.month != 1 else 2
        stored_score(open_month(other_month, DECISION_DAY.year), ward["clerk"], "75", "HTT")
        db.session.commit()
    _decide(client, ward)
    html = client.get("/t/phuong-a/discipline").get_data(as_text=True)
    assert "được tính lại ở 2 kỳ đánh giá, trong đó 1 kỳ đã công khai kết quả" in html
