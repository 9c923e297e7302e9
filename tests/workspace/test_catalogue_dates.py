"""A catalogue item added mid-month serves the open period; its effective date can be moved."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, CatalogueVersion, User
from tenant_app.models.evaluation import Period
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import assignments, periods
from tenant_app.services.workspace import catalogue, catalogue_dates
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import TODAY, build_ward
from tests.helpers import login, post_form

BASE = "/t/phuong-a"


class _Today(date):
    @classmethod
    def today(cls):
        return TODAY


@pytest.fixture()
def frozen_today(monkeypatch):
    """The catalogue and the periods see TODAY (20/11/2026, period 2026-11 open since 01/11)."""
    for module in (catalogue, catalogue_dates, periods):
        monkeypatch.setattr(module, "date", _Today)


@pytest.fixture()
def ward(factory, tenant_a, admin_a, frozen_today):
    return build_ward(factory, tenant_a)


@pytest.fixture()
def admin_client(client, ward):
    login(client, "phuong-a", "admin.a")
    return client


def _form_date(html: str) -> str:
    match = re.search(r'name="effective_from"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="effective_from"', html
    )
    return match.group(1) if match else ""


def _new_item(client, code: str, ward, effective_from: str):
    return post_form(
        client, BASE + "/catalogue/new",
        {"kind": "work_item", "code": code, "name": f"Sản phẩm {code}", "unit_of_measure": "hồ sơ",
         "coefficient": "1.5", "position_ids": [str(ward["clerk_pos"])],
         "effective_from": effective_from},
    )  # fmt: skip


def _assign(tenant, ward, item):
    with tenant_context(tenant):
        period = db.session.get(Period, (tenant.id, ward["period"]))
        return assignments.assign(
            period,
            db.session.get(StaffMember, (tenant.id, ward["clerk"])),
            item,
            quantity=2,
            due_on=period.ends_on,
            actor=db.session.get(User, (tenant.id, ward["head_user"])),
        )


def _stored_dates(tenant, code):
    with tenant_context(tenant):
        item = catalogue.find_item(code)
        return [v.effective_from for v in catalogue.versions(item)]


def test_catalogue_new_item_mid_month_defaults_to_open_period_start(admin_client, ward):
    """On 20/11 with period 2026-11 open, the new-item form proposes 01/11 and says why."""
    html = admin_client.get(BASE + "/catalogue/new").get_data(as_text=True)
    assert _form_date(html) == "2026-11-01"
    assert "01/11/2026, ngày bắt đầu kỳ đang mở" in html


def test_catalogue_new_item_mid_month_can_be_assigned_in_open_period(admin_client, tenant_a, ward):
    """An item saved with the form's proposed date is assigned in the running month."""
    proposed = _form_date(admin_client.get(BASE + "/catalogue/new").get_data(as_text=True))
    response = _new_item(admin_client, "MOI1", ward, proposed)
    assert response.status_code == 302, response.get_data(as_text=True)
    with tenant_context(tenant_a):
        item = catalogue.find_item("MOI1")
    assignment = _assign(tenant_a, ward, item)
    assert assignment.coefficient == 1.5


def test_catalogue_new_item_without_date_serves_open_period(tenant_a, ward):
    """The service's own default (no date given) is the open period's first day too."""
    with tenant_context(tenant_a):
        catalogue.create_item(
            {"kind": "work_item", "code": "MOI2", "name": "Mới", "unit_of_measure": "cái",
             "coefficient": "1"}
        )  # fmt: skip
        db.session.commit()
    assert _stored_dates(tenant_a, "MOI2") == [date(2026, 11, 1)]


def test_catalogue_default_date_is_today_without_open_period(tenant_a, tenant_b, org_a):
    """Another unit's open period does not count: with none open here, the default is today."""
    with tenant_context(tenant_b):
        periods.open_period(year=2026, number=10, kind="month")
        db.session.commit()
    with tenant_context(tenant_a):
        assert catalogue_dates.earliest_open_start() is None
        assert catalogue_dates.default_effective_from() == date.today()


def test_catalogue_edit_moves_effective_date_back(admin_client, tenant_a, ward):
    """Dated 20/11 by hand, the item is re-dated 01/11 in the edit form: stored, audited, usable."""
    assert _new_item(admin_client, "MOI3", ward, "2026-11-20").status_code == 302
    with tenant_context(tenant_a):
        item_id = catalogue.find_item("MOI3").id
    response = post_form(
        admin_client, f"{BASE}/catalogue/{item_id}",
        {"code": "MOI3", "name": "Sản phẩm MOI3", "unit_of_measure": "hồ sơ",
         "coefficient": "1.5", "position_ids": [str(ward["clerk_pos"])],
         "effective_from": "2026-11-01"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _stored_dates(tenant_a, "MOI3") == [date(2026, 11, 1)]
    with tenant_context(tenant_a):
        event = (
            db.session.execute(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "catalogue_item.updated")
                .order_by(AuditEvent.occurred_at.desc())
            )
            .scalars()
            .first()
        )
        assert event.before["version"]["effective_from"] == "2026-11-20"
        assert event.after["version"]["effective_from"] == "2026-11-01"
        item = catalogue.get_item(item_id)
    _assign(tenant_a, ward, item)


def test_catalogue_redate_refused_over_a_closed_period(tenant_a, ward):
    """A move that would change what a closed period resolved is refused on the date field."""
    with tenant_context(tenant_a):
        item = catalogue.create_item(
            {"kind": "work_item", "code": "MOI4", "name": "Mới", "unit_of_measure": "cái",
             "coefficient": "1", "effective_from": date(2026, 11, 20)}
        )  # fmt: skip
        periods.close_period(db.session.get(Period, (tenant_a.id, ward["period"])))
        db.session.commit()
        with pytest.raises(ServiceError) as caught:
            catalogue.update_item(item, {"effective_from": date(2026, 11, 1)})
        db.session.rollback()
    assert caught.value.field == "effective_from"
    assert "2026-11" in caught.value.message
    assert _stored_dates(tenant_a, "MOI4") == [date(2026, 11, 20)]


def test_catalogue_redate_refused_past_an_assignment(tenant_a, ward):
    """Moving a version later than a period whose assignments used it is refused."""
    with tenant_context(tenant_a):
        item = catalogue.get_item(ward["items"]["T1"])
    _assign(tenant_a, ward, item)
    with tenant_context(tenant_a):
        item = catalogue.get_item(ward["items"]["T1"])
        with pytest.raises(ServiceError) as caught:
            catalogue.update_item(item, {"effective_from": date(2026, 12, 1)})
        db.session.rollback()
        count = db.session.execute(
            sa.select(sa.func.count()).select_from(CatalogueVersion)
            .where(CatalogueVersion.item_id == item.id, CatalogueVersion.effective_from
                   == date(2026, 1, 1))
        ).scalar_one()  # fmt: skip
    assert caught.value.field == "effective_from"
    assert count == 1


def test_catalogue_redate_stays_after_previous_version(tenant_a, org_a):
    """The current version cannot be moved onto or before the previous one."""
    with tenant_context(tenant_a):
        item = catalogue.get_item(org_a["item"])
        catalogue.update_item(item, {"coefficient": "2.0", "effective_from": date(2026, 4, 1)})
        db.session.commit()
        with pytest.raises(ServiceError) as caught:
            catalogue.update_item(item, {"effective_from": date(2026, 1, 1)})
        db.session.rollback()
        catalogue.update_item(item, {"effective_from": date(2026, 3, 1)})
        db.session.commit()
        dates = [v.effective_from for v in catalogue.versions(item)]
    assert caught.value.field == "effective_from"
    assert dates == [date(2026, 1, 1), date(2026, 3, 1)]
