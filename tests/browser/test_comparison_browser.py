"""In a real browser: the province auditor compares the two pilot wards of the demo province,
opens the shared item that differs most, and downloads the unit table as .xlsx and CSV.

The data is ``kpi demo`` itself (Thanh Hóa: Hạc Thành and Đông Sơn piloting, Nguyệt Viên still
onboarding; last month published and locked, this month open), built into the test database.
The expected figures are read from the scores in the database, never typed in here.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from tenant_app import demo
from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent, Tenant
from tenant_app.models.comparison import PeriodAggregate
from tenant_app.models.evaluation import Period, PeriodScore
from tenant_app.tenancy import tenant_context

pytestmark = pytest.mark.browser

PILOTS = ("Phường Hạc Thành", "Phường Đông Sơn")
ONBOARDING = "Phường Nguyệt Viên"
AUDITOR = "thanhtra.thanhhoa"  # the demo's auditor (tenant_app/demo.py)


def vn(value: Decimal) -> str:
    """Two decimals with a decimal comma, as a Vietnamese reader writes a score (81,37)."""
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}".replace(".", ",")


@pytest.fixture()
def province(app):
    """The demo province in the test database; per pilot ward its id, people and mean total
    for last month (the published one), worked out from the period scores."""
    demo.build(fresh=False)
    last_month = date.today().replace(day=1) - timedelta(days=1)  # the demo publishes it
    scope, month, year = f"{last_month:%Y-%m}", last_month.month, last_month.year
    wards = {}
    for name in PILOTS:
        tenant = db.session.execute(sa.select(Tenant).where(Tenant.name == name)).scalar_one()
        with tenant_context(tenant):
            period = db.session.execute(sa.select(Period).where(Period.code == scope)).scalar_one()
            assert period.published_at is not None
            totals = list(
                db.session.execute(
                    sa.select(PeriodScore.total).where(PeriodScore.period_id == period.id)
                ).scalars()
            )
            # The figures the page reads were refreshed after the demo's commits.
            agg = db.session.execute(
                sa.select(PeriodAggregate).where(
                    PeriodAggregate.scope == scope, PeriodAggregate.visibility == "published"
                )
            ).scalar_one()
            assert agg.people == len(totals) > 0
        mean = sum(totals, Decimal(0)) / len(totals)
        wards[name] = {"id": tenant.id, "people": len(totals), "mean": mean, "shown": vn(mean)}
    db.session.remove()  # nothing held open while the server works on the same database
    return {
        "scope": scope,
        "label": f"Tháng {month}/{year}",
        "wards": wards,
        "ids": sorted(w["id"] for w in wards.values()),
    }


class Reads:
    """The ``cross_tenant.read`` events of the province chain recorded since the last look."""

    def __init__(self):
        self.last = self._max_id()

    @staticmethod
    def _max_id() -> int:
        db.session.remove()
        return db.session.execute(sa.select(sa.func.max(ProvinceAuditEvent.id))).scalar() or 0

    def new(self) -> list[tuple[str, object]]:
        db.session.remove()
        events = db.session.execute(
            sa.select(ProvinceAuditEvent)
            .where(
                ProvinceAuditEvent.id > self.last,
                ProvinceAuditEvent.action == "cross_tenant.read",
            )
            .order_by(ProvinceAuditEvent.id)
        ).scalars()
        found = []
        for event in events:
            assert (event.actor_type, event.actor_name) == ("province_user", AUDITOR)
            found.append((event.after["purpose"], event.after["tenants"]))
        self.last = self._max_id()
        return found


def _unit_row(page, name):
    return page.locator("#don-vi table.comparison tbody tr").filter(
        has=page.get_by_role("link", name=name, exact=True)  # the row header (and its flag count)
    )


def test_browser_auditor_compares_the_pilot_wards_and_downloads(live_server, page, province):
    """Pick last month and the two pilot wards; the table, an item's ranking, .xlsx and CSV
    agree with the database, and every view is a ``cross_tenant.read`` in the province log."""
    base, scope, wards, ids = live_server, province["scope"], province["wards"], province["ids"]
    reads = Reads()

    page.goto(f"{base}/admin/login")
    page.get_by_label("Tên đăng nhập").fill(AUDITOR)
    page.get_by_label("Mật khẩu").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/admin/?$"))
    assert reads.new() == [("tenant list: account counts", "all")]  # the province home

    # The comparison from the navigation: the auditor sees published results only.
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_text("Kết quả", exact=True).click()  # the results menu
    nav.get_by_role("link", name="So sánh kết quả").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("So sánh kết quả giữa các đơn vị")
    expect(page.locator(".visibility-banner")).to_contain_text(
        "Chỉ kết quả đã công khai hoặc đã khóa"
    )
    assert reads.new() == [("comparison: units (newest)", "all")]

    # Last month, the two pilot wards only (every unit is ticked until one is unticked).
    filters = page.locator("form.comparison-filters")
    filters.get_by_role("combobox").select_option(scope)
    picker = filters.locator(".unit-picker summary")
    expect(picker).to_contain_text("tất cả 3 đơn vị")
    picker.click()  # opens the list of units
    for name in PILOTS:
        expect(filters.get_by_label(name)).to_be_checked()
    filters.get_by_label(ONBOARDING).uncheck()
    filters.get_by_role("button", name="Xem").click()
    page.wait_for_url(re.compile(rf".*/admin/comparison\?period={scope}&tenants=.*"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(province["label"])
    expect(picker).to_contain_text("2/3 đơn vị đã chọn")
    assert reads.new() == [(f"comparison: units {scope}", ids)]

    units = page.locator("#don-vi table.comparison tbody tr")
    expect(units).to_have_count(2)
    for name, ward in wards.items():
        cells = _unit_row(page, name).locator("td")
        expect(cells.nth(0)).to_have_text(str(ward["people"]))
        expect(cells.nth(5)).to_have_text(ward["shown"])  # Điểm bình quân
    expect(page.locator("#don-vi table.comparison")).not_to_contain_text(ONBOARDING)
    expect(page.locator("#don-vi tfoot")).to_contain_text("Các đơn vị đã chọn")
    warnings = page.locator("#canh-bao")
    expect(warnings.get_by_role("heading", name=re.compile("Dấu hiệu cần xem xét"))).to_be_visible()
    expect(warnings).not_to_contain_text(ONBOARDING)

    # The shared item the two wards differ most on: both ranked, the best one first, with the
    # scores the spread table gave them.
    spread = page.locator("#chi-tieu tbody tr").first
    code = spread.locator("td").nth(0).inner_text().strip()
    best, best_score = spread.locator("td").nth(3).inner_text().removesuffix("%").split(":")
    worst, worst_score = spread.locator("td").nth(4).inner_text().removesuffix("%").split(":")
    assert {best.strip(), worst.strip()} == set(PILOTS)
    assert spread.locator("td").nth(5).inner_text() != "0,00"
    spread.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Chỉ tiêu {code}")
    ranked = page.locator("table.comparison tbody tr")
    expect(ranked).to_have_count(2)
    expect(ranked.locator("td:first-child")).to_have_text(["1", "2"])  # Hạng
    expect(ranked.locator("th.unit")).to_have_text([best.strip(), worst.strip()])
    expect(ranked.locator("td.strong:last-child")).to_have_text(
        [best_score.strip(), worst_score.strip()]
    )
    assert reads.new() == [(f"comparison: item {code} {scope}", ids)]

    # Back to the units, and the unit table as .xlsx.
    page.go_back()
    expect(units).to_have_count(2)
    # The page is no-store, so going back reloads it (another read); a browser that restored it
    # from its back-forward cache would not ask the server again.
    assert reads.new() in ([(f"comparison: units {scope}", ids)], [])
    with page.expect_download() as caught:
        page.locator("#don-vi").get_by_role("link", name="Xuất Excel").click()
    download = caught.value
    assert download.suggested_filename == f"so-sanh-{scope}.xlsx"
    sheet = load_workbook(io.BytesIO(download.path().read_bytes())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:2] == ["Đơn vị", "Số người được đánh giá"]
    assert "Điểm bình quân" in header and "Số dấu hiệu cảnh báo" in header
    mean_col = header.index("Điểm bình quân")
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {*PILOTS, "Các đơn vị đã chọn"}
    for name, ward in wards.items():
        assert by_name[name][1] == ward["people"]
        assert by_name[name][mean_col] == pytest.approx(float(ward["mean"]))  # a number
    assert by_name["Các đơn vị đã chọn"][1] == sum(w["people"] for w in wards.values())
    assert reads.new() == [(f"comparison: units export (xlsx) {scope}", ids)]

    # The same table as CSV: byte-order mark, ';' between cells, decimal comma.
    with page.expect_download() as caught:
        page.locator("#don-vi").get_by_role("link", name="Xuất CSV").click()
    download = caught.value
    assert download.suggested_filename == f"so-sanh-{scope}.csv"
    with open(download.path(), "rb") as handle:
        body = handle.read()
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Đơn vị;Số người được đánh giá;")
    assert all(line.count(";") == lines[0].count(";") for line in lines[1:])
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0] == header
    by_name = {r[0]: r for r in table[1:]}
    assert set(by_name) == {*PILOTS, "Các đơn vị đã chọn"}
    for name, ward in wards.items():
        assert by_name[name][1] == str(ward["people"])
        assert by_name[name][mean_col] == ward["shown"]
    assert reads.new() == [(f"comparison: units export (csv) {scope}", ids)]
