"""Scheduled evaluation work: automatic period opening and deadline reminders, idempotent."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tenant_app.background.runner import execute, func_path
from tenant_app.extensions import db
from tenant_app.jobs import evaluation as evaluation_jobs
from tenant_app.models import Notification, User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Period
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import assignments, periods, reminders
from tenant_app.tenancy import tenant_context


def _assign(tenant, ward):
    period = db.session.get(Period, (tenant.id, ward["period"]))
    assignments.assign(
        period,
        db.session.get(StaffMember, (tenant.id, ward["clerk"])),
        db.session.get(CatalogueItem, (tenant.id, ward["items"]["T1"])),
        quantity=2,
        due_on=date(2026, 11, 25),
        actor=db.session.get(User, (tenant.id, ward["head_user"])),
    )
    db.session.commit()
    return period


def _reminders(tenant, user_id):
    return (
        db.session.execute(
            sa.select(Notification).where(
                Notification.user_id == user_id, Notification.kind == "window_closing"
            )
        )
        .scalars()
        .all()
    )


def test_reminders_report_window_closing_tomorrow(tenant_a, ward_a):
    """The day before the reporting deadline, people with unreported work are reminded once."""
    with tenant_context(tenant_a):
        period = _assign(tenant_a, ward_a)
        day_before = period.report_until - timedelta(days=1)
        assert reminders.send_reminders(day_before)["report"] == 1
        assert reminders.send_reminders(day_before)["report"] == 0
        db.session.commit()
        assert len(_reminders(tenant_a, ward_a["clerk_user"])) == 1
        assert reminders.send_reminders(day_before - timedelta(days=1)) == {
            "report": 0,
            "self_assessment": 0,
            "review": 0,
        }


def test_reminders_self_assessment_for_people_without_one(tenant_a, ward_a):
    """Before the self-assessment deadline, only people with work and no self-assessment hear."""
    with tenant_context(tenant_a):
        period = _assign(tenant_a, ward_a)
        sent = reminders.send_reminders(period.self_assessment_until - timedelta(days=1))
        assert sent["self_assessment"] == 1


def test_reminders_open_due_period_when_enabled(tenant_a, ward_a):
    """A unit with automatic opening gets the new month opened on its first day, once."""
    with tenant_context(tenant_a):
        assert reminders.open_due_period(date(2026, 12, 1)) is None
        tenant_a.settings = {"auto_open_periods": True}
        opened = reminders.open_due_period(date(2026, 12, 1))
        assert opened is not None and opened.code == "2026-12"
        assert reminders.open_due_period(date(2026, 12, 1)) is None
        assert reminders.open_due_period(date(2026, 12, 2)) is None
        assert periods.find_period("2026-12") is not None


def test_reminders_daily_job_runs_in_the_tenant(app, tenant_a, ward_a):
    """The daily job (in-process without Redis) sends the reminders of the tenant it runs for."""
    with tenant_context(tenant_a):
        period = _assign(tenant_a, ward_a)
        day_before = (period.report_until - timedelta(days=1)).isoformat()
    result = execute(func_path(evaluation_jobs.daily), tenant_a.id, None, (day_before,))
    assert result["report"] == 1 and result["opened"] is None
