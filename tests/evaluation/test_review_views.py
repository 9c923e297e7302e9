"""Thẩm định and Phê duyệt: managers review reports and assess; the head approves and publishes."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import Assessment, Period, PeriodScore, Report
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import assign, count, get, golden_month, report, ward_today
from tests.helpers import login, post_form

PAGE = "/t/phuong-a/review"
APPROVAL = "/t/phuong-a/approval"


def _review(**extra):
    return {
        "decision": "accept",
        "major_errors": "0",
        "delays": "0",
        "exempt_errors": "0",
        "exempt_delays": "0",
        **extra,
    }


def _score(tenant, staff_id):
    with tenant_context(tenant):
        db.session.expire_all()
        return db.session.execute(
            sa.select(PeriodScore).where(PeriodScore.staff_id == staff_id)
        ).scalar_one()


def test_review_page_shows_submitted_report_with_evidence(client, factory, tenant_a):
    """The head sees the clerk's submitted report and its evidence link."""
    ward = ward_today(factory, tenant_a)
    report(tenant_a, ward, assign(tenant_a, ward), 3, evidence=True)
    login(client, "phuong-a", "truong")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Trần Thị Văn" in html and "bien-ban.pdf" in html and "Hoàn thành 3" in html


def test_review_page_forbidden_to_staff(client, factory, tenant_a):
    """A staff member gets 403 on the review screen."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "vanthu")
    assert client.get(PAGE).status_code == 403


def test_review_accept_with_error_and_delay_rescores(client, factory, tenant_a):
    """Accepting 10 × T1 with 1 error and 2 delays gives b 97.5 and c 95 at once."""
    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward), 10)
    login(client, "phuong-a", "truong")
    response = post_form(
        client,
        f"{PAGE}/reports/{rid}",
        _review(major_errors="1", delays="2", delay_reason="Đối chiếu sổ theo dõi văn bản"),
        page=PAGE,
    )
    assert response.status_code == 302
    score = _score(tenant_a, ward["clerk"])
    assert (score.b, score.c) == (Decimal("97.5"), Decimal("95"))


def test_review_return_requires_a_comment(client, factory, tenant_a):
    """Returning without a reason is refused next to the comment; the report stays submitted."""
    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward), 3)
    login(client, "phuong-a", "truong")
    response = post_form(client, f"{PAGE}/reports/{rid}", _review(decision="return"), page=PAGE)
    assert response.status_code == 400
    assert '-comment-err">Trả lại báo cáo cần ghi rõ lý do.' in response.get_data(as_text=True)
    assert count(Report, tenant_a, Report.status == "submitted") == 1


def test_review_exemption_without_reason_is_refused(client, factory, tenant_a):
    """An exemption needs its objective cause: the message is next to the reason field."""
    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward), 3)
    login(client, "phuong-a", "truong")
    data = _review(major_errors="1", exempt_errors="1")
    response = post_form(client, f"{PAGE}/reports/{rid}", data, page=PAGE)
    assert '-exemption_reason-err">Miễn trừ cần ghi rõ nguyên nhân khách quan' in (
        response.get_data(as_text=True)
    )
    assert count(Report, tenant_a, Report.major_errors == 1) == 0


def test_review_by_a_staff_member_is_forbidden(client, factory, tenant_a):
    """A staff member posting a review gets 403; the report is unchanged."""
    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward), 3)
    login(client, "phuong-a", "vanthu")
    response = post_form(client, f"{PAGE}/reports/{rid}", _review(), page="/t/phuong-a/my/work")
    assert response.status_code == 403
    assert count(Report, tenant_a, Report.status == "submitted") == 1


def test_review_of_another_tenants_report_is_404(client, factory, tenant_a, tenant_b):
    """Tenant B's report id under tenant A is not found."""
    ward_today(factory, tenant_a)
    ward_b = ward_today(factory, tenant_b, "b")
    rid = report(tenant_b, ward_b, assign(tenant_b, ward_b), 3)
    login(client, "phuong-a", "truong")
    assert post_form(client, f"{PAGE}/reports/{rid}", _review(), page=PAGE).status_code == 404


def test_manager_assessment_is_saved(client, factory, tenant_a):
    """The manager's general points are stored as the manager stage."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "truong")
    data = {"general_0": "9", "general_1": "9", "general_2": "9"}
    response = post_form(client, f"{PAGE}/assess/{ward['clerk']}", data, page=PAGE)
    assert response.status_code == 302
    assert count(Assessment, tenant_a, Assessment.stage == "manager") == 1


def test_manager_assessment_out_of_range_shows_message(client, factory, tenant_a):
    """A negative point is refused next to its criterion; nothing is stored."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "truong")
    data = {"general_0": "-1", "general_1": "9", "general_2": "9"}
    response = post_form(client, f"{PAGE}/assess/{ward['clerk']}", data, page=PAGE)
    assert 'id="m-NS2-general_0-err">Điểm tiêu chí' in response.get_data(as_text=True)
    assert count(Assessment, tenant_a) == 0


def test_approval_forbidden_to_a_manager_who_is_not_head(client, factory, tenant_a):
    """A manager without the head's standing gets 403 on the approval screen."""
    ward_today(factory, tenant_a)
    factory.user(tenant_a, "pho.phong", ("manager", "staff"))
    login(client, "phuong-a", "pho.phong")
    assert client.get(APPROVAL).status_code == 403


def test_approval_lists_people_with_score_and_stage(client, factory, tenant_a):
    """The head sees the clerk's total, grade and stage."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    login(client, "phuong-a", "truong")
    html = client.get(APPROVAL).get_data(as_text=True)
    assert "Trần Thị Văn" in html and "78,63" in html and "Người quản lý trực tiếp" in html


def test_approval_refused_while_a_report_waits(client, factory, tenant_a):
    """Approval is refused (message shown) while a submitted report is unreviewed."""
    ward = ward_today(factory, tenant_a)
    report(tenant_a, ward, assign(tenant_a, ward), 3)
    login(client, "phuong-a", "truong")
    response = post_form(client, APPROVAL, {"approve_all": "1"})
    assert "Trần Thị Văn còn báo cáo chưa được thẩm định." in response.get_data(as_text=True)
    assert count(PeriodScore, tenant_a, PeriodScore.approved_at.is_not(None)) == 0


def test_approval_of_all_then_publish(client, factory, tenant_a):
    """Approving all then publishing sets the period's publication date."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    login(client, "phuong-a", "truong")
    assert post_form(client, APPROVAL, {"approve_all": "1"}).status_code == 302
    post_form(client, f"/t/phuong-a/periods/{ward['period']}/publish", {}, page=APPROVAL)
    with tenant_context(tenant_a):
        db.session.expire_all()
        assert get(Period, tenant_a, ward["period"]).published_at is not None


def test_approval_of_selected_unknown_id_is_404(client, factory, tenant_a, tenant_b):
    """Selecting another tenant's staff id is not found; nothing is approved."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    ward_b = ward_today(factory, tenant_b, "b")
    login(client, "phuong-a", "truong")
    response = post_form(client, APPROVAL, {"staff_id": str(ward_b["clerk"])})
    assert response.status_code == 404
    assert count(PeriodScore, tenant_a, PeriodScore.approved_at.is_not(None)) == 0
