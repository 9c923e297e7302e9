"""The unit administrator's account API: create, list, read, update, disable, reset; bad input."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, User
from tenant_app.tenancy import tenant_context
from tests.helpers import bearer, token_for

BASE = "/api/v1/t/phuong-a/users"


@pytest.fixture()
def admin_headers(client, admin_a):
    return bearer(token_for(client, "phuong-a", "admin.a"))


def _count_users(tenant) -> int:
    with tenant_context(tenant):
        return db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one()


def test_api_users_create_returns_temporary_password(client, tenant_a, admin_headers):
    """Creating without a password returns a one-time temporary password and audits the change."""
    response = client.post(
        BASE,
        json={"username": "Moi.NguoiDung", "full_name": "Lê Thị Hoa", "roles": ["staff"]},
        headers=admin_headers,
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["username"] == "moi.nguoidung"
    assert len(body["temporary_password"]) >= 12
    assert body["must_change_password"] is True
    with tenant_context(tenant_a):
        actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
    assert "account.created" in actions


def _token_answer(client, username, password):
    return client.post(
        "/api/v1/auth/token",
        json={"tenant": "phuong-a", "username": username, "password": password},
    )


def test_api_users_created_user_temporary_password_needs_a_change_first(
    client, tenant_a, admin_headers
):
    """The temporary password is recognised but gives no token until it is changed (403)."""
    body = client.post(
        BASE,
        json={"username": "hoa.lt", "full_name": "Lê Thị Hoa", "roles": ["staff"]},
        headers=admin_headers,
    ).get_json()
    response = _token_answer(client, "hoa.lt", body["temporary_password"])
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "password_change_required"


def test_api_users_list_is_paginated_and_filtered(client, factory, tenant_a, admin_headers):
    """Lists page with page/page_size and filter by role and text."""
    for i in range(5):
        factory.user(tenant_a, f"nv{i}", ("staff",), full_name=f"Nhân Viên {i}")
    response = client.get(BASE + "?page=1&page_size=2", headers=admin_headers)
    assert response.status_code == 200
    assert len(response.get_json()) == 2
    assert json.loads(response.headers["X-Pagination"])["total"] == 6
    admins = client.get(BASE + "?role=unit_admin", headers=admin_headers).get_json()
    assert [u["username"] for u in admins] == ["admin.a"]
    found = client.get(BASE + "?q=viên 3", headers=admin_headers).get_json()
    assert [u["username"] for u in found] == ["nv3"]


def test_api_users_update_roles_and_disable(client, tenant_a, staff_a, admin_headers):
    """PATCH changes roles and disables; the disabled user can no longer get a token."""
    response = client.patch(
        f"{BASE}/{staff_a.id}",
        json={"roles": ["manager", "staff"], "active": False},
        headers=admin_headers,
    )
    assert response.status_code == 200
    assert response.get_json()["roles"] == ["manager", "staff"]
    assert response.get_json()["active"] is False
    refused = client.post(
        "/api/v1/auth/token",
        json={"tenant": "phuong-a", "username": "staff.a", "password": "Mat-khau-2026"},
    )
    assert refused.status_code == 401


def test_api_users_reset_password(client, tenant_a, staff_a, admin_headers):
    """Reset gives a new temporary password (to be changed before use) and ends the old one."""
    body = client.post(f"{BASE}/{staff_a.id}/reset-password", headers=admin_headers).get_json()
    fresh = _token_answer(client, "staff.a", body["temporary_password"])
    assert fresh.get_json()["error"]["code"] == "password_change_required"
    old = _token_answer(client, "staff.a", "Mat-khau-2026")
    assert old.status_code == 401


def test_api_users_admin_cannot_remove_own_admin_role(client, admin_a, admin_headers):
    """The last safeguard: an administrator cannot demote or disable themself."""
    response = client.patch(
        f"{BASE}/{admin_a.id}", json={"roles": ["staff"]}, headers=admin_headers
    )
    assert response.status_code == 400
    assert "roles" in response.get_json()["error"]["fields"]


def test_api_users_staff_token_is_forbidden(client, tenant_a, staff_a):
    """A staff member's token cannot manage accounts (403)."""
    headers = bearer(token_for(client, "phuong-a", "staff.a"))
    assert client.get(BASE, headers=headers).status_code == 403
    response = client.post(
        BASE, json={"username": "abc", "full_name": "X", "roles": ["staff"]}, headers=headers
    )
    assert response.status_code == 403
    assert _count_users(tenant_a) == 1


def test_api_users_without_token_is_401(client, tenant_a):
    """No bearer token, no API."""
    response = client.get(BASE)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_api_users_duplicate_username_is_409(client, tenant_a, staff_a, admin_headers):
    """A username taken in the unit gives 409 naming the field, and writes nothing."""
    before = _count_users(tenant_a)
    response = client.post(
        BASE,
        json={"username": "STAFF.A", "full_name": "Trùng Tên", "roles": ["staff"]},
        headers=admin_headers,
    )
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "duplicate_username"
    assert "username" in error["fields"]
    assert _count_users(tenant_a) == before


def test_api_users_same_username_in_other_tenant_is_fine(client, tenant_a, staff_b, admin_headers):
    """Usernames are unique per unit, not province-wide."""
    response = client.post(
        BASE,
        json={"username": "staff.b", "full_name": "Trùng Ở Đơn Vị Khác", "roles": ["staff"]},
        headers=admin_headers,
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"username": "abc", "full_name": "X", "roles": ["staff"], "extra": 1},
            "extra",
            "Trường không được hỗ trợ.",
        ),
        (
            {"username": "abc", "full_name": 12, "roles": ["staff"]},
            "full_name",
            "Phải là chuỗi ký tự.",
        ),
        (
            {"username": "abc", "full_name": "X" * 121, "roles": ["staff"]},
            "full_name",
            "Độ dài phải từ 1 đến 120 ký tự.",
        ),
        ({"full_name": "X", "roles": ["staff"]}, "username", "Thiếu trường bắt buộc."),
        ({"username": "abc", "full_name": "X", "roles": ["boss"]}, "roles", None),
        (
            {"username": "a b", "full_name": "X", "roles": ["staff"]},
            "username",
            "Không đúng định dạng.",
        ),
        ({"username": "abc", "full_name": "X", "roles": "staff"}, "roles", "Phải là danh sách."),
    ],
)
def test_api_users_bad_input_is_422_with_field_message(
    client, tenant_a, admin_headers, payload, field, message
):
    """Invalid input gives 422 with a Vietnamese message on the field, and writes nothing."""
    before = _count_users(tenant_a)
    response = client.post(BASE, json=payload, headers=admin_headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    if message:
        assert message in json.dumps(error["fields"][field], ensure_ascii=False)
    assert _count_users(tenant_a) == before


def test_api_users_malformed_json_is_400(client, tenant_a, admin_headers):
    """A body that is not JSON gives 400 with a stable code and writes nothing."""
    before = _count_users(tenant_a)
    response = client.post(
        BASE, data="{not json", content_type="application/json", headers=admin_headers
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    assert _count_users(tenant_a) == before


def test_api_users_english_messages_when_asked(client, tenant_a, admin_headers):
    """Field messages follow the language: English when the session chose English."""
    client.get("/lang/en")
    response = client.post(BASE, json={"full_name": "X", "roles": ["staff"]}, headers=admin_headers)
    assert response.get_json()["error"]["fields"]["username"] == [
        "Missing data for required field."
    ]
