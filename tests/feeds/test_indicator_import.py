"""Indicator values by spreadsheet import: all rows checked first, nothing written on a problem,
values recorded as imported and scored; another unit's codes are unknown."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import IndicatorValue
from tenant_app.services.workspace import catalogue
from tenant_app.tenancy import tenant_context
from tests.helpers import bearer, token_for
from tests.spreadsheets.test_import_kinds import commit, messages, upload
from tests.spreadsheets.xlsx import make_xlsx

HEADER = ["Kỳ đánh giá", "Mã chỉ số", "Mã nhân sự", "Giá trị", "Ghi chú"]


def _indicator(tenant):
    with tenant_context(tenant):
        catalogue.create_item(
            {"kind": "indicator", "code": "CS02", "name": "Mức độ hài lòng",
             "unit_of_measure": "%", "direction": "higher", "scoring_method": "pass_fail",
             "aggregation": "last", "target": "80", "effective_from": date(2026, 1, 1)}
        )  # fmt: skip
        db.session.commit()


def _values(tenant):
    db.session.expire_all()
    with tenant_context(tenant):
        return db.session.execute(
            sa.select(IndicatorValue.value, IndicatorValue.origin, IndicatorValue.note)
        ).all()


def test_a_clean_file_is_imported_and_a_bad_one_writes_nothing(client, tenant_a, fed_ward, admin_a):
    _indicator(tenant_a)
    headers = bearer(token_for(client, "phuong-a", admin_a.username))
    bad = make_xlsx(
        [["2026-11", "CS02", None, 86.5, "Khảo sát"], ["2026-11", "CS99", None, 1, None],
         ["2031-01", "CS02", "NS9", 5, None], ["2026-11", "CS02", None, "abc", None]],
        header=HEADER,
    )  # fmt: skip
    body = upload(client, headers, bad, "indicator_values")
    body = client.get(f"/api/v1/t/phuong-a/imports/{body['id']}", headers=headers).get_json()
    problems = messages(body)
    assert set(problems) == {(3, "Mã chỉ số"), (4, "Kỳ đánh giá"), (4, "Mã nhân sự"),
                             (5, "Giá trị")}  # fmt: skip
    assert _values(tenant_a) == []

    good = make_xlsx([["2026-11", "CS02", None, 86.5, "Khảo sát tháng 11"]], header=HEADER)
    done = commit(client, headers, upload(client, headers, good, "indicator_values"))
    assert done["state"] == "committed", done
    assert _values(tenant_a) == [(Decimal("86.5"), "import", "Khảo sát tháng 11")]


def test_another_units_indicator_codes_are_unknown(
    client, factory, tenant_a, tenant_b, fed_ward, admin_b
):
    from tests.evaluation.conftest import build_ward

    _indicator(tenant_a)
    build_ward(factory, tenant_b)
    headers = bearer(token_for(client, "phuong-b", admin_b.username))
    data = make_xlsx([["2026-11", "CS02", None, 90, None]], header=HEADER)
    body = upload(client, headers, data, "indicator_values", slug="phuong-b")
    body = client.get(f"/api/v1/t/phuong-b/imports/{body['id']}", headers=headers).get_json()
    assert (2, "Mã chỉ số") in messages(body)
    assert _values(tenant_a) == [] and _values(tenant_b) == []
