"""The PDF forms: a person's phiếu đánh giá and the unit's period report, and who may download them.

The golden month (DOMAIN.md): general 9 + 9 + 9 = 27; a = 15/20 = 75; b = (15 − 0,25)/20 = 73,75;
c = (15 − 0,5)/20 = 72,5; task score 73,75 × 70% = 51,625; total 78,625, shown 78,63 → HTT.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from urllib.parse import quote

import pypdf
import pytest

from tenant_app.extensions import db
from tenant_app.models import DeputyField, User
from tenant_app.models.evaluation import Period
from tenant_app.services.evaluation import assessments
from tenant_app.services.files import pdf_context, pdf_forms
from tenant_app.services.workspace import org, staff
from tenant_app.tenancy import tenant_context
from tests.evaluation.scores_helpers import stored_score
from tests.evaluation.view_helpers import get, golden_month, ward_today
from tests.helpers import login


def pdf_text(data: bytes) -> str:
    """The text of every page, whitespace collapsed (table cells wrap lines)."""
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.fixture()
def golden_a(factory, tenant_a):
    """Tenant A's ward with the golden month scored for the clerk (not yet approved)."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    return ward


def form_text(tenant, ward) -> str:
    with tenant_context(tenant):
        data = pdf_forms.person_form_pdf(ward["period"], ward["clerk"])
    assert data.startswith(b"%PDF")
    return pdf_text(data)


def add_person(tenant, ward, code, name, unit_id, *, user_id=None):
    """A staff member holding the clerk's position in ``unit_id``, managed by the head."""
    with tenant_context(tenant):
        person = staff.create_staff(
            {"code": code, "full_name": name, "staff_type": "cong_chuc",
             "start_date": date(2025, 7, 1), "org_unit_id": unit_id,
             "position_id": ward["clerk_pos"], "manager_id": ward["head"], "user_id": user_id}
        )  # fmt: skip
        db.session.commit()
        return person.id


@pytest.fixture()
def unit_a(golden_a, tenant_a):
    """The golden ward plus Phòng Kinh tế (under the committee) with Phạm Thị Hồng (92,5 HTXS,
    provisional) and Đỗ Văn Minh in the office (55,004 HTNV, approved)."""
    with tenant_context(tenant_a):
        economy = org.create_org_unit(
            {"code": "KT", "name": "Phòng Kinh tế", "kind": "body",
             "parent_id": golden_a["root"], "effective_from": date(2025, 7, 1)}
        )  # fmt: skip
        db.session.commit()
        golden_a["economy"] = economy.id
    hong = add_person(tenant_a, golden_a, "NS3", "Phạm Thị Hồng", golden_a["economy"])
    minh = add_person(tenant_a, golden_a, "NS4", "Đỗ Văn Minh", golden_a["body"])
    with tenant_context(tenant_a):
        period = get(Period, tenant_a, golden_a["period"])
        stored_score(period, hong, "92.5", "HTXS", approved=False)
        stored_score(period, minh, "55.004", "HTNV")
        db.session.commit()
    golden_a["hong"] = hong
    return golden_a


def report_text(tenant, ward, org_unit_id=None) -> str:
    with tenant_context(tenant):
        data = pdf_forms.unit_report_pdf(ward["period"], org_unit_id, prepared_by="Ngô Thị Lập")
    assert data.startswith(b"%PDF")
    return pdf_text(data)


# --- The person's form ------------------------------------------------------------------------


def test_person_form_prints_vietnamese_headings_intact(golden_a, tenant_a):
    """National motto, title, unit and the person's block come out with every diacritic."""
    text = form_text(tenant_a, golden_a)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC",
        "Họ và tên: Trần Thị Văn",
        "Chức vụ / vị trí việc làm: Chuyên viên văn thư",
        "Đơn vị công tác: Văn phòng HĐND và UBND",
    ):
        assert expected in text


def test_person_form_shows_the_golden_month_figures(golden_a, tenant_a):
    """a 75,00, b 73,75, c 72,50, task points 51,63, general 27,00, total 78,63, HTT."""
    text = form_text(tenant_a, golden_a)
    for expected in (
        "a) Số lượng (%) 75,00",
        "b) Chất lượng (%) 73,75",
        "c) Tiến độ (%) 72,50",
        "Điểm kết quả nhiệm vụ 51,63",
        "Điểm tiêu chí chung 27,00",
        "Tổng điểm 78,63",
        "Xếp loại Hoàn thành tốt nhiệm vụ",
        "27 + 51,63 ≈ 78,63",
    ):
        assert expected in text


def test_person_form_lists_criteria_points_by_stage(golden_a, tenant_a):
    """Each criterion: max 10,00, self 9,00, manager 9,00, no leader points; sums 30/27/27."""
    text = form_text(tenant_a, golden_a)
    assert "Tinh thần đổi mới, sáng tạo, dám nghĩ, dám làm 10,00 9,00 9,00" in text
    assert "Cộng 30,00 27,00 27,00" in text


def test_person_form_lists_every_assigned_item(golden_a, tenant_a):
    """T1 10 × 1 done 10 (1 error, 2 delays); T2 2 × 2,5 done 2; T3 1 × 5 not done."""
    text = form_text(tenant_a, golden_a)
    assert "T1 – Sản phẩm T1 hồ sơ 10 1 10 1 2 0 / 0" in text
    assert "T2 – Sản phẩm T2 hồ sơ 2 2,5 2 0 0 0 / 0" in text
    assert "T3 – Sản phẩm T3 hồ sơ 1 5 0 0 0 0 / 0" in text


def test_person_form_marks_an_unapproved_result(golden_a, tenant_a):
    """Before approval the form says so, and the head's signature block has no name yet."""
    text = form_text(tenant_a, golden_a)
    assert "Kết quả chưa được phê duyệt" in text and "CHƯA PHÊ DUYỆT" in text
    for block in ("NGƯỜI TỰ ĐÁNH GIÁ", "NGƯỜI QUẢN LÝ TRỰC TIẾP", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"):
        assert block in text
    assert "(Ký, ghi rõ họ tên)" in text and "ngày …… tháng …… năm ……" in text
    assert text.count("Lê Văn Chánh") == 1  # the direct manager only


def test_person_form_names_the_approver_once_approved(golden_a, tenant_a):
    """After approval the head signs as thủ trưởng too and the not-approved mark is gone."""
    with tenant_context(tenant_a):
        period = get(Period, tenant_a, golden_a["period"])
        head = get(User, tenant_a, golden_a["head_user"])
        assessments.approve(period, [golden_a["clerk"]], actor=head)
        db.session.commit()
    text = form_text(tenant_a, golden_a)
    assert "chưa được phê duyệt" not in text and "CHƯA PHÊ DUYỆT" not in text
    assert "Kết quả đã được phê duyệt ngày" in text
    assert text.count("Lê Văn Chánh") == 2


def test_person_form_prints_through_the_read_only_door(golden_a, tenant_a, auditor):
    """An auditor's drill-down (writes refused) gets the same form: the service writes nothing."""
    from tenant_app.tenancy.door import read_one_tenant

    with read_one_tenant(tenant_a, "kiểm tra phiếu", actor=auditor):
        data = pdf_forms.person_form_pdf(golden_a["period"], golden_a["clerk"])
        assert not (db.session.new or db.session.dirty or db.session.deleted)
    assert "Tổng điểm 78,63" in pdf_text(data)


def test_person_form_of_another_tenants_person_is_not_found(golden_a, factory, tenant_b):
    """In tenant B's scope, tenant A's period or person raises NotFound."""
    from tenant_app.services.errors import NotFound

    ward_b = ward_today(factory, tenant_b, "b")
    with tenant_context(tenant_b), pytest.raises(NotFound):
        pdf_forms.person_form_pdf(ward_b["period"], golden_a["clerk"])
    with tenant_context(tenant_b), pytest.raises(NotFound):
        pdf_forms.person_form_pdf(golden_a["period"], ward_b["clerk"])


# --- The unit's report ------------------------------------------------------------------------


def test_unit_report_lists_every_scored_person(unit_a, tenant_a):
    """One row per scored person, by name, with position/unit, total and grade."""
    text = report_text(tenant_a, unit_a)
    assert "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG" in text
    assert (
        "Đỗ Văn Minh Chuyên viên văn thư Văn phòng HĐND và UBND 55,00 Hoàn thành nhiệm vụ" in text
    )
    assert "Phạm Thị Hồng * Chuyên viên văn thư Phòng Kinh tế 92,50" in text
    assert "Trần Thị Văn * Chuyên viên văn thư Văn phòng HĐND và UBND 78,63" in text


def test_unit_report_counts_grades_and_shares(unit_a, tenant_a):
    """Three people, one each of HTXS, HTT, HTNV: 33,33% each, none failed."""
    text = report_text(tenant_a, unit_a)
    assert "Hoàn thành xuất sắc nhiệm vụ 1 33,33" in text
    assert "Hoàn thành tốt nhiệm vụ 1 33,33" in text
    assert "Hoàn thành nhiệm vụ 1 33,33" in text
    assert "Không hoàn thành nhiệm vụ 0 0,00" in text
    assert "Tổng cộng 3 100,00" in text


def test_unit_report_states_the_quota(unit_a, tenant_a):
    """1 HTT allows floor(20% × 1) = 0 HTXS; there is 1, so the line says the limit is exceeded."""
    text = report_text(tenant_a, unit_a)
    assert "1 người HTT, được tối đa 0 người HTXS; thực tế 1 người HTXS." in text
    assert "Vượt giới hạn" in text


def test_unit_report_draws_its_charts(unit_a, tenant_a):
    """The grade distribution by org unit and for the whole unit, and the histogram of totals
    with the period's grade thresholds (50, 70, 90)."""
    with tenant_context(tenant_a):
        label = get(Period, tenant_a, unit_a["period"]).label
    text = report_text(tenant_a, unit_a)
    assert f"Cơ cấu xếp loại – {label}" in text
    assert "Hoàn thành xuất sắc" in text and "Không hoàn thành" in text  # the legend
    assert "Toàn đơn vị" in text
    assert f"Phân bố tổng điểm – {label}" in text
    assert "HTNV ≥ 50" in text and "HTT ≥ 70" in text and "HTXS ≥ 90" in text


def test_unit_report_charts_follow_the_org_chart(unit_a, tenant_a):
    """One row per org unit people were posted in, in the order of the org chart (KT before VP),
    then the whole unit; the histogram has one person in each of 50–60, 70–80 and 90–100. The
    report of one org unit has the whole row only."""
    with tenant_context(tenant_a):
        charts = pdf_context.unit_report(unit_a["period"])["charts"]
        one = pdf_context.unit_report(unit_a["period"], unit_a["body"])["charts"]
    assert len(charts) == 2  # distribution, histogram
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", str(charts[0]["svg"])).group(1)
    economy, office = desc.index("Phòng Kinh tế (1 người)"), desc.index("Văn phòng HĐND")
    assert economy < office < desc.index("Toàn đơn vị (3 người)")
    histogram = str(charts[1]["svg"])
    assert "50–60: 1." in histogram and "70–80: 1." in histogram and "90–100: 1." in histogram
    assert "Phòng Kinh tế" not in str(one[0]["svg"]) and "Toàn đơn vị (2 người)" in str(
        one[0]["svg"]
    )


def test_unit_report_signature_blocks(unit_a, tenant_a):
    """The người lập biểu and the head sign; two provisional scores are flagged."""
    text = report_text(tenant_a, unit_a)
    assert "NGƯỜI LẬP BIỂU" in text and "Ngô Thị Lập" in text
    assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in text
    assert "còn 2 người chưa được phê duyệt" in text


def test_unit_report_filtered_to_a_unit(unit_a, tenant_a):
    """The office's report leaves out Phòng Kinh tế and is signed by the office's head."""
    text = report_text(tenant_a, unit_a, unit_a["body"])
    assert "Trần Thị Văn" in text and "Đỗ Văn Minh" in text
    assert "Phạm Thị Hồng" not in text
    assert "Tổng cộng 2 100,00" in text and "Lê Văn Chánh" in text


def test_unit_report_of_a_parent_unit_includes_sub_units(unit_a, tenant_a):
    """The committee's report takes in both of its bodies."""
    text = report_text(tenant_a, unit_a, unit_a["root"])
    assert "Phạm Thị Hồng" in text and "Trần Thị Văn" in text and "Tổng cộng 3" in text


# --- Downloads --------------------------------------------------------------------------------


def form_url(ward, staff_key="clerk", slug="phuong-a", period=None):
    return f"/t/{slug}/scores/{ward[staff_key]}/form.pdf?period={period or ward['period']}"


def test_staff_downloads_own_form(client, golden_a, tenant_a):
    """The clerk gets her form as a PDF attachment named in ASCII and in UTF-8."""
    login(client, "phuong-a", "vanthu")
    response = client.get(form_url(golden_a))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    with tenant_context(tenant_a):
        code = get(Period, tenant_a, golden_a["period"]).code
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="Phieu-danh-gia-{code}-Tran-Thi-Van.pdf"')
    assert f"filename*=UTF-8''{quote(f'Phiếu đánh giá {code} Trần Thị Văn.pdf')}" in disposition
    assert "Trần Thị Văn" in pdf_text(response.data)


def test_staff_cannot_download_a_colleagues_form(client, golden_a):
    """The clerk asking for the head's form is refused (403)."""
    login(client, "phuong-a", "vanthu")
    assert client.get(form_url(golden_a, "head")).status_code == 403


def test_manager_downloads_a_managed_persons_form(client, golden_a):
    """The head gets the clerk's form."""
    login(client, "phuong-a", "truong")
    response = client.get(form_url(golden_a))
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_other_tenants_user_cannot_fetch_a_form(client, golden_a, factory, tenant_b):
    """Tenant B's head gets 404 for tenant A's person or period, in B's URL or A's."""
    ward_b = ward_today(factory, tenant_b, "b")
    login(client, "phuong-b", "truongb")
    assert client.get(form_url(golden_a, slug="phuong-b")).status_code == 404
    own_person_a_period = form_url(ward_b, slug="phuong-b", period=golden_a["period"])
    assert client.get(own_person_a_period).status_code == 404
    assert client.get(form_url(golden_a)).status_code == 404


def test_manager_downloads_the_unit_report(client, unit_a):
    """The head of the agency gets the period report of the whole ward."""
    login(client, "phuong-a", "truong")
    response = client.get(f"/t/phuong-a/reports/period.pdf?period={unit_a['period']}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert 'filename="Bao-cao-ky-' in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    assert "Phạm Thị Hồng" in text and "Lê Văn Chánh" in text  # listed; prepared by the head


def test_staff_cannot_download_the_unit_report(client, golden_a):
    """A plain staff account is refused the unit report (403)."""
    login(client, "phuong-a", "vanthu")
    assert (
        client.get(f"/t/phuong-a/reports/period.pdf?period={golden_a['period']}").status_code == 403
    )


def test_unit_report_of_another_tenants_period_is_404(client, golden_a, factory, tenant_b):
    """Tenant B's head asking for tenant A's period or unit gets 404."""
    ward_today(factory, tenant_b, "b")
    login(client, "phuong-b", "truongb")
    base = "/t/phuong-b/reports/period.pdf"
    assert client.get(f"{base}?period={golden_a['period']}").status_code == 404
    assert client.get(f"{base}?org_unit={golden_a['body']}").status_code == 404


def test_unit_manager_gets_only_their_own_unit(client, unit_a, factory, tenant_a):
    """A manager heading Phòng Kinh tế (not the agency) gets that unit only; the office is 403."""
    user = factory.user(tenant_a, "truongkt", ("manager", "staff"), full_name="Vũ Văn Kinh")
    add_person(tenant_a, unit_a, "NS5", "Vũ Văn Kinh", unit_a["economy"], user_id=user.id)
    login(client, "phuong-a", "truongkt")
    base = f"/t/phuong-a/reports/period.pdf?period={unit_a['period']}"
    text = pdf_text(client.get(base).data)
    assert "Phạm Thị Hồng" in text and "Trần Thị Văn" not in text
    assert client.get(f"{base}&org_unit={unit_a['body']}").status_code == 403


def test_score_page_links_to_the_form(client, golden_a):
    """The person's score page offers the PDF of the period shown."""
    login(client, "phuong-a", "vanthu")
    html = client.get(f"/t/phuong-a/my/score?period={golden_a['period']}").get_data(as_text=True)
    assert "Tải phiếu đánh giá (PDF)" in html
    assert f"/t/phuong-a/scores/{golden_a['clerk']}/form.pdf?period={golden_a['period']}" in html


def test_dashboard_links_to_the_unit_report(client, golden_a):
    """The manager's dashboard offers the period report."""
    login(client, "phuong-a", "truong")
    html = client.get(f"/t/phuong-a/dashboard?period={golden_a['period']}").get_data(as_text=True)
    assert "Báo cáo kỳ (PDF)" in html
    assert f"/t/phuong-a/reports/period.pdf?period={golden_a['period']}" in html


def test_ascii_filename_keeps_the_letter_d():
    """Đ and đ become D and d (NFKD alone would drop them); spaces become dashes."""
    assert pdf_forms.ascii_filename("Đánh giá Đỗ Văn.pdf") == "Danh-gia-Do-Van.pdf"


# --- Deputies' fields (issue 17 item 8) --------------------------------------------------------


@pytest.fixture()
def deputy_a(unit_a, tenant_a):
    """Unit A plus Phạm Phó (scored 80, HTT) in charge of Phòng Kinh tế and of the office
    (Văn phòng HĐND và UBND) over the whole period; returns the ward with ``deputy``."""
    deputy = add_person(tenant_a, unit_a, "NS9", "Phạm Phó", unit_a["root"])
    with tenant_context(tenant_a):
        period = get(Period, tenant_a, unit_a["period"])
        for unit in (unit_a["economy"], unit_a["body"]):
            db.session.add(
                DeputyField(
                    staff_id=deputy,
                    org_unit_id=unit,
                    starts_on=period.starts_on,
                    reference="QĐ 12/QĐ-UBND",
                )
            )
        stored_score(period, deputy, "80", "HTT")
        db.session.commit()
    unit_a["deputy"] = deputy
    return unit_a


def test_unit_report_names_a_deputys_fields(deputy_a, tenant_a):
    """The deputy's row says which divisions their unit result covers, sorted by name; other
    rows carry no such line."""
    text = report_text(tenant_a, deputy_a)
    assert "Lĩnh vực phụ trách: Phòng Kinh tế, Văn phòng HĐND và UBND" in text
    assert text.count("Lĩnh vực phụ trách") == 1


def test_person_form_names_a_deputys_fields(deputy_a, tenant_a):
    """The deputy's own form has the line under their unit; the clerk's form has none."""
    with tenant_context(tenant_a):
        data = pdf_forms.person_form_pdf(deputy_a["period"], deputy_a["deputy"])
    assert "Lĩnh vực phụ trách: Phòng Kinh tế, Văn phòng HĐND và UBND" in pdf_text(data)
    assert "Lĩnh vực phụ trách" not in form_text(tenant_a, deputy_a)


def test_a_field_ended_before_the_period_is_not_named(deputy_a, tenant_a):
    """An assignment that ended the day before the period began does not appear."""
    with tenant_context(tenant_a):
        period = get(Period, tenant_a, deputy_a["period"])
        for row in db.session.query(DeputyField).all():
            if row.org_unit_id == deputy_a["body"]:
                row.starts_on = date(2025, 7, 1)
                row.ends_on = period.starts_on - timedelta(days=1)
        db.session.commit()
    text = report_text(tenant_a, deputy_a)
    assert "Lĩnh vực phụ trách: Phòng Kinh tế" in text
    assert "Lĩnh vực phụ trách: Phòng Kinh tế, Văn phòng" not in text
