"""Row makers of the calendar tables (the scheduler's window-end record, window extensions)."""

from __future__ import annotations

from datetime import timedelta

from tenant_app.extensions import db
from tenant_app.models.calendar import CalendarEvent, WindowExtension
from tenant_app.tenancy import tenant_context
from tests.tenancy.makers.evaluation import _period


def _calendar_event(factory, tenant, tag):
    period = _period(factory, tenant, f"ce{tag}")
    with tenant_context(tenant):
        row = CalendarEvent(
            subject=str(period.id), period_id=period.id, event="report",
            deadline=period.report_until, happened_on=period.report_until + timedelta(days=1),
            pending={"unsubmitted": 0},
        )  # fmt: skip
        db.session.add(row)
        db.session.commit()
    return row


def _window_extension(factory, tenant, tag):
    period = _period(factory, tenant, f"we{tag}")
    with tenant_context(tenant):
        row = WindowExtension(
            period_id=period.id, window_name="approval", old_until=period.approval_until,
            new_until=period.approval_until + timedelta(days=5),
            reason=f"Lý do gia hạn {tag}", extended_by="admin",
        )  # fmt: skip
        db.session.add(row)
        db.session.commit()
    return row


MAKERS = {
    "calendar_events": (_calendar_event, "subject"),
    "window_extensions": (_window_extension, "reason"),
}
