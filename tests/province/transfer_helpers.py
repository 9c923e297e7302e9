"""Two wards for the transfer tests: the clerk of A (published months) and B's structure."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import StaffMember, User
from tenant_app.models.base import utcnow
from tenant_app.tenancy import tenant_context
from tenant_app.tenancy.door import transfer_propose_write
from tests.evaluation.conftest import build_ward
from tests.evaluation.scores_helpers import open_month, stored_score

# The clerk's published months in A (April's exact total 490/7 = 70, stored 69.999999).
A_TOTALS = {1: 80, 2: 85, 3: 90, 4: "69.999999", 5: 75, 6: 88, 7: 92, 8: 60, 9: 95}


def publish_months(tenant, staff_id, totals, *, exact=None):
    """Stored scores of ``staff_id`` for the months of ``totals``, each period published."""
    exact = exact or {}
    with tenant_context(tenant):
        for month, total in totals.items():
            period = open_month(month)
            row = stored_score(period, staff_id, total, "HTT")
            row.total_exact = exact.get(month)
            period.published_at = utcnow()
        db.session.commit()


def own_months(tenant, staff_id, totals):
    """Stored (unpublished) scores of ``staff_id`` in the unit's own months."""
    with tenant_context(tenant):
        for month, total in totals.items():
            stored_score(open_month(month), staff_id, total, "HTT")
        db.session.commit()


def person(tenant, staff_id) -> StaffMember:
    with tenant_context(tenant):
        return db.session.get(StaffMember, (tenant.id, staff_id))


def by_code(tenant, code):
    with tenant_context(tenant):
        return db.session.execute(
            sa.select(StaffMember).where(StaffMember.code == code)
        ).scalar_one_or_none()


def head(tenant, ward):
    return db.session.get(User, (tenant.id, ward["head_user"]))


@pytest.fixture()
def wards(factory, tenant_a, tenant_b):
    """Ward A (clerk NS2 with an account, months 01–09 published, 2026-11 open with an unpublished
    score) and ward B (same structure, codes suffixed ``b``)."""
    a = build_ward(factory, tenant_a)
    b = build_ward(factory, tenant_b, "b")
    with tenant_context(tenant_a):
        db.session.execute(
            sa.update(StaffMember)
            .where(StaffMember.id == a["clerk"])
            .values(rank_code="01.003", monthly_salary=8000000)
        )
        db.session.commit()
    publish_months(tenant_a, a["clerk"], A_TOTALS, exact={4: "490/7"})
    own_months(tenant_a, a["clerk"], {11: 55})
    return a, b


def request_for(a, b, **over):
    data = {
        "staff_id": a["clerk"],
        "effective_on": date(2026, 10, 1),
        "org_unit_id": b["body"],
        "position_id": b["clerk_pos"],
        "reference": "125/QĐ-UBND",
        "reason": "Điều động theo nhu cầu công tác",
    }
    data.update(over)
    return data


# What a unit administrator's proposal of A's clerk to B says (the date, decision and reason).
PROPOSAL = {
    "effective_on": date(2026, 10, 1),
    "reference": "125/QĐ-UBND",
    "reason": "Điều động theo nhu cầu công tác giữa hai phường.",
}


@pytest.fixture()
def admins(factory, tenant_a, tenant_b):
    """The unit administrators of A and B."""
    return (
        factory.user(tenant_a, "admin.a", ("unit_admin", "staff"), full_name="Quản Trị A"),
        factory.user(tenant_b, "admin.b", ("unit_admin", "staff"), full_name="Quản Trị B"),
    )


@pytest.fixture()
def proposal_id(tenant_a, tenant_b, wards, admins):
    """A's clerk proposed to B by A's administrator (through the door), not answered yet."""
    return transfer_propose_write(
        tenant_a, tenant_b, staff_id=wards[0]["clerk"], actor=admins[0], **PROPOSAL
    )
