"""Workspace API: CRUD, filters and pagination, roles, other tenants' ids, bad input → 422."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, CatalogueItem, JobPosition, OrgUnit, StaffMember
from tenant_app.services.workspace import staff
from tenant_app.tenancy import tenant_context
from tests.helpers import bearer, token_for

BASE = "/api/v1/t/phuong-a"


@pytest.fixture()
def admin_headers(client, admin_a):
    return bearer(token_for(client, "phuong-a", "admin.a"))


@pytest.fixture()
def staff_headers(client, staff_a):
    return bearer(token_for(client, "phuong-a", "staff.a"))


def _count(tenant, model) -> int:
    with tenant_context(tenant):
        return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_api_org_units_create_and_read_history(client, tenant_a, admin_headers, org_a):
    """A created unit is returned with its first history entry and audited."""
    response = client.post(
        f"{BASE}/org-units",
        json={"code": "KT", "name": "Phòng Kinh tế, Hạ tầng và Đô thị", "kind": "body",
              "parent_id": str(org_a["root"]), "effective_from": "2025-07-01"},
        headers=admin_headers,
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["history"] == [
        {"effective_from": "2025-07-01", "name": "Phòng Kinh tế, Hạ tầng và Đô thị",
         "parent_id": str(org_a["root"])}
    ]  # fmt: skip
    with tenant_context(tenant_a):
        actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
    assert "org_unit.created" in actions


def test_api_org_units_cycle_is_400_naming_parent(client, admin_headers, org_a):
    """Moving the committee under its office answers 400 naming parent_id in Vietnamese."""
    response = client.patch(
        f"{BASE}/org-units/{org_a['root']}",
        json={"parent_id": str(org_a["body"])},
        headers=admin_headers,
    )
    assert response.status_code == 400
    assert "cấp dưới" in response.get_json()["error"]["fields"]["parent_id"][0]


def test_api_positions_duplicate_code_is_409_with_field(client, admin_headers, org_a):
    """A used position code answers 409 with a Vietnamese message on ``code``."""
    response = client.post(
        f"{BASE}/positions",
        json={"code": "CV", "name": "Khác", "position_group": "support"},
        headers=admin_headers,
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["fields"]["code"] == [
        "Mã vị trí việc làm đã được sử dụng trong đơn vị."
    ]


def test_api_positions_read_lists_applicable_items(client, admin_headers, org_a):
    """A position's detail lists the catalogue items that apply to it."""
    body = client.get(f"{BASE}/positions/{org_a['clerk_pos']}", headers=admin_headers).get_json()
    assert [i["code"] for i in body["items"]] == ["SP01"]


def test_api_staff_list_is_paginated_and_filtered(client, admin_headers, org_a):
    """Staff list pages with page/page_size and filters by unit, position, type and text."""
    response = client.get(f"{BASE}/staff?page=1&page_size=1", headers=admin_headers)
    assert response.status_code == 200
    assert len(response.get_json()) == 1
    assert json.loads(response.headers["X-Pagination"])["total"] == 2
    by_position = client.get(
        f"{BASE}/staff?position_id={org_a['clerk_pos']}", headers=admin_headers
    ).get_json()
    assert [p["code"] for p in by_position] == ["NS2"]
    by_unit = client.get(f"{BASE}/staff?org_unit_id={org_a['root']}", headers=admin_headers)
    assert len(by_unit.get_json()) == 2
    found = client.get(f"{BASE}/staff?q=chánh", headers=admin_headers).get_json()
    assert [p["code"] for p in found] == ["NS1"]
    assert client.get(f"{BASE}/staff?staff_type=vien_chuc", headers=admin_headers).get_json() == []


def test_api_staff_patch_keeps_position_history(client, admin_headers, org_a):
    """Changing a person's position through the API keeps the old one in ``history``."""
    response = client.patch(
        f"{BASE}/staff/{org_a['clerk']}",
        json={"position_id": str(org_a["head_pos"]), "effective_from": "2026-04-01",
              "decision_ref": "15/QĐ-UBND"},
        headers=admin_headers,
    )  # fmt: skip
    assert response.status_code == 200, response.get_json()
    history = response.get_json()["history"]
    assert [(h["position_id"], h["effective_to"]) for h in history] == [
        (str(org_a["clerk_pos"]), "2026-04-01"),
        (str(org_a["head_pos"]), None),
    ]
    assert response.get_json()["position_id"] == str(org_a["head_pos"])


def test_api_staff_manager_of_other_tenant_is_refused(client, admin_headers, org_a, org_b):
    """Naming tenant B's person as manager answers 400 on manager_id and writes nothing."""
    response = client.patch(
        f"{BASE}/staff/{org_a['clerk']}",
        json={"manager_id": str(org_b["head"])},
        headers=admin_headers,
    )
    assert response.status_code == 400
    assert "manager_id" in response.get_json()["error"]["fields"]


def test_api_catalogue_coefficient_change_creates_version(client, admin_headers, org_a):
    """PATCH with a new coefficient adds a version; ?at= an old date shows the old coefficient."""
    url = f"{BASE}/catalogue/items/{org_a['item']}"
    response = client.patch(
        url, json={"coefficient": "2.5", "effective_from": "2026-06-01"}, headers=admin_headers
    )
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["versions"]) == 2
    old = client.get(url + "?at=2026-05-31", headers=admin_headers).get_json()
    new = client.get(url + "?at=2026-06-01", headers=admin_headers).get_json()
    assert (old["version"]["coefficient"], new["version"]["coefficient"]) == ("1.500", "2.500")


def test_api_catalogue_list_filters_by_kind_and_position(client, admin_headers, org_a):
    """The catalogue filters by kind and by the position an item applies to."""
    created = client.post(
        f"{BASE}/catalogue/items",
        json={"kind": "indicator", "code": "CT01", "name": "Tỷ lệ hồ sơ đúng hạn",
              "unit_of_measure": "%", "direction": "higher", "scoring_method": "ratio_capped",
              "aggregation": "average", "target": "95", "weight": "20"},
        headers=admin_headers,
    )  # fmt: skip
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["version"]["cap_percent"] == "100.00"
    indicators = client.get(f"{BASE}/catalogue/items?kind=indicator", headers=admin_headers)
    assert [i["code"] for i in indicators.get_json()] == ["CT01"]
    clerk = client.get(
        f"{BASE}/catalogue/items?position_id={org_a['clerk_pos']}", headers=admin_headers
    )
    assert [i["code"] for i in clerk.get_json()] == ["SP01"]


def test_api_catalogue_delete_deactivates(client, tenant_a, admin_headers, org_a):
    """DELETE on a local item deactivates it and keeps its versions."""
    url = f"{BASE}/catalogue/items/{org_a['item']}"
    assert client.delete(url, headers=admin_headers).status_code == 204
    body = client.get(url, headers=admin_headers).get_json()
    assert body["active"] is False
    assert len(body["versions"]) == 1


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", "/org-units", {"code": "X", "name": "X", "kind": "body"}),
        ("post", "/positions", {"code": "X", "name": "X", "position_group": "support"}),
        ("post", "/catalogue/items",
         {"kind": "work_item", "code": "X", "name": "X", "unit_of_measure": "x",
          "coefficient": 1}),
    ],
)  # fmt: skip
def test_api_workspace_staff_member_cannot_write(client, staff_headers, method, path, payload):
    """A staff-only account gets 403 on every workspace write."""
    response = getattr(client, method)(BASE + path, json=payload, headers=staff_headers)
    assert response.status_code == 403


def test_api_workspace_staff_member_cannot_read(client, staff_headers, org_a):
    """A staff-only account cannot list the unit's people."""
    assert client.get(f"{BASE}/staff", headers=staff_headers).status_code == 403


def test_api_workspace_manager_reads_but_cannot_write(client, factory, tenant_a, org_a):
    """A manager may list positions but not create one."""
    factory.user(tenant_a, "truong.phong", ("manager", "staff"))
    headers = bearer(token_for(client, "phuong-a", "truong.phong"))
    assert client.get(f"{BASE}/positions", headers=headers).status_code == 200
    response = client.post(
        f"{BASE}/positions",
        json={"code": "Y", "name": "Y", "position_group": "support"},
        headers=headers,
    )
    assert response.status_code == 403


def test_api_workspace_manager_without_staff_record_sees_no_people(
    client, factory, tenant_a, org_a
):
    """A manager whose account has no staff record sees nobody, and 404 for a person's id."""
    factory.user(tenant_a, "truong.phong", ("manager", "staff"))
    headers = bearer(token_for(client, "phuong-a", "truong.phong"))
    assert client.get(f"{BASE}/staff", headers=headers).get_json() == []
    assert client.get(f"{BASE}/staff/{org_a['clerk']}", headers=headers).status_code == 404


def test_api_staff_manager_reads_own_units_without_salaries(
    client, factory, tenant_a, org_a, admin_headers
):
    """A manager linked to the office head lists the office's people, salaries hidden."""
    boss = factory.user(tenant_a, "chanh.vp", ("manager", "staff"))
    with tenant_context(tenant_a):
        staff.update_staff(staff.get_staff(org_a["head"]), {"user_id": boss.id})
        db.session.commit()
    headers = bearer(token_for(client, "phuong-a", "chanh.vp"))
    people = client.get(f"{BASE}/staff", headers=headers).get_json()
    assert sorted(p["code"] for p in people) == ["NS1", "NS2"]
    assert {p["monthly_salary"] for p in people} == {None}
    as_admin = client.get(f"{BASE}/staff/{org_a['head']}", headers=admin_headers).get_json()
    assert as_admin["monthly_salary"] == "12000000"


@pytest.mark.parametrize(
    ("path", "key"),
    [("org-units", "root"), ("positions", "clerk_pos"), ("staff", "clerk"),
     ("catalogue/items", "item")],
)  # fmt: skip
def test_api_workspace_other_tenant_ids_are_404(client, admin_headers, org_a, org_b, path, key):
    """Tenant B's ids through tenant A's API: 404 to read, change and delete."""
    url = f"{BASE}/{path}/{org_b[key]}"
    assert client.get(url, headers=admin_headers).status_code == 404
    assert client.patch(url, json={}, headers=admin_headers).status_code == 404
    assert client.delete(url, headers=admin_headers).status_code == 404


@pytest.mark.parametrize(
    ("path", "payload", "field", "model"),
    [
        ("org-units", {"code": "X", "name": "X", "kind": "body", "colour": "red"}, "colour",
         OrgUnit),
        ("org-units", {"code": "X", "name": "X" * 201, "kind": "body"}, "name", OrgUnit),
        ("positions", {"code": "X", "name": "X", "position_group": 5}, "position_group",
         JobPosition),
        ("staff", {"code": "X", "full_name": "X", "staff_type": "cong_chuc",
                   "start_date": "not-a-date", "org_unit_id": "x", "position_id": "x"},
         "start_date", StaffMember),
        ("catalogue/items", {"kind": "work_item", "code": "X", "name": "X",
                             "unit_of_measure": "x", "coefficient": "abc"}, "coefficient",
         CatalogueItem),
        ("catalogue/items", {"kind": "work_item", "code": "X", "name": "X",
                             "unit_of_measure": "x", "coefficient": 0}, "coefficient",
         CatalogueItem),
    ],
)  # fmt: skip
def test_api_workspace_bad_input_is_422_and_writes_nothing(
    client, tenant_a, admin_headers, path, payload, field, model
):
    """Unknown fields, wrong types, over-long strings: 422 naming the field in Vietnamese."""
    before = _count(tenant_a, model)
    response = client.post(f"{BASE}/{path}", json=payload, headers=admin_headers)
    assert response.status_code == 422
    messages = response.get_json()["error"]["fields"][field]
    assert messages and all(isinstance(m, str) for m in messages)
    assert not any(
        m.startswith(("Not a valid", "Unknown field", "Longer", "Must")) for m in messages
    )
    assert _count(tenant_a, model) == before


def test_api_workspace_endpoints_are_in_openapi(client):
    """The OpenAPI document lists the four workspace resources."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("org-units", "positions", "staff", "catalogue/items"):
        assert f"/api/v1/t/{{tenant_slug}}/{path}" in paths
        assert f"/api/v1/t/{{tenant_slug}}/{path}/{{" in " ".join(paths)
