"""The province API's window extension (``PUT /api/v1/province/tenants/<slug>/periods/<id>/
extensions``): the console's extension through the same door write, refusals in JSON."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, ProvinceAuditEvent
from tenant_app.models.calendar import WindowExtension
from tenant_app.models.evaluation import Period
from tenant_app.tenancy import tenant_context
from tests.evaluation.test_calendar_views import REASON, _future_period
from tests.helpers import bearer, token_for


@pytest.fixture()
def province(client, province_admin):
    return bearer(token_for(client, None, "tinh.admin"))


def _url(slug, period_id) -> str:
    return f"/api/v1/province/tenants/{slug}/periods/{period_id}/extensions"


def _body(until, days=3, **extra) -> dict:
    return {
        "window": "review",
        "new_until": (until + timedelta(days=days)).isoformat(),
        "reason": REASON,
        **extra,
    }


def test_province_api_extends_a_units_window_on_both_chains(
    client, ward_a, tenant_a, tenant_b, province
):
    """200 with the extensions made (review, approval moved along); the period moves; the
    extension is on the unit's chain and the province's; unit B has nothing."""
    period_id, until = _future_period(tenant_a)
    response = client.put(_url("phuong-a", period_id), json=_body(until), headers=province)
    assert response.status_code == 200, response.get_json()
    made = response.get_json()
    assert [x["window"] for x in made] == ["review", "approval"]
    assert {x["reason"] for x in made} == {REASON}
    with tenant_context(tenant_a):
        period = db.session.get(Period, (tenant_a.id, period_id))
        assert period.review_until == until + timedelta(days=3)
        assert db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "period.window_extended")
        ).scalar_one()
        db.session.commit()
    event = db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "period.window_extended")
    ).scalar_one()
    assert event.after["tenant"] == "phuong-a" and event.after["window"] == "review"
    with tenant_context(tenant_b):
        assert db.session.execute(sa.select(sa.func.count(WindowExtension.id))).scalar_one() == 0
        db.session.commit()


def test_province_api_unknown_unit_or_period_is_404(client, ward_a, tenant_a, tenant_b, province):
    """An unknown unit, an unknown period, and unit A's period asked under unit B: 404."""
    period_id, until = _future_period(tenant_a)
    assert (
        client.put(_url("nowhere", period_id), json=_body(until), headers=province).status_code
        == 404
    )
    unknown = client.put(_url("phuong-a", uuid.uuid4()), json=_body(until), headers=province)
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"]
    other = client.put(_url("phuong-b", period_id), json=_body(until), headers=province)
    assert other.status_code == 404
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(sa.func.count(WindowExtension.id))).scalar_one() == 0
        db.session.commit()


def test_province_api_bad_date_or_short_reason_is_400(client, ward_a, tenant_a, province):
    """A date not after the current deadline and a reason under ten characters: 400 in
    Vietnamese naming the field; a malformed date fails the schema (422)."""
    period_id, until = _future_period(tenant_a)
    url = _url("phuong-a", period_id)
    earlier = client.put(url, json=_body(until, days=-20), headers=province)
    assert earlier.status_code == 400
    assert "Hạn mới phải sau hạn hiện tại" in str(earlier.get_json())
    short = client.put(url, json=_body(until, reason="ngắn"), headers=province)
    assert short.status_code == 400
    assert "Cần ghi rõ lý do gia hạn" in str(short.get_json())
    malformed = client.put(
        url, json={"window": "review", "new_until": "31/12/2026", "reason": REASON},
        headers=province,
    )  # fmt: skip
    assert malformed.status_code == 422
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(sa.func.count(WindowExtension.id))).scalar_one() == 0
        db.session.commit()


def test_province_api_extension_refuses_auditor_and_unit_tokens(
    client, ward_a, tenant_a, admin_a, auditor
):
    """An auditor's province token: 403; a unit administrator's token is not a province token."""
    period_id, until = _future_period(tenant_a)
    url = _url("phuong-a", period_id)
    audit = bearer(token_for(client, None, "tinh.thanhtra"))
    assert client.put(url, json=_body(until), headers=audit).status_code == 403
    unit = bearer(token_for(client, "phuong-a", "admin.a"))
    assert client.put(url, json=_body(until), headers=unit).status_code in (401, 403)
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(sa.func.count(WindowExtension.id))).scalar_one() == 0
        db.session.commit()
