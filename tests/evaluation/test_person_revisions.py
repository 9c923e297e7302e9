"""A person's pages depend on the unit's shared changes, their own and the viewer's: a
colleague's report saved no longer discards them (``tenancy.revisions.person_view``)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import StaffMember
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.services.workspace import catalogue, notifications, staff
from tenant_app.tenancy import revisions, tenant_context
from tests.evaluation.view_helpers import assign, report, ward_today
from tests.helpers import login, requires_redis


@pytest.fixture()
def ward(redis_app, factory, tenant_a):
    """The evaluation ward plus a second clerk with an account (``other``, ``other_user``)."""
    ward = ward_today(factory, tenant_a)
    user = factory.user(tenant_a, "vanthu.hai", ("staff",), full_name="Đỗ Thị Hai")
    with tenant_context(tenant_a):
        clerk = db.session.get(StaffMember, (tenant_a.id, ward["clerk"]))
        post = staff.assignment_at(clerk.id, date.today())
        other = staff.create_staff(
            {
                "code": "NS9",
                "full_name": "Đỗ Thị Hai",
                "staff_type": "cong_chuc",
                "start_date": date(2025, 7, 1),
                "org_unit_id": post.org_unit_id,
                "position_id": post.position_id,
                "manager_id": ward["head"],
            }
        )
        other.user_id = user.id
        db.session.commit()
        ward["other"], ward["other_user"] = other.id, user.id
    return ward


def _views(tenant, ward) -> dict:
    with tenant_context(tenant):
        return {
            "unit": revisions.current(tenant.id),
            "clerk": revisions.person_view(tenant.id, ward["clerk"], ward["clerk_user"]),
            "other": revisions.person_view(tenant.id, ward["other"], ward["other_user"]),
        }


@requires_redis
def test_a_report_moves_its_person_and_the_unit_not_a_colleague(ward, tenant_a):
    """The clerk's report (and the score it recomputes) moves the clerk's pages and the unit's
    dashboards; the other clerk's pages keep their revision."""
    assignment = assign(tenant_a, ward, "T2", 2)
    before = _views(tenant_a, ward)
    report(tenant_a, ward, assignment, 2)
    after = _views(tenant_a, ward)
    assert after["other"] == before["other"]
    assert after["clerk"] != before["clerk"]
    assert after["unit"] != before["unit"]


@requires_redis
def test_a_shared_change_moves_everyone(ward, tenant_a):
    """A catalogue item renamed shows on everyone's work: every person's revision moves."""
    before = _views(tenant_a, ward)
    with tenant_context(tenant_a):
        item = db.session.get(CatalogueItem, (tenant_a.id, ward["items"]["T1"]))
        catalogue.update_item(item, {"name": "Sản phẩm T1 (đổi tên)"})
        db.session.commit()
    after = _views(tenant_a, ward)
    assert all(after[k] != before[k] for k in before)


@requires_redis
def test_a_notification_moves_only_its_reader(ward, tenant_a):
    """A notification to the other clerk moves the pages they see, not the clerk's."""
    before = _views(tenant_a, ward)
    with tenant_context(tenant_a):
        notifications.notify_user(ward["other_user"], "test", "Thông báo thử")
        db.session.commit()
    after = _views(tenant_a, ward)
    assert after["other"] != before["other"] and after["clerk"] == before["clerk"]


@requires_redis
def test_a_bulk_statement_without_its_people_counts_as_shared(ward, tenant_a):
    """An ORM UPDATE that does not name the people it touches moves everyone's pages."""
    before = _views(tenant_a, ward)
    with tenant_context(tenant_a):
        db.session.execute(
            sa.update(StaffMember).where(StaffMember.id == ward["clerk"]).values(quota_group="X")
        )
        db.session.commit()
    after = _views(tenant_a, ward)
    assert after["other"] != before["other"]


@requires_redis
def test_a_colleagues_report_leaves_a_polled_score_unchanged(redis_app, ward, tenant_a):
    """The other clerk's live score answers 304 after the clerk's report; the clerk's does not."""
    assignment = assign(tenant_a, ward, "T2", 2)
    other, clerk = redis_app.test_client(), redis_app.test_client()
    login(other, "phuong-a", "vanthu.hai")
    login(clerk, "phuong-a", "vanthu")
    other_url = f"/t/phuong-a/scores/{ward['other']}/live"
    clerk_url = f"/t/phuong-a/scores/{ward['clerk']}/live"
    other_etag = other.get(other_url).headers["ETag"]
    clerk_etag = clerk.get(clerk_url).headers["ETag"]
    report(tenant_a, ward, assignment, 2)
    assert other.get(other_url, headers={"If-None-Match": other_etag}).status_code == 304
    assert clerk.get(clerk_url, headers={"If-None-Match": clerk_etag}).status_code == 200
