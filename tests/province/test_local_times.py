"""The console shows one clock: the province's local time, the same on every page."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.audit import ProvinceAuditEvent
from tenant_app.models.rollout import TemplateVersion
from tenant_app.services.audit.audit_log import format_local


def _set_published_at(version, at: datetime) -> None:
    """Pin the stored (UTC) publication time; a published row refuses ORM changes."""
    db.session.execute(
        sa.update(TemplateVersion).where(TemplateVersion.id == version.id).values(published_at=at)
    )
    db.session.commit()
    db.session.expire_all()


def test_template_page_and_audit_log_show_the_same_local_time(admin_client, published):
    """Publishing a version reads the same local time on the template page and in the log."""
    event = db.session.scalars(
        sa.select(ProvinceAuditEvent).where(
            ProvinceAuditEvent.action == "template.version_published"
        )
    ).one()
    _set_published_at(published, event.occurred_at)
    shown = format_local(event.occurred_at)
    template_page = admin_client.get(f"/admin/templates/{published.template_id}")
    audit_page = admin_client.get("/admin/audit")
    assert shown in template_page.get_data(as_text=True)
    assert shown in audit_page.get_data(as_text=True)


def test_template_page_shows_a_utc_evening_as_the_next_local_day(admin_client, published):
    """A version published at 17:34 UTC reads 01/12/2026 00:34 (Asia/Ho_Chi_Minh)."""
    _set_published_at(published, datetime(2026, 11, 30, 17, 34))
    html = admin_client.get(f"/admin/templates/{published.template_id}").get_data(as_text=True)
    assert "01/12/2026 00:34" in html
    assert "30/11/2026 17:34" not in html
