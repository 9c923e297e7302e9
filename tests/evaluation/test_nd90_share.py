"""The Decree 90/2020 HTXS share limit applied in the annual quota (issue 17).

Year 2025, December's params set ``nd90_htxs_share_limit`` = 0.25 (the unit's Party-member
HTXS share). Under ``nd90_2020`` (viên chức before the 2026 decree): the clerk and two more
viên chức HTXS (95), one HTT (80) → 4 classified, floor(0.25 × 4) = 1 allowed, 3 HTXS → at least
2 to lower. The head (công chức, HTT) is in neither count. Approval is refused until the head
lowers two with a reason; then it passes. Without the parameter nothing is checked.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import StaffMember, User
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import annual, periods
from tenant_app.services.workspace import staff
from tenant_app.tenancy import tenant_context
from tests.evaluation.scores_helpers import open_month, stored_score


def _year(tenant, ward, limit):
    with tenant_context(tenant):
        db.session.execute(
            sa.update(StaffMember)
            .where(StaffMember.id == ward["clerk"])
            .values(staff_type="vien_chuc")
        )
        december = open_month(12, 2025)
        if limit is not None:
            december.params = {**(december.params or {}), "nd90_htxs_share_limit": limit}
        clerk = db.session.get(StaffMember, (tenant.id, ward["clerk"]))
        people = [ward["clerk"]]
        for n, name in enumerate(("Viên Chức Một", "Viên Chức Hai", "Viên Chức Ba"), start=3):
            person = staff.create_staff(
                {"code": f"NS{n}", "full_name": name, "staff_type": "vien_chuc",
                 "start_date": date(2025, 1, 1), "org_unit_id": ward["body"],
                 "position_id": ward["clerk_pos"], "manager_id": clerk.manager_id}
            )  # fmt: skip
            people.append(person.id)
        for sid, total, grade in zip(
            people, (95, 95, 95, 80), ("HTXS", "HTXS", "HTXS", "HTT"), strict=True
        ):
            row = stored_score(december, sid, total, grade)
            row.rule_set = periods.rule_set_for(december, "vien_chuc")
        stored_score(december, ward["head"], 80, "HTT")
        db.session.flush()
        head = db.session.get(User, (tenant.id, ward["head_user"]))
        annual.compute_year(2025, actor=head)
        db.session.commit()
        return people, head


def test_share_over_the_limit_blocks_approval_until_two_are_lowered(tenant_a, ward_a):
    people, head = _year(tenant_a, ward_a, "0.25")
    with tenant_context(tenant_a):
        head = db.session.get(User, (tenant_a.id, ward_a["head_user"]))
        report = annual.quota(2025)
        (share,) = [c for c in report.checks if c.scope == "htxs_share"]
        assert (share.htxs_count, share.allowed, share.must_lower) == (3, 1, 2)
        assert set(share.htxs_person_ids) == {str(p) for p in people[:3]}
        assert share in report.violations
        with pytest.raises(ServiceError) as refused:
            annual.approve(2025, actor=head)
        assert refused.value.code == "quota_undecided"
        db.session.rollback()
        rows = {r.staff_id: r for r in annual.rows_of(2025)}
        for sid in people[1:3]:
            annual.decide(
                rows[sid], final_grade="HTT", reason="Vượt tỷ lệ HTXS của đảng viên", actor=head
            )
        assert not annual.quota(2025).violations
        approved = annual.approve(2025, actor=head)
        # Everyone but the head, whose row is the competent higher level's.
        assert {r.staff_id for r in approved} == set(people)


def test_annual_screen_explains_the_share(client, tenant_a, ward_a):
    _year(tenant_a, ward_a, "0.25")
    from tests.helpers import login

    login(client, "phuong-a", "truong")
    page = client.get("/t/phuong-a/annual?year=2025").get_data(as_text=True)
    assert "vượt tỷ lệ HTXS của đảng viên trong đơn vị (25,00%): cho phép 1" in page


def test_without_the_parameter_nothing_is_checked(tenant_a, ward_a):
    _year(tenant_a, ward_a, None)
    with tenant_context(tenant_a):
        assert [c.scope for c in annual.quota(2025).checks if c.scope == "htxs_share"] == []
