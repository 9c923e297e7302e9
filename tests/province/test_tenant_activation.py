"""Activating a unit from its page in the province console: the wizard's rule (an administrator
and an applied configuration) and an explicit confirmation, without any script."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.services.errors import ServiceError
from tenant_app.services.province import onboarding, tenants
from tenant_app.services.rollout import templates
from tests.helpers import bearer, post_form, token_for

PAGE = "/admin/tenants/moi"
ACTIVATE = "/admin/tenants/moi/status/active"


def _status() -> str:
    db.session.expire_all()
    return db.session.execute(sa.select(Tenant.status).where(Tenant.slug == "moi")).scalar_one()


def _ready(factory, published):
    """A unit in onboarding with its administrator and the published configuration."""
    tenant = factory.tenant("moi", name="Phường Mới", status="onboarding")
    onboarding.invite_admin(tenant, username="qt.moi", full_name="Quản Trị")
    templates.apply_initial(tenant, published)
    db.session.commit()
    return tenant


def test_activation_from_unit_page_refused_without_admin_or_configuration(admin_client, factory):
    """Confirmed or not, a bare unit stays in onboarding and the page lists what is missing."""
    factory.tenant("moi", name="Phường Mới", status="onboarding")
    db.session.commit()
    response = post_form(admin_client, ACTIVATE, {"confirm": "yes"}, page=PAGE)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "chưa có quản trị đơn vị" in html and "chưa áp dụng phiên bản cấu hình" in html
    assert _status() == "onboarding"


def test_activation_from_unit_page_asks_for_confirmation(admin_client, factory, published):
    """A ready unit is not activated by the button alone: a page says what will happen and
    asks to tick a confirmation box (a form field, no script)."""
    _ready(factory, published)
    response = post_form(admin_client, ACTIVATE, {}, page=PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Xác nhận chuyển trạng thái" in html and 'name="confirm"' in html
    assert _status() == "onboarding"
    unticked = post_form(admin_client, ACTIVATE, {"asked": "1"}, page=PAGE)
    assert unticked.status_code == 400
    assert _status() == "onboarding"


def test_activation_from_unit_page_accepted_with_admin_configuration_and_confirmation(
    admin_client, factory, published
):
    """With both pieces and the box ticked, the unit becomes active."""
    _ready(factory, published)
    response = post_form(admin_client, ACTIVATE, {"confirm": "yes"}, page=PAGE)
    assert response.status_code == 302
    assert _status() == "active"


def test_status_service_applies_the_wizard_rule(app, factory):
    """The lifecycle service itself (used by the API too) refuses to activate a bare unit."""
    tenant = factory.tenant("moi", status="onboarding")
    db.session.commit()
    with pytest.raises(ServiceError) as caught:
        tenants.set_status(tenant, "pilot")
    assert caught.value.status == 409 and "chưa có quản trị đơn vị" in caught.value.message
    db.session.rollback()
    assert _status() == "onboarding"


def test_province_api_refuses_to_activate_a_bare_unit(client, factory, province_admin):
    """The API follows the same rule: 409 with what is missing, the unit stays onboarding."""
    factory.tenant("moi", status="onboarding")
    db.session.commit()
    headers = bearer(token_for(client, None, "tinh.admin"))
    response = client.patch(
        "/api/v1/province/tenants/moi", json={"status": "active"}, headers=headers
    )
    assert response.status_code == 409
    assert "chưa có quản trị đơn vị" in response.get_json()["error"]["message"]
    assert _status() == "onboarding"
