"""Staff service: post history, managers in the same tenant, account links, validation."""

from __future__ import annotations

from datetime import date

import pytest

from tenant_app.extensions import db
from tenant_app.services.errors import Conflict, ServiceError
from tenant_app.services.workspace import positions, staff
from tenant_app.tenancy import tenant_context


def _person(org_ids, **extra):
    return {
        "code": "NS9",
        "full_name": "Phạm Văn Mới",
        "staff_type": "vien_chuc",
        "start_date": date(2026, 1, 5),
        "org_unit_id": org_ids["body"],
        "position_id": org_ids["clerk_pos"],
        **extra,
    }


def test_staff_position_at_a_past_date_is_recovered(tenant_a, org_a):
    """After a change of position, the old position is found at an earlier date, the new one now."""
    with tenant_context(tenant_a):
        clerk = staff.get_staff(org_a["clerk"])
        staff.update_staff(
            clerk, {"position_id": org_a["head_pos"], "effective_from": date(2026, 4, 1)}
        )
        db.session.commit()
        march = staff.assignment_at(clerk.id, date(2026, 3, 31))
        april = staff.assignment_at(clerk.id, date(2026, 4, 1))
        before = staff.assignment_at(clerk.id, date(2025, 6, 30))
    assert march.position_id == org_a["clerk_pos"]
    assert april.position_id == org_a["head_pos"]
    assert before is None


def test_staff_unit_move_closes_previous_assignment(tenant_a, org_a):
    """Moving a person to another unit keeps the old assignment, closed at the move date."""
    with tenant_context(tenant_a):
        clerk = staff.get_staff(org_a["clerk"])
        staff.update_staff(
            clerk, {"org_unit_id": org_a["root"], "effective_from": date(2026, 2, 1)}
        )
        db.session.commit()
        old = staff.assignment_at(clerk.id, date(2026, 1, 31))
        now = staff.current_assignment(clerk.id)
    assert (old.org_unit_id, old.effective_to) == (org_a["body"], date(2026, 2, 1))
    assert (now.org_unit_id, now.position_id) == (org_a["root"], org_a["clerk_pos"])


def test_staff_manager_from_other_tenant_is_refused(tenant_a, org_a, org_b):
    """A direct manager of tenant B cannot be named in tenant A: error on manager_id."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as caught:
        staff.create_staff(_person(org_a, manager_id=org_b["head"]))
    assert caught.value.field == "manager_id"
    assert "Người quản lý trực tiếp" in caught.value.message


def test_staff_manager_cycle_is_refused(tenant_a, org_a):
    """The head cannot be managed by their own subordinate."""
    with tenant_context(tenant_a):
        head = staff.get_staff(org_a["head"])
        with pytest.raises(ServiceError) as caught:
            staff.update_staff(head, {"manager_id": org_a["clerk"]})
        db.session.rollback()
    assert caught.value.field == "manager_id"


def test_staff_duplicate_code_is_refused(tenant_a, org_a):
    """A second person with a used code is a Conflict on ``code``."""
    with tenant_context(tenant_a), pytest.raises(Conflict) as caught:
        staff.create_staff(_person(org_a, code="NS1"))
    assert caught.value.field == "code"
    assert caught.value.message == "Mã nhân sự đã được sử dụng trong đơn vị."


def test_staff_account_linked_twice_is_refused(tenant_a, org_a, staff_a):
    """One account links to at most one staff record."""
    with tenant_context(tenant_a):
        staff.create_staff(_person(org_a, user_id=staff_a.id))
        with pytest.raises(Conflict) as caught:
            staff.create_staff(_person(org_a, code="NS10", user_id=staff_a.id))
        db.session.rollback()
    assert caught.value.field == "user_id"


def test_staff_negative_salary_is_refused(tenant_a, org_a):
    """A salary below zero names monthly_salary."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as caught:
        staff.create_staff(_person(org_a, monthly_salary=-1))
    assert caught.value.field == "monthly_salary"


def test_staff_end_before_start_is_refused(tenant_a, org_a):
    """An end date before the start date names end_date."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as caught:
        staff.create_staff(_person(org_a, end_date=date(2025, 1, 1)))
    assert caught.value.field == "end_date"


def test_staff_ended_person_keeps_history(tenant_a, org_a):
    """Ending a person closes their post the day after; the post on their last day remains."""
    with tenant_context(tenant_a):
        clerk = staff.get_staff(org_a["clerk"])
        staff.end_staff(clerk, date(2026, 5, 31))
        db.session.commit()
        last_day = staff.assignment_at(clerk.id, date(2026, 5, 31))
        after = staff.assignment_at(clerk.id, date(2026, 6, 1))
    assert last_day.org_unit_id == org_a["body"]
    assert after is None


def test_staff_manager_sees_own_unit_subtree(tenant_a, org_a, factory):
    """A manager linked to the head of the committee sees the committee and the office."""
    boss = factory.user(tenant_a, "chu.tich", ("manager", "staff"))
    with tenant_context(tenant_a):
        chair_pos = positions.create_position(
            {"code": "CT", "name": "Chủ tịch", "position_group": "leader_head"}
        )
        staff.create_staff(
            _person(org_a, code="CT1", org_unit_id=org_a["root"], position_id=chair_pos.id,
                    user_id=boss.id)
        )  # fmt: skip
        db.session.commit()
        units = staff.managed_unit_ids(boss)
    assert units == {org_a["root"], org_a["body"]}
