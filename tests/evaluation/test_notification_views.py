"""Notifications: the bell's unread count, the list, mark all read, open one."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import Notification
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import assign, count, ward_today
from tests.helpers import login, post_form

PAGE = "/t/phuong-a/notifications"


def test_bell_shows_the_unread_count(client, factory, tenant_a):
    """After one assignment the clerk's bell says 1 unread."""
    ward = ward_today(factory, tenant_a)
    assign(tenant_a, ward)
    login(client, "phuong-a", "vanthu")
    html = client.get("/t/phuong-a/").get_data(as_text=True)
    assert re.search(r'aria-label="Thông báo: 1 chưa đọc"', html)


def test_notifications_page_lists_messages(client, factory, tenant_a):
    """The page lists the assignment message."""
    ward = ward_today(factory, tenant_a)
    assign(tenant_a, ward)
    login(client, "phuong-a", "vanthu")
    assert "Bạn được giao 10 hồ sơ “Sản phẩm T1”" in client.get(PAGE).get_data(as_text=True)


def test_notifications_mark_all_read(client, factory, tenant_a):
    """Mark all read leaves no unread notification."""
    ward = ward_today(factory, tenant_a)
    assign(tenant_a, ward)
    login(client, "phuong-a", "vanthu")
    post_form(client, f"{PAGE}/read", {}, page=PAGE)
    assert count(Notification, tenant_a, Notification.read_at.is_(None)) == 0


def test_notification_open_goes_to_its_screen(client, factory, tenant_a):
    """Opening a 'work' notification marks it read and redirects to Công việc của tôi."""
    ward = ward_today(factory, tenant_a)
    assign(tenant_a, ward)
    with tenant_context(tenant_a):
        nid = db.session.execute(sa.select(Notification.id)).scalar_one()
    login(client, "phuong-a", "vanthu")
    response = post_form(client, f"{PAGE}/{nid}/open", {}, page=PAGE)
    assert response.headers["Location"].endswith("/t/phuong-a/my/work")
    assert count(Notification, tenant_a, Notification.read_at.is_(None)) == 0


def test_notification_open_of_another_user_is_404(client, factory, tenant_a):
    """Someone else's notification is not found and stays unread."""
    ward = ward_today(factory, tenant_a)
    assign(tenant_a, ward)
    with tenant_context(tenant_a):
        nid = db.session.execute(sa.select(Notification.id)).scalar_one()
    login(client, "phuong-a", "truong")
    assert post_form(client, f"{PAGE}/{nid}/open", {}, page=PAGE).status_code == 404
    assert count(Notification, tenant_a, Notification.read_at.is_(None)) == 1
