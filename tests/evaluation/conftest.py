"""Fixtures of the evaluation workflow: a ward with a head, a clerk, accounts and three items."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import StaffMember
from tenant_app.services.evaluation import periods
from tenant_app.services.workspace import catalogue
from tenant_app.tenancy import tenant_context
from tests.workspace.conftest import make_structure

TODAY = date(2026, 11, 20)  # inside every window of period 2026-11


def build_ward(factory, tenant, suffix=""):
    """Accounts linked to the head and the clerk, items T1/T2/T3 and period 2026-11 opened."""
    ids = make_structure(tenant, suffix)
    head_user = factory.user(
        tenant, f"truong{suffix}", ("manager", "staff"), full_name="Lê Văn Chánh"
    )
    clerk_user = factory.user(tenant, f"vanthu{suffix}", ("staff",), full_name="Trần Thị Văn")
    with tenant_context(tenant):
        for sid, uid in ((ids["head"], head_user.id), (ids["clerk"], clerk_user.id)):
            db.session.execute(
                sa.update(StaffMember).where(StaffMember.id == sid).values(user_id=uid)
            )
        items = {}
        for code, coefficient in (("T1", "1.0"), ("T2", "2.5"), ("T3", "5.0")):
            items[code] = catalogue.create_item(
                {
                    "kind": "work_item",
                    "code": f"{code}{suffix}",
                    "name": f"Sản phẩm {code}",
                    "unit_of_measure": "hồ sơ",
                    "coefficient": coefficient,
                    "position_ids": [ids["clerk_pos"]],
                    "effective_from": date(2026, 1, 1),
                }
            ).id
        period = periods.open_period(year=2026, number=11, kind="month")
        db.session.commit()
    return {
        **ids,
        "items": items,
        "period": period.id,
        "head_user": head_user.id,
        "clerk_user": clerk_user.id,
    }


@pytest.fixture()
def ward_a(factory, tenant_a):
    return build_ward(factory, tenant_a)
