"""The comparison's HTXS quota counts the quota population only (issue 17): the kinds of person
``Params.quota_staff_types`` names (civil servants by default), like the unit's own quota.

October 2026, two units, hand-computed (ratio 20 %, floor):

* **Phường Xuân**: công chức 1 HTXS + 5 HTT; viên chức 3 HTXS. Everyone: 4 HTXS, 5 HTT. The
  quota population: 1 HTXS, 5 HTT → allowed floor(0,2 × 5) = 1 → within (use 100 %). Counting
  everyone (the old figures) flagged it: 4 > 1.
* **Phường Yên**: công chức 1 HTXS + 1 HTT (group GV); viên chức 10 HTT (group GV); hợp đồng
  1 HTT. Everyone: 1 HTXS, 12 HTT → allowed 2 → within; the quota population: 1 HTXS, 1 HTT →
  allowed 0 → exceeded; group GV: 1 HTXS, 1 HTT, allowed 0 (everyone: 11 HTT, allowed 2).

The distribution (grades, shares) still counts everyone.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import PeriodAggregate, StaffMember
from tenant_app.models.evaluation import Period
from tenant_app.services.comparison import aggregates
from tenant_app.tenancy import tenant_context
from tests.admin.comparison_data import build_unit
from tests.helpers import bearer, token_for

API = "/api/v1/province/comparison"

# name, total, grade, self total, org unit, then the kind of person and the quota group
XUAN = (
    [(f"Xuân CC {n}", 95, "HTXS", None, "VP", "cong_chuc", None) for n in range(1)]
    + [(f"Xuân CC {n}", 80, "HTT", None, "VP", "cong_chuc", None) for n in range(1, 6)]
    + [(f"Xuân VC {n}", 95, "HTXS", None, "KT", "vien_chuc", None) for n in range(3)]
)
YEN = (
    [("Yên CC 0", 95, "HTXS", None, "VP", "cong_chuc", "GV")]
    + [("Yên CC 1", 80, "HTT", None, "VP", "cong_chuc", "GV")]
    + [(f"Yên VC {n}", 80, "HTT", None, "KT", "vien_chuc", "GV") for n in range(10)]
    + [("Yên HĐ 0", 80, "HTT", None, "KT", "hop_dong", None)]
)


def _unit_with_kinds(tenant, people):
    ids = build_unit(tenant, [p[:5] for p in people], publish=True)
    with tenant_context(tenant):
        for sid, person in zip(ids["staff"], people, strict=True):
            db.session.execute(
                sa.update(StaffMember)
                .where(StaffMember.id == sid)
                .values(staff_type=person[5], quota_group=person[6])
            )
        period = db.session.get(Period, (tenant.id, ids["period"]))
        aggregates.refresh_period(period)
        db.session.commit()
    return ids


@pytest.fixture()
def two_units(factory, auditor):
    xuan = factory.tenant("phuong-xuan", name="Phường Xuân")
    yen = factory.tenant("phuong-yen", name="Phường Yên")
    _unit_with_kinds(xuan, XUAN)
    _unit_with_kinds(yen, YEN)
    return xuan, yen


def _row(tenant):
    with tenant_context(tenant):
        return db.session.execute(
            sa.select(PeriodAggregate).where(
                PeriodAggregate.scope == "2026-10", PeriodAggregate.visibility == "all"
            )
        ).scalar_one()


def test_aggregate_quota_counts_only_the_quota_population(two_units):
    xuan, yen = two_units
    x = _row(xuan)
    assert (x.people, x.htxs, x.htt) == (9, 4, 5)  # the distribution: everyone
    assert (x.quota_htxs, x.quota_htt, x.quota_allowed) == (1, 5, 1)
    assert x.quota_groups == []
    y = _row(yen)
    assert (y.people, y.htxs, y.htt) == (13, 1, 12)
    assert (y.quota_htxs, y.quota_htt, y.quota_allowed) == (1, 1, 0)
    assert y.quota_groups == [{"group": "GV", "htxs": 1, "htt": 1, "allowed": 0}]


def test_api_quota_use_and_flags_read_the_quota_population(client, two_units):
    headers = bearer(token_for(client, None, "tinh.thanhtra"))
    body = client.get(f"{API}?period=2026-10", headers=headers).get_json()
    units = {u["slug"]: u for u in body["units"]}
    x, y = units["phuong-xuan"], units["phuong-yen"]
    assert (x["quota_allowed"], x["quota_use"], x["quota_exceeded"]) == (1, "100.00", False)
    assert [f["code"] for f in x["flags"]] == [
        c for c in (f["code"] for f in x["flags"]) if c != "quota_exceeded"
    ]
    assert (y["quota_allowed"], y["quota_use"], y["quota_exceeded"]) == (0, None, True)
    (quota,) = [f for f in y["flags"] if f["code"] == "quota_exceeded"]
    assert quota["numbers"] == {
        "htxs": 1,
        "allowed": 0,
        "groups": [{"group": "GV", "htxs": 1, "htt": 1, "allowed": 0}],
    }
    assert "toàn đơn vị 1 HTXS, cho phép 0 (20% của 1 HTT)" in quota["detail"]
    # The distribution still counts everyone.
    assert x["grades"] == {"HTXS": 4, "HTT": 5, "HTNV": 0, "KHTNV": 0}
    assert y["grades"] == {"HTXS": 1, "HTT": 12, "HTNV": 0, "KHTNV": 0}


def test_a_units_quota_figures_read_only_its_own_people(two_units):
    """Refreshing Phường Xuân reads its own people's kinds only: Phường Yên's 11 HTT (of which
    one civil servant) never enter Xuân's quota population, whichever unit refreshed last."""
    xuan, yen = two_units
    with tenant_context(yen):
        period = db.session.execute(sa.select(Period)).scalar_one()
        aggregates.refresh_period(period)
        db.session.commit()
    with tenant_context(xuan):
        period = db.session.execute(sa.select(Period)).scalar_one()
        aggregates.refresh_period(period)
        db.session.commit()
    assert (_row(xuan).quota_htxs, _row(xuan).quota_htt) == (1, 5)
    assert (_row(yen).quota_htxs, _row(yen).quota_htt) == (1, 1)
