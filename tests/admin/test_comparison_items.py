"""One shared item across units: ranking and figures against a, b, c worked out by hand."""

from __future__ import annotations

import base64
import re

from tests.admin.comparison_data import (
    row_of,
    tables,
)

ITEM = "/admin/comparison/items?period=2026-10&code=HS.01"


def test_items_lists_shared_items_only(auditor_client):
    """Without a code: the items with a canonical code and how many units report them (A's
    local item, which has none, is left out)."""
    html = auditor_client.get("/admin/comparison/items?period=2026-10").get_data(as_text=True)
    (table,) = tables(html)
    assert table[1:] == [["HS.01", "Hồ sơ SP1 của Phường An", "Sản phẩm/công việc", "2"]]


def test_items_ranking_matches_hand_computed_abc(auditor_client):
    """B (10 done, 2 delays): a 100, b 100, c 95 → 98.33, rank 1. A (8 of 10 on time, one
    error): a 80, b (8 − 0.25)/10 = 77.5, c 80 → 79.17, rank 2."""
    html = auditor_client.get(ITEM).get_data(as_text=True)
    table = tables(html)[0]
    assert [row[:2] for row in table[1:]] == [["1", "Phường Bình"], ["2", "Phường An"]]
    assert row_of(table, "2")[3:] == ["1", "1", "10 / 8", "1", "0", "0", "80,00", "77,50",
                                      "80,00", "79,17"]  # fmt: skip
    assert row_of(table, "1")[3:] == ["1", "1", "10 / 10", "0", "2", "0", "100,00", "100,00",
                                      "95,00", "98,33"]  # fmt: skip


def test_items_unpublished_unit_ranked_for_admin_only(admin_client, auditor_client):
    """C (2 of 4 done: a = b = c = 50) is ranked third for a province admin, absent otherwise."""
    table = tables(admin_client.get(ITEM).get_data(as_text=True))[0]
    assert [row[:2] for row in table[1:]] == [
        ["1", "Phường Bình"], ["2", "Phường An"], ["3", "Xã Cẩm"],
    ]  # fmt: skip
    assert row_of(table, "3")[-4:] == ["50,00", "50,00", "50,00", "50,00"]
    assert "Xã Cẩm" not in auditor_client.get(ITEM).get_data(as_text=True)


def test_items_charts_rank_and_trend(auditor_client):
    """A ranking chart of the item's score and its trend over six months are drawn."""
    html = auditor_client.get(ITEM).get_data(as_text=True)
    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert len(images) == 2
    ranking, trend = (base64.b64decode(i).decode() for i in images)
    assert "98,33" in ranking and "79,17" in ranking
    assert "05/2026" in trend and "10/2026" in trend


def test_items_unknown_code_says_so(auditor_client):
    """A code no unit reports gives a message, not an empty table."""
    html = auditor_client.get("/admin/comparison/items?period=2026-10&code=KHONG").get_data(
        as_text=True
    )
    assert "Không đơn vị nào báo cáo chỉ tiêu KHONG trong kỳ này." in html
