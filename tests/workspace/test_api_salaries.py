"""Staff API: salary history and concurrent posts for the unit administrator, 404 across units."""

from __future__ import annotations

import pytest

from tests.helpers import bearer, token_for

BASE = "/api/v1/t/phuong-a"


@pytest.fixture()
def admin_headers(client, admin_a):
    return bearer(token_for(client, "phuong-a", "admin.a"))


def test_api_salary_change_recorded_and_listed(client, admin_headers, org_a):
    """A change posted by the administrator is listed with its amount as a string of VND."""
    url = f"{BASE}/staff/{org_a['clerk']}/salary-changes"
    response = client.post(
        url, json={"effective_from": "2026-03-01", "monthly_salary": 9500000},
        headers=admin_headers,
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    listed = client.get(url, headers=admin_headers).get_json()
    assert [(c["effective_from"], c["monthly_salary"]) for c in listed] == [
        ("2026-03-01", "9500000")
    ]


def test_api_concurrent_post_validated(client, admin_headers, org_a):
    """A post ending before it starts is 400 naming effective_to; a good one is 201."""
    url = f"{BASE}/staff/{org_a['head']}/concurrent-posts"
    bad = {"position_id": str(org_a["clerk_pos"]), "effective_from": "2026-05-01",
           "effective_to": "2026-04-01"}  # fmt: skip
    response = client.post(url, json=bad, headers=admin_headers)
    assert response.status_code == 400
    assert "effective_to" in response.get_json()["error"]["fields"]
    good = {"position_id": str(org_a["clerk_pos"]), "effective_from": "2026-05-01",
            "monthly_salary": 15000000}  # fmt: skip
    assert client.post(url, json=good, headers=admin_headers).status_code == 201
    assert len(client.get(url, headers=admin_headers).get_json()) == 1


def test_api_salaries_of_another_unit_are_404(client, tenant_b, admin_b, org_a):
    """Unit B's administrator gets 404 for unit A's person, reading or writing."""
    headers = bearer(token_for(client, "phuong-b", "admin.b"))
    url = f"/api/v1/t/phuong-b/staff/{org_a['clerk']}/salary-changes"
    assert client.get(url, headers=headers).status_code == 404
    response = client.post(
        url, json={"effective_from": "2026-03-01", "monthly_salary": 1}, headers=headers
    )
    assert response.status_code == 404
