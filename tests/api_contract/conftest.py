"""Fixtures of the API contract tests: a ward with people of every role, and their bearer tokens."""

from __future__ import annotations

import pytest

from tenant_app.extensions import db
from tenant_app.services.workspace import tokens
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.province.conftest import PAYLOAD


@pytest.fixture()
def ward(factory, tenant_a, admin_a):
    """Tenant A with an org chart, positions, staff, three items, an open period, and accounts:
    its unit administrator, the head of the office (manager) and a clerk (staff)."""
    return {**build_ward(factory, tenant_a), "admin_user": admin_a.id}


def _token(tenant, user_id) -> str:
    from tenant_app.models import User

    with tenant_context(tenant):
        user = db.session.get(User, (tenant.id, user_id))
        token, _row = tokens.issue_token(user, name="schemathesis")
    return token


@pytest.fixture()
def published_template(app):
    """A province template with version 1 published (something for rollouts to point at)."""
    import copy

    from tenant_app.services.rollout import templates

    template = templates.create_template({"code": "PHUONG", "name": "Bộ chỉ số cấp phường"})
    templates.publish(templates.create_draft(template, copy.deepcopy(PAYLOAD)))
    db.session.commit()
    return template


@pytest.fixture()
def fast_hashing(monkeypatch):
    """Argon2 at its cheapest: the runs create and reset many passwords."""
    from tenant_app.security import passwords

    # Below the OWASP floor on purpose: tests only, past the start-up check of the settings.
    cheapest = passwords.Argon2Parameters(time_cost=1, memory_kib=8, parallelism=1)
    monkeypatch.setattr(passwords, "configured_parameters", lambda: cheapest)


@pytest.fixture()
def role_tokens(ward, tenant_a, province_admin, published_template, fast_hashing):
    """Bearer tokens by role: unit_admin, manager, staff (tenant A) and province_admin."""
    province, _row = tokens.issue_token(province_admin, name="schemathesis")
    return {
        "unit_admin": _token(tenant_a, ward["admin_user"]),
        "manager": _token(tenant_a, ward["head_user"]),
        "staff": _token(tenant_a, ward["clerk_user"]),
        "province_admin": province,
    }
