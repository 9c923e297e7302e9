"""Staff are told when a report is returned or accepted with major errors, and see it on my work."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.evaluation import Notification, Report
from tenant_app.services.evaluation import reports
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.evaluation.view_helpers import assign, get, report, review, ward_today
from tests.helpers import login, post_form

PAGE = "/t/phuong-a/notifications"
COMMENT = "Thiếu biên bản nghiệm thu"


def _return(tenant, ward, report_id, comment=COMMENT):
    with tenant_context(tenant):
        reports.review_report(
            get(Report, tenant, report_id),
            actor=get(User, tenant, ward["head_user"]),
            accept=False,
            comment=comment,
        )
        db.session.commit()


def _clerk_notifications(tenant, ward) -> list[Notification]:
    with tenant_context(tenant):
        rows = db.session.execute(
            sa.select(Notification)
            .where(Notification.user_id == ward["clerk_user"])
            .where(Notification.kind.in_(("report_returned", "report_major_errors")))
            .order_by(Notification.created_at)
        ).scalars()
        return list(rows)


def test_review_return_notifies_the_person(factory, tenant_a):
    """A returned report notifies the clerk: which item, returned, the manager and the comment."""
    ward = ward_today(factory, tenant_a)
    assignment_id = assign(tenant_a, ward)
    _return(tenant_a, ward, report(tenant_a, ward, assignment_id, 10))
    [row] = _clerk_notifications(tenant_a, ward)
    assert row.kind == "report_returned"
    assert row.message == (
        "Báo cáo “Sản phẩm T1” bị trả lại để bổ sung. Ý kiến của Lê Văn Chánh: " + COMMENT
    )
    assert row.link == f"work:{ward['period']}:a-{assignment_id}"


def test_review_accept_with_major_error_notifies_the_person(factory, tenant_a):
    """An acceptance with a counted major error notifies the clerk with the number of errors."""
    ward = ward_today(factory, tenant_a)
    assignment_id = assign(tenant_a, ward)
    review(tenant_a, ward, report(tenant_a, ward, assignment_id, 10), errors=1)
    [row] = _clerk_notifications(tenant_a, ward)
    assert row.kind == "report_major_errors"
    assert row.message.startswith(
        "Báo cáo “Sản phẩm T1” được chấp nhận, có 1 lỗi nội dung lớn (bị trừ điểm)."
    )


def test_review_plain_accept_does_not_notify(factory, tenant_a):
    """A clean acceptance (no major error) adds no notification."""
    ward = ward_today(factory, tenant_a)
    review(tenant_a, ward, report(tenant_a, ward, assign(tenant_a, ward), 10), delays=1)
    assert _clerk_notifications(tenant_a, ward) == []


def test_review_notification_opens_the_item_on_my_work(client, factory, tenant_a):
    """Opening the notification goes to the item on Công việc của tôi, marked Bị trả lại."""
    ward = ward_today(factory, tenant_a)
    assignment_id = assign(tenant_a, ward)
    _return(tenant_a, ward, report(tenant_a, ward, assignment_id, 10))
    [row] = _clerk_notifications(tenant_a, ward)
    login(client, "phuong-a", "vanthu")
    assert COMMENT in client.get(PAGE).get_data(as_text=True)
    response = post_form(client, f"{PAGE}/{row.id}/open", {}, page=PAGE)
    location = response.headers["Location"]
    assert location.endswith(f"/t/phuong-a/my/work?period={ward['period']}#a-{assignment_id}")
    html = client.get(location.split("#")[0]).get_data(as_text=True)
    assert ">Bị trả lại</span>" in html


def test_my_work_marks_accepted_with_major_error(client, factory, tenant_a):
    """An item accepted with a counted major error shows the badge Chấp nhận, có lỗi lớn."""
    ward = ward_today(factory, tenant_a)
    review(tenant_a, ward, report(tenant_a, ward, assign(tenant_a, ward), 10), errors=1)
    login(client, "phuong-a", "vanthu")
    html = client.get("/t/phuong-a/my/work").get_data(as_text=True)
    assert "Chấp nhận, có lỗi lớn</span>" in html


def test_review_notification_stays_in_its_unit(client, factory, tenant_a, tenant_b):
    """The clerk of another unit never sees nor opens the returned-report notification."""
    ward = ward_today(factory, tenant_a)
    build_ward(factory, tenant_b)
    _return(tenant_a, ward, report(tenant_a, ward, assign(tenant_a, ward), 10))
    [row] = _clerk_notifications(tenant_a, ward)
    login(client, "phuong-b", "vanthu")
    other = "/t/phuong-b/notifications"
    assert COMMENT not in client.get(other).get_data(as_text=True)
    response = post_form(client, f"{other}/{row.id}/open", {}, page=other)
    assert response.status_code == 404
    with tenant_context(tenant_a):
        assert db.session.get(Notification, (tenant_a.id, row.id)).read_at is None
