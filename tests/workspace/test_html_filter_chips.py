"""Filter chips on the long lists: the staff list and the catalogue filter on the server, mark
the chip in force, offer "Xóa bộ lọc", and never show another unit's rows."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tenant_app.extensions import db
from tenant_app.services.workspace import catalogue, staff
from tenant_app.tenancy import tenant_context
from tests.helpers import login

BASE = "/t/phuong-a"


@pytest.fixture()
def admin_client(client, admin_a):
    login(client, "phuong-a", "admin.a")
    return client


def _current_chips(html: str) -> list[str]:
    return re.findall(r'<a class="chip" href="[^"]*" aria-current="true">([^<]*)</a>', html)


def test_chips_staff_status_chip_filters_and_is_marked(admin_client, tenant_a, org_a):
    """The "Đã nghỉ" chip lists only people who left, and is the chip marked current."""
    with tenant_context(tenant_a):
        staff.update_staff(staff.get_staff(org_a["clerk"]), {"end_date": date.today()})
        db.session.commit()
    html = admin_client.get(f"{BASE}/staff?status=left").get_data(as_text=True)
    assert "Trần Thị Văn" in html and "Lê Văn Chánh" not in html
    assert _current_chips(html) == ["Đã nghỉ, chuyển công tác"]
    assert "Xóa bộ lọc" in html
    everyone = admin_client.get(f"{BASE}/staff").get_data(as_text=True)
    assert "Trần Thị Văn" in everyone and "Lê Văn Chánh" in everyone
    assert _current_chips(everyone) == [] and "Xóa bộ lọc" not in everyone


def test_chips_staff_chip_keeps_the_search(admin_client, org_a):
    """A chip's link keeps the search typed in the box (the filters combine)."""
    html = admin_client.get(f"{BASE}/staff?q=NS1").get_data(as_text=True)
    assert "Lê Văn Chánh" in html and "Trần Thị Văn" not in html
    chip = re.search(r'<a class="chip" href="([^"]*)">Đang công tác</a>', html).group(1)
    assert "q=NS1" in chip and "status=active" in chip


def test_chips_catalogue_kind_chip_filters(admin_client, tenant_a, org_a):
    """The indicator chip lists indicators only; the work-item chip work items only."""
    with tenant_context(tenant_a):
        catalogue.create_item(
            {"kind": "indicator", "code": "CS99", "name": "Tỷ lệ hồ sơ đúng hạn",
             "unit_of_measure": "%", "direction": "higher", "scoring_method": "ratio_capped",
             "aggregation": "average", "target": "95"},
        )  # fmt: skip
        db.session.commit()
    indicators = admin_client.get(f"{BASE}/catalogue?kind=indicator").get_data(as_text=True)
    assert "Tỷ lệ hồ sơ đúng hạn" in indicators and "Văn bản trình ký" not in indicators
    assert len(_current_chips(indicators)) == 1
    work = admin_client.get(f"{BASE}/catalogue?kind=work_item").get_data(as_text=True)
    assert "Văn bản trình ký" in work and "Tỷ lệ hồ sơ đúng hạn" not in work


def test_chips_staff_search_never_shows_another_unit(admin_client, org_a, tenant_b):
    """A search that matches another unit's person finds nobody in this unit's list."""
    from tests.workspace.conftest import make_structure

    make_structure(tenant_b, suffix="B")
    html = admin_client.get(f"{BASE}/staff?q=NS1B").get_data(as_text=True)
    assert "Không có nhân sự nào khớp bộ lọc." in html
