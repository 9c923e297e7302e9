"""Drill-down into one unit and one person: isolation, visibility, org units, PDFs, audit."""

from __future__ import annotations

from tenant_app.extensions import db
from tenant_app.services.comparison import aggregates
from tenant_app.services.evaluation import periods
from tenant_app.tenancy import tenant_context
from tests.admin.comparison_data import (
    PEOPLE_A,
    PEOPLE_B,
    PEOPLE_C,
    cross_tenant_reads,
    row_of,
    tables,
)
from tests.evaluation.scores_helpers import stored_score

UNIT_A = "/admin/comparison/units/phuong-an?period=2026-10"


def _names(people) -> list[str]:
    return [p[0] for p in people]


def test_drill_unit_shows_its_people_and_no_one_else(auditor_client):
    """A's page lists A's three people with total, grade, post and approval; none of B's or C's."""
    html = auditor_client.get(UNIT_A).get_data(as_text=True)
    people = tables(html)[1]
    assert row_of(people, "An Văn Một") == [
        "An Văn Một", "Chuyên viên", "Văn phòng HĐND và UBND", "95,00", "HTXS",
        "Người quản lý trực tiếp", "Đã phê duyệt",
    ]  # fmt: skip
    assert row_of(people, "An Văn Ba")[2:5] == ["Phòng Kinh tế", "65,00", "HTNV"]
    assert len(people) == 1 + len(PEOPLE_A)
    for name in _names(PEOPLE_B) + _names(PEOPLE_C):
        assert name not in html


def test_drill_org_units_count_people_and_means(auditor_client):
    """The office holds 95 and 85 (mean 90), the economic division 65; the committee nobody."""
    org_table = tables(auditor_client.get(UNIT_A).get_data(as_text=True))[0]
    assert row_of(org_table, "Văn phòng") == ["Văn phòng HĐND và UBND", "2", "1", "1", "0", "0",
                                              "90,00"]  # fmt: skip
    assert row_of(org_table, "Phòng Kinh tế") == ["Phòng Kinh tế", "1", "0", "0", "1", "0",
                                                  "65,00"]  # fmt: skip
    assert row_of(org_table, "UBND")[1] == "—"


def test_drill_filters_people_by_org_unit(auditor_client, province):
    """``?org_unit=`` keeps the people posted in that org unit."""
    kt = province["a_ids"]["bodies"]["KT"].id
    html = auditor_client.get(f"{UNIT_A}&org_unit={kt}").get_data(as_text=True)
    assert [row[0] for row in tables(html)[1][1:]] == ["An Văn Ba"]


def test_drill_org_unit_of_another_unit_is_not_found(auditor_client, province):
    """An org unit id of B inside A's page is 404: the page reads A alone."""
    vp_b = province["b_ids"]["bodies"]["VP"].id
    assert auditor_client.get(f"{UNIT_A}&org_unit={vp_b}").status_code == 404


def test_drill_person_of_another_unit_is_not_found(auditor_client, province):
    """B's person under A's URL is 404, page and form alike."""
    someone_b = province["b_ids"]["staff"][0]
    base = f"/admin/comparison/units/phuong-an/people/{someone_b}"
    assert auditor_client.get(f"{base}?period=2026-10").status_code == 404
    assert auditor_client.get(f"{base}/form.pdf?period=2026-10").status_code == 404


def test_drill_unpublished_period_is_refused_to_auditor(auditor_client, admin_client):
    """C's October is not published: the auditor gets a Vietnamese message and no data; a
    province admin sees C's people."""
    response = auditor_client.get("/admin/comparison/units/xa-cam?period=2026-10")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "chưa được công khai hoặc khóa sổ" in html
    for name in _names(PEOPLE_C):
        assert name not in html
    html = admin_client.get("/admin/comparison/units/xa-cam?period=2026-10").get_data(as_text=True)
    assert all(name in html for name in _names(PEOPLE_C))


def test_drill_locked_period_is_visible_to_auditor(auditor_client, province):
    """Locking a period (without publishing) opens it to auditors."""
    with tenant_context(province["c"]):
        period = periods.find_period("2026-10")
        period.status = "locked"
        db.session.commit()
    response = auditor_client.get("/admin/comparison/units/xa-cam?period=2026-10")
    assert response.status_code == 200 and "Cẩm Thị Một" in response.get_data(as_text=True)


def test_drill_quarter_averages_visible_periods(auditor_client, admin_client, province):
    """Over Q4 a person's figure is the mean of the periods the reader may see: November (85,
    not published) counts for the admin only → (95 + 85)/2 = 90 (HTXS); the auditor sees 95."""
    with tenant_context(province["a"]):
        november = periods.open_period(year=2026, number=11, kind="month")
        stored_score(november, province["a_ids"]["staff"][0], 85, "HTT")
        db.session.commit()
        aggregates.refresh_period(november)
        db.session.commit()
    url = "/admin/comparison/units/phuong-an?period=2026-Q4"
    admin_row = row_of(tables(admin_client.get(url).get_data(as_text=True))[1], "An Văn Một")
    assert admin_row[3:5] == ["90,00 (2 kỳ)", "HTXS"]
    html = auditor_client.get(url).get_data(as_text=True)
    assert row_of(tables(html)[1], "An Văn Một")[3:5] == ["95,00", "HTXS"]
    assert "Chưa được xem: 2026-11." in html


def test_drill_person_page_explains_score_history_and_events(auditor_client, province):
    """The person's explained score per period, the history with its chart, the audit events
    about their score, and the form download link."""
    staff_id = province["a_ids"]["staff"][0]
    url = f"/admin/comparison/units/phuong-an/people/{staff_id}?period=2026-10"
    html = auditor_client.get(url).get_data(as_text=True)
    assert "An Văn Một · Tháng 10/2026" in html
    assert '<span class="big" data-live="total">95,00</span>' in html
    assert "Hoàn thành xuất sắc nhiệm vụ" in html
    history, events = tables(html)
    assert history[1][:3] == ["Tháng 10/2026", "95,00", "Hoàn thành xuất sắc nhiệm vụ"]
    assert any("Phê duyệt kết quả" in " ".join(row) for row in events[1:])  # label, not code
    assert f"/admin/comparison/units/phuong-an/people/{staff_id}/form.pdf?period=2026-10" in html
    assert 'class="chart"' in html


def test_drill_pdf_downloads(auditor_client, province):
    """The unit's period report and a person's form come as PDFs (read-only, audited)."""
    before = len(cross_tenant_reads())
    report = auditor_client.get("/admin/comparison/units/phuong-an/report.pdf?period=2026-10")
    assert report.status_code == 200 and report.mimetype == "application/pdf"
    assert report.data.startswith(b"%PDF")
    staff_id = province["a_ids"]["staff"][0]
    form = auditor_client.get(
        f"/admin/comparison/units/phuong-an/people/{staff_id}/form.pdf?period=2026-10"
    )
    assert form.status_code == 200 and form.data.startswith(b"%PDF")
    assert "attachment" in form.headers["Content-Disposition"]
    assert len(cross_tenant_reads()) == before + 2


def test_drill_pdf_of_unpublished_period_is_refused(auditor_client, province):
    """The auditor cannot download C's unpublished report or forms."""
    assert (
        auditor_client.get("/admin/comparison/units/xa-cam/report.pdf?period=2026-10").status_code
        == 404
    )
    staff_id = province["c_ids"]["staff"][0]
    url = f"/admin/comparison/units/xa-cam/people/{staff_id}/form.pdf?period=2026-10"
    assert auditor_client.get(url).status_code == 404


def test_drill_read_is_audited_for_that_unit(auditor_client, province):
    """A drill-down is one cross_tenant.read event naming unit A only."""
    before = len(cross_tenant_reads())
    auditor_client.get(UNIT_A)
    (event,) = cross_tenant_reads()[before:]
    assert event.after["tenants"] == [province["a"].id]
    assert event.after["purpose"] == "comparison drill-down: phuong-an 2026-10"


def test_drill_unknown_unit_is_not_found(auditor_client):
    assert auditor_client.get("/admin/comparison/units/khong-co?period=2026-10").status_code == 404
