"""The comparison as a PDF report for auditors: the page's figures, signs, charts; audit; refusals.

The figures are those of ``tests/admin/comparison_data.py`` (as ``test_comparison.py`` reads them
off the page): A's mean 81,67, the auditor's total 80,63 (A and B), the administrator's 76,50.
"""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pypdf

from tenant_app.services.comparison import comparison, comparison_pdf
from tenant_app.services.files import pdf_context
from tests.admin.comparison_data import (
    cross_tenant_reads,
)
from tests.helpers import login

REPORT = "/admin/comparison/export/report.pdf?period=2026-10"
TITLE = "BÁO CÁO SO SÁNH KẾT QUẢ ĐÁNH GIÁ GIỮA CÁC ĐƠN VỊ"


def pdf_text(data: bytes) -> str:
    """The text of every page, whitespace collapsed (table cells and chart labels wrap)."""
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def report(client, url: str = REPORT) -> str:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    return pdf_text(response.data)


def test_report_pdf_is_an_attachment_not_cached(auditor_client):
    """A PDF download named in ASCII and in UTF-8, which no cache may keep."""
    response = auditor_client.get(REPORT)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Bao-cao-so-sanh-2026-10.pdf"')
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20so%20s%C3%A1nh%202026-10.pdf" in disposition
    assert "no-store" in response.headers["Cache-Control"]


def test_report_pdf_shows_the_pages_figures(auditor_client):
    """Title with every diacritic, the scope, what the auditor may see, every unit and the
    hand-computed figures of the page's table (A's row, the total of A and B)."""
    text = report(auditor_client)
    assert TITLE in text and "Tháng 10/2026" in text
    assert "Chỉ kết quả đã công khai hoặc đã khóa" in text
    for name in ("Phường An", "Phường Bình", "Xã Cẩm"):
        assert name in text
    # A: 3 people, 1/1/1/0 (33,3 % each), mean 81,67, SD 12,47, 65–95, HTXS/HTT 100 %, quota
    # 1 / 0, late 50 %, returned 50 %, gap 0,00, absolute 3,33, equal 33,3 %.
    assert (
        "3 1 33,3 % 1 33,3 % 1 33,3 % 0 0,0 % 81,67 12,47 65,00 95,00 100,0 % 1 / 0 50,0 % "
        "50,0 % 0,00 3,33 33,3 %" in text
    )
    assert "Toàn tỉnh 8 1 12,5 % 6 75,0 % 1 12,5 % 0 0,0 % 80,63 7,68" in text
    assert "Xã Cẩm Chưa có số liệu trong kỳ này" in text


def test_report_pdf_lists_the_warning_signs(auditor_client):
    """Each sign with the numbers behind it, as on the page."""
    text = report(auditor_client)
    assert "I. DẤU HIỆU CẦN XEM XÉT (2 đơn vị)" in text
    assert "Vượt tỷ lệ HTXS toàn đơn vị 1 HTXS, cho phép 0 (20% của 1 HTT)." in text
    assert "Xếp loại cao bất thường 5/5 người (100,0%)" in text
    assert "Điểm đồng đều bất thường" in text and "Tự đánh giá luôn trùng điểm quản lý" in text


def test_report_pdf_draws_the_pages_charts(auditor_client):
    """Grade distribution (legend), ranking with the province mean, trend; then the items where
    the units differ most (HS.01: 98,33 in B, 79,17 in A) and the signature."""
    text = report(auditor_client)
    assert "Cơ cấu xếp loại – Tháng 10/2026" in text
    assert "Hoàn thành xuất sắc" in text and "Không hoàn thành" in text
    assert "Điểm bình quân theo đơn vị – Tháng 10/2026" in text
    assert "Bình quân chung: 80,63" in text
    assert "Điểm bình quân 6 kỳ gần nhất" in text and "10/2026" in text
    assert "HS.01" in text and "Phường Bình: 98,33 %" in text and "Phường An: 79,17 %" in text
    assert "19,17" in text
    assert "NGƯỜI LẬP BÁO CÁO" in text and "Tinh.Thanhtra" in text
    assert re.search(r"ngày \d\d tháng \d\d năm \d{4}", text)


def test_report_pdf_for_the_province_admin_includes_unpublished(admin_client):
    """The administrator's report has C (60,00) and the total of all three (76,50)."""
    text = report(admin_client)
    assert "Gồm cả kết quả chưa công khai" in text
    assert "60,00" in text and "Toàn tỉnh 10" in text and "76,50" in text


def test_report_pdf_of_selected_units_only(auditor_client, province):
    """Ticking A alone prints A and the total of the units chosen; B appears nowhere."""
    text = report(auditor_client, f"{REPORT}&tenants={province['a'].id}")
    assert "Phường An" in text and "Các đơn vị đã chọn 3" in text
    assert "Phường Bình" not in text and "Xã Cẩm" not in text


def test_report_pdf_is_one_audited_read(auditor_client, province):
    """The download is one cross_tenant.read event, by the auditor, naming the units read."""
    a, b = province["a"].id, province["b"].id
    before = len(cross_tenant_reads())
    assert auditor_client.get(f"{REPORT}&tenants={a}&tenants={b}").status_code == 200
    events = cross_tenant_reads()[before:]
    assert len(events) == 1
    assert events[0].actor_name == "tinh.thanhtra"
    assert events[0].after["purpose"].startswith("comparison")
    assert events[0].after["tenants"] == sorted([a, b])


def test_report_pdf_invalid_period_is_refused_unread(auditor_client):
    """A malformed period is a 400 and nothing is read."""
    before = len(cross_tenant_reads())
    response = auditor_client.get("/admin/comparison/export/report.pdf?period=2026-13")
    assert response.status_code == 400
    assert len(cross_tenant_reads()) == before


def test_report_pdf_refuses_tenant_users(app, province, factory):
    """A unit administrator of A, signed in to A, does not get the report; nothing is read."""
    factory.user(province["a"], "qt.an", ("unit_admin", "staff"))
    client = app.test_client()
    assert login(client, "phuong-an", "qt.an").status_code == 302
    response = client.get(REPORT)
    assert response.status_code in (302, 401, 403, 404)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/admin/login")
    assert not response.data.startswith(b"%PDF")
    assert cross_tenant_reads() == []


def test_report_pdf_anonymous_is_sent_to_sign_in(client, province):
    response = client.get(REPORT)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_comparison_page_links_to_the_report(auditor_client, province):
    """Next to the Excel and CSV exports, the page offers the PDF of what it shows."""
    a = province["a"].id
    html = auditor_client.get(f"/admin/comparison?period=2026-10&tenants={a}").get_data(
        as_text=True
    )
    found = re.search(r'href="(/admin/comparison/export/report\.pdf\?[^"]+)">Báo cáo PDF<', html)
    assert found
    url = found.group(1).replace("&amp;", "&")
    assert "period=2026-10" in url and f"tenants={a}" in url
    assert "Phường Bình" not in report(auditor_client, url)


# --- long lists of units


def test_chunked_keeps_parts_even_and_small():
    """At most ``size`` rows a part, parts as even as possible, order kept."""
    assert pdf_context.chunked([], 40) == []
    assert [len(p) for p in pdf_context.chunked(range(40), 40)] == [40]
    assert [len(p) for p in pdf_context.chunked(range(41), 40)] == [21, 20]
    assert [len(p) for p in pdf_context.chunked(range(81), 40)] == [27, 27, 27]
    assert sum(pdf_context.chunked(range(7), 3), []) == list(range(7))


def test_long_unit_lists_split_the_bar_charts(app):
    """60 units: the distribution (61 rows with the total) and the ranking are drawn in parts
    of at most 25 rows, each part sized to fit a landscape page; the trend stays whole."""
    units = [
        comparison.UnitFigures(SimpleNamespace(name=f"Xã số {i:02d}", id=i), None)
        for i in range(60)
    ]
    result = comparison.Comparison(
        "2026-10", "month", "published", units, comparison.UnitFigures(None, None)
    )
    with app.test_request_context("/"):
        context = comparison_pdf.comparison_context(
            result,
            title_scope="Tháng 10/2026",
            spread=[],
            trend=(["09/2026", "10/2026"], {"Toàn tỉnh": [None, None]}),
            prepared_by="Thanh Tra",
        )
    svgs = [str(c["svg"]) for c in context["charts"]]
    assert len(svgs) == 3 + 3 + 1
    assert all(f"Cơ cấu xếp loại – Tháng 10/2026 ({i}/3)" in svgs[i - 1] for i in (1, 2, 3))
    assert "Điểm bình quân theo đơn vị – Tháng 10/2026 (3/3)" in svgs[5]
    assert all("Xã số 59" not in svg for svg in svgs[:2]) and "Xã số 59" in svgs[2]
    assert all(float(c["width"].removesuffix("mm")) <= 257 for c in context["charts"])
