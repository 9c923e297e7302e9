"""``/api/v1/province/templates``: create, drafts, publish, immutability, diff, roles, OpenAPI."""

from __future__ import annotations

import pytest

from tenant_app.extensions import db
from tenant_app.services.workspace import tokens
from tests.helpers import bearer, token_for


@pytest.fixture()
def headers(province_admin):
    token, _row = tokens.issue_token(province_admin)
    return bearer(token)


def _template(client, headers) -> int:
    response = client.post(
        "/api/v1/province/templates",
        json={"code": "PHUONG", "name": "Bộ chỉ số cấp phường"},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_api_creates_draft_and_publishes_it(client, headers, payload):
    """A draft made from a payload is read back canonical, then published."""
    tid = _template(client, headers)
    response = client.post(
        f"/api/v1/province/templates/{tid}/versions", json={"payload": payload}, headers=headers
    )
    assert response.status_code == 201
    version = response.get_json()
    assert (version["number"], version["status"]) == (1, "draft")
    assert version["payload"]["items"][1]["coefficient"] == "0.5"
    url = f"/api/v1/province/templates/{tid}/versions/{version['id']}"
    assert client.post(f"{url}/publish", headers=headers).get_json()["status"] == "published"
    listed = client.get(f"/api/v1/province/templates/{tid}/versions", headers=headers).get_json()
    assert [(v["number"], v["status"]) for v in listed] == [(1, "published")]


def test_api_invalid_payload_answers_422_with_vietnamese_fields(client, headers, payload):
    """A bad payload is refused with the stable code and a message per path."""
    tid = _template(client, headers)
    payload["items"][0]["coefficient"] = "không"
    response = client.post(
        f"/api/v1/province/templates/{tid}/versions", json={"payload": payload}, headers=headers
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_payload"
    assert error["fields"] == {"items.0.coefficient": ["Phải là số."]}


def test_api_patch_of_published_version_is_409(client, headers, published, payload):
    """Updating a published version is refused with version_published."""
    url = f"/api/v1/province/templates/{published.template_id}/versions/{published.id}"
    response = client.patch(url, json={"notes": "sửa"}, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "version_published"


def test_api_patch_updates_a_draft(client, headers, template, payload):
    """A draft's payload can be replaced through the API."""
    from tenant_app.services.rollout import templates

    draft = templates.create_draft(template, payload)
    db.session.commit()
    payload["items"][0]["coefficient"] = "0.6"
    url = f"/api/v1/province/templates/{template.id}/versions/{draft.id}"
    response = client.patch(url, json={"payload": payload}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["payload"]["items"][1]["coefficient"] == "0.6"


def test_api_diff_against_another_version(client, headers, published, payload):
    """GET …/diff?against= lists the changes from that version to this one."""
    tid = published.template_id
    payload["items"][1]["target"] = "95"
    draft = client.post(
        f"/api/v1/province/templates/{tid}/versions", json={"payload": payload}, headers=headers
    ).get_json()
    response = client.get(
        f"/api/v1/province/templates/{tid}/versions/{draft['id']}/diff?against={published.id}",
        headers=headers,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["base"], body["target"]) == (published.id, draft["id"])
    assert body["changes"] == [
        {"section": "items", "key": "TH.CT01", "change": "changed", "field": "target",
         "old": "98", "new": "95"}
    ]  # fmt: skip


def test_api_draft_from_a_units_configuration(client, headers, published, factory):
    """from_tenant makes the draft from that unit's tables (here: a unit given v1)."""
    from tenant_app.services.rollout import templates

    tenant = factory.tenant("moi", status="onboarding")
    templates.apply_initial(tenant, published)
    db.session.commit()
    response = client.post(
        f"/api/v1/province/templates/{published.template_id}/versions",
        json={"from_tenant": "moi"},
        headers=headers,
    )
    assert response.status_code == 201
    assert response.get_json()["payload"]["items"] == published.payload["items"]


def test_api_auditor_token_is_403(client, auditor, published):
    """An auditor's token cannot list or change templates."""
    token, _row = tokens.issue_token(auditor)
    assert client.get("/api/v1/province/templates", headers=bearer(token)).status_code == 403


def test_api_tenant_token_is_401(client, tenant_a, admin_a, published):
    """A unit's token is not a province token at all."""
    token = token_for(client, "phuong-a", "admin.a")
    assert client.get("/api/v1/province/templates", headers=bearer(token)).status_code == 401


def test_openapi_documents_template_routes(client):
    """The OpenAPI document lists the template and version operations."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    base = "/api/v1/province/templates/{template_id}/versions"
    assert {"get", "post"} <= set(paths["/api/v1/province/templates"])
    assert {"get", "post"} <= set(paths[base])
    assert {"get", "patch"} <= set(paths[base + "/{version_id}"])
    assert "post" in paths[base + "/{version_id}/publish"]
    assert "get" in paths[base + "/{version_id}/diff"]
