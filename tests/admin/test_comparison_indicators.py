"""Indicators are compared across units by canonical code: value, target, score, rank, trend."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.services.comparison import aggregates
from tenant_app.services.evaluation import indicator_values
from tenant_app.services.workspace import catalogue
from tenant_app.tenancy import tenant_context
from tests.admin.comparison_data import (
    row_of,
    tables,
)

ITEM = "/admin/comparison/items?period=2026-10&code=KPI.01"


def _indicator(tenant, values):
    """The unit's indicator KPI.01 (share settled on time, target 95) with October's values."""
    with tenant_context(tenant):
        item = catalogue.create_item(
            {"kind": "indicator", "code": "CS01", "canonical_code": "KPI.01",
             "name": f"Tỷ lệ đúng hạn – {tenant.name}", "unit_of_measure": "%",
             "direction": "higher", "scoring_method": "ratio_capped", "aggregation": "average",
             "target": "95", "effective_from": date(2026, 1, 1)},
            from_template=True,
        )  # fmt: skip
        period = db.session.execute(sa.select(Period).where(Period.code == "2026-10")).scalar_one()
        for value in values:
            indicator_values.enter_value(period, item, value, actor=None)
        db.session.commit()
        aggregates.refresh_period(period)
        db.session.commit()


def test_indicators_are_listed_ranked_and_charted(province, auditor_client):
    _indicator(province["a"], ["80", "90"])  # mean 85 → 100 × 85 / 95 = 89.47
    _indicator(province["b"], ["96"])  # above target: capped at 100
    listing = tables(auditor_client.get("/admin/comparison/items?period=2026-10").get_data(
        as_text=True))[0]  # fmt: skip
    assert row_of(listing, "KPI.01")[2:] == ["Chỉ số KPI", "2"]
    html = auditor_client.get(ITEM).get_data(as_text=True)
    table = tables(html)[0]
    assert [row[:2] for row in table[1:]] == [["1", "Phường Bình"], ["2", "Phường An"]]
    assert row_of(table, "2")[3:] == ["85,00", "95,00", "1", "89,47"]
    assert row_of(table, "1")[3:] == ["96,00", "95,00", "1", "100,00"]
    assert html.count("data:image/svg+xml;base64,") == 2  # ranking and trend


def test_an_unpublished_units_indicator_is_for_the_province_admin_only(
    province, admin_client, auditor_client
):
    _indicator(province["c"], ["50"])
    assert "Xã Cẩm" in admin_client.get(ITEM).get_data(as_text=True)
    assert "Xã Cẩm" not in auditor_client.get(ITEM).get_data(as_text=True)


def test_the_api_gives_the_indicator_figures(province, app):
    from tests.helpers import bearer, token_for

    _indicator(province["a"], ["95"])
    client = app.test_client()
    headers = bearer(token_for(client, None, "tinh.thanhtra"))
    body = client.get(
        "/api/v1/province/comparison/items?period=2026-10&code=KPI.01", headers=headers
    )
    assert body.status_code == 200, body.get_json()
    (unit,) = body.get_json()["units"]
    assert (unit["kind"], unit["value"], unit["score"]) == ("indicator", "95.0000", "100.0000")
