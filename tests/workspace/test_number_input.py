"""Numbers typed and shown the Vietnamese way: "1,5" is accepted, 1,5 and 118.182.400 are shown."""

from __future__ import annotations

from datetime import date

import pytest

from tenant_app.services.workspace import catalogue
from tenant_app.tenancy import tenant_context
from tests.helpers import login, post_form

BASE = "/t/phuong-a"


@pytest.fixture()
def admin_client(client, admin_a):
    """The unit administrator of phuong-a, signed in."""
    login(client, "phuong-a", "admin.a")
    return client


def _create(admin_client, coefficient: str):
    return post_form(
        admin_client, BASE + "/catalogue/new",
        {"kind": "work_item", "code": "SP02", "name": "Báo cáo tháng",
         "unit_of_measure": "báo cáo", "coefficient": coefficient,
         "effective_from": "2026-01-01"},
    )  # fmt: skip


def test_catalogue_form_accepts_a_decimal_comma(admin_client, tenant_a, org_a):
    """A coefficient typed "1,5" is saved as 1.5, not refused as "not a number"."""
    response = _create(admin_client, "1,5")
    assert response.status_code == 302, response.get_data(as_text=True)
    with tenant_context(tenant_a):
        item = catalogue.find_item("SP02")
        assert catalogue.version_at(item, date(2026, 1, 1)).coefficient == 1.5


def test_catalogue_pages_show_the_decimal_comma(admin_client, tenant_a, org_a):
    """The list, the edit form's input and its versions table show 1,5, never 1.5."""
    assert _create(admin_client, "1.5").status_code == 302
    with tenant_context(tenant_a):
        item_id = catalogue.find_item("SP02").id
    listing = admin_client.get(BASE + "/catalogue").get_data(as_text=True)
    edit = admin_client.get(f"{BASE}/catalogue/{item_id}").get_data(as_text=True)
    assert ">1,5<" in listing
    assert 'value="1,5"' in edit
    assert ">1,5<" in edit
    assert "1.5" not in listing + edit
