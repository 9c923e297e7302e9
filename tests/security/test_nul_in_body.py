"""A NUL character in a form or a JSON body is refused at the edge (400) before any schema or
service, never reaching PostgreSQL (which raises on NUL in any text value); nothing is saved."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import Report
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import assign, ward_today
from tests.helpers import bearer, login, post_form, token_for

PAGE = "/t/phuong-a/my/work"


def _reports(tenant):
    with tenant_context(tenant):
        return db.session.execute(sa.select(Report)).scalars().all()


def test_a_nul_in_a_form_field_is_refused(client, factory, tenant_a):
    """The report form with a NUL in its note answers 400 with the message; no report is saved,
    and the same form without the NUL is saved."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward)
    login(client, "phuong-a", "vanthu")
    data = {"completed": "3", "completed_on": date.today().isoformat(), "note": "a\x00b"}
    response = post_form(client, f"{PAGE}/{aid}", data, page=PAGE)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert _reports(tenant_a) == []
    response = post_form(client, f"{PAGE}/{aid}", {**data, "note": "ab"}, page=PAGE)
    assert response.status_code == 302
    assert len(_reports(tenant_a)) == 1


def test_a_nul_in_a_json_body_is_refused(client, factory, tenant_a):
    """An API report with a NUL in a string nested in a list answers 400 ``bad_request`` naming
    the body (``json``); no report is saved, and the same body without it is created."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward)
    headers = bearer(token_for(client, "phuong-a", "vanthu"))
    body = {"assignment_id": str(aid), "completed": "3", "links": ["https://a.vn/\x00"]}
    response = client.post("/api/v1/t/phuong-a/reports", json=body, headers=headers)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and list(error["fields"]) == ["json"]
    assert _reports(tenant_a) == []
    body["links"] = ["https://a.vn/x"]
    response = client.post("/api/v1/t/phuong-a/reports", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()


def test_a_nul_in_a_json_key_is_refused(client, factory, tenant_a):
    """A NUL in a JSON key is refused the same way (not left to the schema's unknown-field
    answer)."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward)
    headers = bearer(token_for(client, "phuong-a", "vanthu"))
    body = {"assignment_id": str(aid), "completed": "3", "no\x00te": "x"}
    response = client.post("/api/v1/t/phuong-a/reports", json=body, headers=headers)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and list(error["fields"]) == ["json"]
