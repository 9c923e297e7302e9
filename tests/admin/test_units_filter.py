"""The province's list of units: a search box and status chips, filtered on the server."""

from __future__ import annotations

import re

from tests.helpers import login


def _names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/admin/tenants/[^"]+">([^<]+)</a></td>', html)


def test_units_filter_status_chip_lists_that_status_only(client, factory, province_admin):
    """The "Đang thí điểm" chip lists the pilot units, marks itself and offers "Xóa bộ lọc"."""
    factory.tenant("hac-thanh", name="Phường Hạc Thành", status="pilot")
    factory.tenant("nguyet-vien", name="Phường Nguyệt Viên", status="onboarding")
    login(client, None, "tinh.admin")
    html = client.get("/admin/?status=pilot").get_data(as_text=True)
    assert _names(html) == ["Phường Hạc Thành"]
    assert re.search(r'aria-current="true">[^<]*</a>', html)
    assert "Xóa bộ lọc" in html
    assert _names(client.get("/admin/").get_data(as_text=True)) == [
        "Phường Hạc Thành",
        "Phường Nguyệt Viên",
    ]


def test_units_filter_search_matches_name_or_code(client, factory, province_admin):
    """The search finds a unit by part of its name (any case) or by its code."""
    factory.tenant("hac-thanh", name="Phường Hạc Thành")
    factory.tenant("dong-son", name="Phường Đông Sơn")
    login(client, None, "tinh.admin")
    assert _names(client.get("/admin/?q=hạc").get_data(as_text=True)) == ["Phường Hạc Thành"]
    assert _names(client.get("/admin/?q=dong-son").get_data(as_text=True)) == ["Phường Đông Sơn"]
    assert _names(client.get("/admin/?q=khong-co").get_data(as_text=True)) == []
