"""Công việc của tôi: reports with evidence files, downloads, returned reports, self-assessment."""

from __future__ import annotations

import io
from datetime import date

from tenant_app.extensions import db
from tenant_app.models.evaluation import Assessment, EvidenceFile, Period, Report
from tenant_app.services.evaluation import periods
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import PDF, assign, count, get, report, ward_today
from tests.helpers import login, post_form

PAGE = "/t/phuong-a/my/work"


def _report(completed="3", **extra):
    return {"completed": completed, "completed_on": date.today().isoformat(), **extra}


def test_my_work_lists_my_assignments(client, factory, tenant_a):
    """The clerk sees the assigned item with its quantity and coefficient."""
    ward = ward_today(factory, tenant_a)
    assign(tenant_a, ward, "T2", 2)
    login(client, "phuong-a", "vanthu")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Sản phẩm T2" in html and "2 hồ sơ" in html and "2,5" in html


def test_my_report_submit_with_pdf_stores_evidence(client, factory, tenant_a):
    """Submitting with a PDF stores a submitted report and its evidence file."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward)
    login(client, "phuong-a", "vanthu")
    data = _report(send="1", file=(io.BytesIO(PDF), "bien-ban.pdf"))
    response = post_form(
        client, f"{PAGE}/{aid}", data, page=PAGE, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert count(Report, tenant_a, Report.status == "submitted") == 1
    assert count(EvidenceFile, tenant_a, EvidenceFile.filename == "bien-ban.pdf") == 1


def test_my_report_draft_stays_draft(client, factory, tenant_a):
    """Saving a draft keeps the report in draft."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward)
    login(client, "phuong-a", "vanthu")
    post_form(client, f"{PAGE}/{aid}", _report(save="1"), page=PAGE)
    assert count(Report, tenant_a, Report.status == "draft") == 1


def test_my_report_over_completion_shows_message_and_writes_nothing(client, factory, tenant_a):
    """Completed above assigned is refused next to the completed field; no report is stored."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward, quantity=3)
    login(client, "phuong-a", "vanthu")
    response = post_form(client, f"{PAGE}/{aid}", _report("5", send="1"), page=PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="w1-completed-err">Số lượng hoàn thành (5) vượt số lượng được giao (3).' in html
    assert count(Report, tenant_a) == 0


def test_my_report_wrong_file_type_is_refused_and_writes_nothing(client, factory, tenant_a):
    """A text file is refused next to the file field; neither report nor evidence is stored."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward)
    login(client, "phuong-a", "vanthu")
    data = _report(send="1", file=(io.BytesIO(b"hello"), "x.txt"))
    response = post_form(
        client, f"{PAGE}/{aid}", data, page=PAGE, content_type="multipart/form-data"
    )
    assert 'id="w1-file-err">Chỉ nhận minh chứng dạng PDF' in response.get_data(as_text=True)
    assert count(Report, tenant_a) == 0 and count(EvidenceFile, tenant_a) == 0


def test_my_report_on_someone_elses_work_is_forbidden(client, factory, tenant_a):
    """The head cannot report on the clerk's assignment (403)."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward)
    login(client, "phuong-a", "truong")
    response = post_form(client, f"{PAGE}/{aid}", _report(send="1"), page=PAGE)
    assert response.status_code == 403
    assert count(Report, tenant_a) == 0


def test_my_report_on_another_tenants_assignment_is_404(client, factory, tenant_a, tenant_b):
    """Tenant B's assignment id under tenant A is not found."""
    ward_today(factory, tenant_a)
    ward_b = ward_today(factory, tenant_b, "b")
    aid = assign(tenant_b, ward_b)
    login(client, "phuong-a", "vanthu")
    assert post_form(client, f"{PAGE}/{aid}", _report(), page=PAGE).status_code == 404


def test_my_report_refused_when_period_closed(client, factory, tenant_a):
    """In a closed period the report form refuses with the period's status."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward)
    with tenant_context(tenant_a):
        periods.close_period(get(Period, tenant_a, ward["period"]))
        db.session.commit()
    login(client, "phuong-a", "vanthu")
    response = post_form(client, f"{PAGE}/{aid}", _report(send="1"), page=PAGE)
    assert "đang ở trạng thái “Đã đóng”: không thể thay đổi." in response.get_data(as_text=True)
    assert count(Report, tenant_a) == 0


def test_returned_report_shows_the_managers_comment(client, factory, tenant_a):
    """A returned report is shown with the manager's comment."""
    from tenant_app.models import User
    from tenant_app.services.evaluation import reports

    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward), 3)
    with tenant_context(tenant_a):
        reports.review_report(
            get(Report, tenant_a, rid),
            actor=get(User, tenant_a, ward["head_user"]),
            accept=False,
            comment="Thiếu biên bản bàn giao",
        )
        db.session.commit()
    login(client, "phuong-a", "vanthu")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Bị trả lại:" in html and "Thiếu biên bản bàn giao" in html


def _evidence_id(tenant, ward):
    rid = report(tenant, ward, assign(tenant, ward), 3, evidence=True)
    with tenant_context(tenant):
        return db.session.query(EvidenceFile.id).filter(EvidenceFile.report_id == rid).scalar()


def test_evidence_download_is_an_attachment_with_nosniff(client, factory, tenant_a):
    """The reporter downloads the file as an attachment, typed by content, with nosniff."""
    ward = ward_today(factory, tenant_a)
    eid = _evidence_id(tenant_a, ward)
    login(client, "phuong-a", "vanthu")
    response = client.get(f"/t/phuong-a/evidence/{eid}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_evidence_download_by_the_manager(client, factory, tenant_a):
    """The reporter's manager may download the evidence."""
    ward = ward_today(factory, tenant_a)
    eid = _evidence_id(tenant_a, ward)
    login(client, "phuong-a", "truong")
    assert client.get(f"/t/phuong-a/evidence/{eid}").status_code == 200


def test_evidence_download_of_another_tenants_file_is_404(client, factory, tenant_a, tenant_b):
    """Tenant B's evidence id under tenant A is not found, even for A's unit administrator."""
    ward_today(factory, tenant_a)
    factory.user(tenant_a, "admin.a", ("unit_admin", "staff"))
    eid = _evidence_id(tenant_b, ward_today(factory, tenant_b, "b"))
    login(client, "phuong-a", "admin.a")
    assert client.get(f"/t/phuong-a/evidence/{eid}").status_code == 404


def test_evidence_download_forbidden_to_an_unrelated_colleague(client, factory, tenant_a):
    """A colleague who neither reported nor manages gets 403."""
    ward = ward_today(factory, tenant_a)
    eid = _evidence_id(tenant_a, ward)
    factory.user(tenant_a, "dongnghiep", ("staff",))
    login(client, "phuong-a", "dongnghiep")
    assert client.get(f"/t/phuong-a/evidence/{eid}").status_code == 403


def test_self_assessment_form_shows_criteria_and_maxima(client, factory, tenant_a):
    """The self-assessment form lists the three general criteria with their maxima."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "vanthu")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Phẩm chất chính trị, đạo đức, văn hóa công vụ, kỷ luật, kỷ cương (0–10)" in html
    assert "Tinh thần đổi mới, sáng tạo, dám nghĩ, dám làm (0–10)" in html


def test_self_assessment_is_saved(client, factory, tenant_a):
    """Valid points are stored as the self stage."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "vanthu")
    data = {"general_0": "9", "general_1": "8,5", "general_2": "9"}
    response = post_form(client, "/t/phuong-a/my/assessment", data, page=PAGE)
    assert response.status_code == 302
    assert count(Assessment, tenant_a, Assessment.stage == "self") == 1


def test_self_assessment_out_of_range_shows_message_next_to_criterion(client, factory, tenant_a):
    """Points above the maximum are refused next to that criterion; nothing is stored."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "vanthu")
    data = {"general_0": "9", "general_1": "12", "general_2": "9"}
    response = post_form(client, "/t/phuong-a/my/assessment", data, page=PAGE)
    html = response.get_data(as_text=True)
    assert 'id="self-general_1-err">Điểm tiêu chí “Năng lực chuyên môn' in html
    assert count(Assessment, tenant_a) == 0
