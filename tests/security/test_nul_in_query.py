"""A NUL character in a query string is a bad request (400), never a server error: PostgreSQL
refuses it in any text value (found by schemathesis on the org-units search and the province
audit filter)."""

from __future__ import annotations

from tests.evaluation.view_helpers import ward_today
from tests.helpers import bearer, login, token_for


def test_a_nul_in_an_api_search_is_refused(client, factory, tenant_a):
    ward_today(factory, tenant_a)
    headers = bearer(token_for(client, "phuong-a", "truong"))
    response = client.get("/api/v1/t/phuong-a/org-units?q=a%00b", headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert client.get("/api/v1/t/phuong-a/org-units?q=ab", headers=headers).status_code == 200


def test_a_nul_in_a_page_filter_is_refused(client, factory, tenant_a):
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "truong")
    assert client.get("/t/phuong-a/audit?actor=%00").status_code == 400
