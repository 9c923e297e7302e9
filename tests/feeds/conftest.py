"""Fixtures of the data feeds: ward A with a one-stop source, its mappings and its token."""

from __future__ import annotations

from datetime import datetime

import pytest

from tenant_app.extensions import db
from tenant_app.services.evaluation import periods
from tenant_app.services.feeds import intake, sources
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward

BASE = "/api/v1/t/phuong-a"
# The moment batches arrive in these tests (UTC): before November's data close (3 Dec 17:00
# local = 10:00 UTC) unless a test moves the clock.
ON_TIME = datetime(2026, 11, 28, 3, 0)


def make_source(tenant, ward, *, code="mot-cua", policy="hold", suffix=""):
    """A one-stop source mapping officers CB-CHANH/CB-VAN and procedure TTHC-01 → item T1."""
    with tenant_context(tenant):
        source = sources.create_source(
            {"code": code, "name": "Hệ thống một cửa", "kind": "one_stop", "late_policy": policy}
        )
        sources.map_officer(source, "CB-CHANH", f"NS1{suffix}")
        sources.map_officer(source, "CB-VAN", f"NS2{suffix}")
        sources.map_item(source, "TTHC-01", f"T1{suffix}")
        token, _row = sources.issue_token(source)
        db.session.commit()
        return source.id, token


@pytest.fixture()
def clock(monkeypatch):
    """Set the moment batches are received (``clock.now = …``)."""

    class Clock:
        now = ON_TIME

    monkeypatch.setattr(intake, "utcnow", lambda: Clock.now)
    return Clock


@pytest.fixture()
def fed_ward(factory, tenant_a, clock):
    ward = build_ward(factory, tenant_a)
    with tenant_context(tenant_a):
        ward["december"] = periods.open_period(year=2026, number=12, kind="month").id
        db.session.commit()
    ward["source"], ward["token"] = make_source(tenant_a, ward)
    return ward


def record(external_id, event, *, officer="CB-VAN", code="TTHC-01", at="2026-11-10T09:00:00",
           due="2026-11-20", value=None):  # fmt: skip
    out = {"external_id": external_id, "event": event, "officer": officer, "item_code": code,
           "occurred_at": at}  # fmt: skip
    if due is not None:
        out["due_on"] = due
    if value is not None:
        out["value"] = value
    return out


def post(client, token, records, source="mot-cua", base=BASE):
    return client.post(
        f"{base}/feeds/{source}/records",
        json={"records": records},
        headers={"Authorization": f"Bearer {token}"},
    )
