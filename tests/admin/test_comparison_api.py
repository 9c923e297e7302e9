"""``/api/v1/province/comparison``: JSON figures, flags with numbers, items, errors, refusals."""

from __future__ import annotations

import pytest

from tests.admin.comparison_data import cross_tenant_reads
from tests.helpers import bearer, token_for

API = "/api/v1/province/comparison"


@pytest.fixture()
def auditor_headers(client, province):
    return bearer(token_for(client, None, "tinh.thanhtra"))


def _unit(body, slug):
    return next(u for u in body["units"] if u["slug"] == slug)


def test_api_comparison_unit_figures(client, auditor_headers):
    """Unit A's figures as decimal strings, matching the hand computation."""
    response = client.get(f"{API}?period=2026-10", headers=auditor_headers)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["period"], body["kind"], body["visibility"]) == ("2026-10", "month", "published")
    a = _unit(body, "phuong-an")
    assert a["name"] == "Phường An" and a["has_data"] is True and a["periods"] == ["2026-10"]
    assert a["people"] == 3
    assert a["grades"] == {"HTXS": 1, "HTT": 1, "HTNV": 1, "KHTNV": 0}
    assert a["shares"] == {"HTXS": "33.33", "HTT": "33.33", "HTNV": "33.33", "KHTNV": "0.00"}
    assert (a["mean"], a["stdev"], a["min"], a["max"]) == (
        "81.6667", "12.4722", "65.0000", "95.0000",
    )  # fmt: skip
    assert (a["quota_allowed"], a["quota_use"], a["quota_exceeded"]) == (0, None, True)
    assert (a["htxs_of_htt"], a["late_share"], a["returned_share"]) == ("100.00", "50.00", "50.00")
    assert (a["self_gap"], a["self_gap_abs"], a["self_equal_share"]) == (
        "0.0000",
        "3.3333",
        "33.33",
    )
    assert a["reports"] == 2


def test_api_comparison_flags_carry_numbers(client, auditor_headers):
    """Each warning sign has its code, title, detail and the numbers behind it."""
    body = client.get(f"{API}?period=2026-10", headers=auditor_headers).get_json()
    (quota,) = _unit(body, "phuong-an")["flags"]
    assert quota["code"] == "quota_exceeded" and quota["title"] == "Vượt tỷ lệ HTXS"
    assert quota["numbers"] == {"htxs": 1, "allowed": 0, "groups": []}
    flags = {f["code"]: f for f in _unit(body, "phuong-binh")["flags"]}
    assert set(flags) == {"inflation", "uniformity", "self_equals_manager"}
    assert flags["inflation"]["numbers"] == {"good": 5, "people": 5, "share": "100.0000"}
    assert flags["uniformity"]["numbers"] == {"people": 5, "stdev": "0.0000", "distinct": 1}
    assert "5/5" in flags["self_equals_manager"]["detail"]


def test_api_comparison_province_total_and_visibility(client, auditor_headers, province):
    """The total adds A and B (C is not published): 8 people, mean 80.625; C has no data."""
    body = client.get(f"{API}?period=2026-10", headers=auditor_headers).get_json()
    assert body["province"]["people"] == 8 and body["province"]["mean"] == "80.6250"
    assert "flags" not in body["province"]
    c = _unit(body, "xa-cam")
    assert c["has_data"] is False and c["people"] == 0 and c["mean"] is None


def test_api_comparison_admin_sees_every_unit(client, province):
    """A province administrator's token reads unpublished results too."""
    headers = bearer(token_for(client, None, "tinh.admin"))
    body = client.get(f"{API}?period=2026-10", headers=headers).get_json()
    assert body["visibility"] == "all"
    assert _unit(body, "xa-cam")["people"] == 2 and body["province"]["mean"] == "76.5000"


def test_api_comparison_selects_units_by_id_or_slug(client, auditor_headers, province):
    """``tenants`` takes ids or slugs; the read is audited with those units."""
    url = f"{API}?period=2026-10&tenants=phuong-an&tenants={province['b'].id}"
    body = client.get(url, headers=auditor_headers).get_json()
    assert [u["slug"] for u in body["units"]] == ["phuong-an", "phuong-binh"]
    event = cross_tenant_reads()[-1]
    assert event.after["tenants"] == sorted([province["a"].id, province["b"].id])
    assert event.after["purpose"] == "comparison API: units 2026-10"


def test_api_comparison_items_ranked(client, auditor_headers):
    """HS.01: B first (98.3333), A second (a 80, b 77.5, c 80 → 79.1667)."""
    body = client.get(f"{API}/items?period=2026-10&code=HS.01", headers=auditor_headers).get_json()
    assert body["code"] == "HS.01" and "items" not in body
    assert [(u["slug"], u["rank"]) for u in body["units"]] == [("phuong-binh", 1), ("phuong-an", 2)]
    a = body["units"][1]
    assert (a["a"], a["b"], a["c"], a["score"]) == ("80.0000", "77.5000", "80.0000", "79.1667")
    assert (a["assignments"], a["errors"], a["delays"], a["assigned_qty"]) == (1, 1, 0, "10.0000")


def test_api_comparison_shared_items(client, auditor_headers):
    """Without a code: the shared items with the number of units reporting each."""
    body = client.get(f"{API}/items?period=2026-10", headers=auditor_headers).get_json()
    assert body["items"] == [
        {"code": "HS.01", "name": "Hồ sơ SP1 của Phường An", "units": 2, "kind": "work_item"}
    ]
    assert "units" not in body


@pytest.mark.parametrize("period", ["2026-13", "10-2026", "2026-Q5", "abc"])
def test_api_comparison_bad_period_is_422(client, auditor_headers, period):
    """A malformed period is a JSON validation error naming the field, in Vietnamese."""
    for path in ("", "/items"):
        response = client.get(f"{API}{path}?period={period}", headers=auditor_headers)
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["code"] == "validation_error"
        assert error["fields"]["period"] == [
            "Kỳ phải có dạng YYYY-MM (tháng), YYYY-Qn (quý) hoặc YYYY (năm), vd. 2026-10."
        ]


def test_api_comparison_unknown_unit_is_422(client, auditor_headers):
    response = client.get(f"{API}?period=2026-10&tenants=khong-co", headers=auditor_headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unknown_tenant"


def test_api_comparison_refuses_tenant_tokens(client, province, factory):
    """A unit administrator's token, and no token at all, are refused; nothing is read."""
    factory.user(province["a"], "qt.an", ("unit_admin", "staff"))
    headers = bearer(token_for(client, "phuong-an", "qt.an"))
    for path in ("", "/items", "/items?code=HS.01"):
        assert client.get(f"{API}{path}", headers=headers).status_code in (401, 403)
        assert client.get(f"{API}{path}").status_code == 401
    assert cross_tenant_reads() == []


def test_api_comparison_in_openapi(client):
    """Both endpoints appear in the OpenAPI document, with bearer security."""
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (API, f"{API}/items"):
        operation = spec["paths"][path]["get"]
        assert operation["security"] == [{"bearer": []}]
        assert {p["name"] for p in operation["parameters"]} >= {"period", "tenants"}
