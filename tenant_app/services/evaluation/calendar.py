"""The calendar as data: what the daily scheduler does when a window of a period ends.

``run(today)`` (the unit in context) is idempotent: each window end, automatic close and lock is
recorded once in ``calendar_events`` under its deadline, so running it twice on a day, or after a
restart, changes nothing the second time; an extended window has a new deadline and is handled
again when that one ends. What happens at each end (docs/operations.md, "Lịch tự động"):

- report: reports still in draft or returned, and work with no report, stay as they are: they
  are not counted (``COUNTED_REPORT_STATUSES``), i.e. the work counts as not done;
- self_assessment: people without a self-assessment are assessed by their manager alone;
- review: submitted reports nobody reviewed block the head's approval: the unit is late at
  this stage (shown to the province, its head notified once) until an administrator extends
  the window and the reviews are done;
- approval: approvals are the head's (the head's own result the competent higher level's) and
  stay human; while any is missing the unit is late at this stage and the period stays open;
  once every score is approved the scheduler publishes the results and closes the period;
- a closed period is locked ``lock_after_days`` days after its approval deadline (setting);
- annual: the engine proposes the year on the first day of the deadline's month, the head
  decides and approves; at the deadline (15 December, or 15 January of the next year where the
  unit's settings say ``"annual_deadline": "01-15"``) an approved year is published, otherwise
  the unit is late.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.calendar import WINDOWS, CalendarEvent
from tenant_app.models.evaluation import Period, PeriodScore
from tenant_app.models.tenants import Tenant
from tenant_app.models.vocabulary import AnnualStatus, PeriodStatus
from tenant_app.services.evaluation import annual, assessments, periods
from tenant_app.services.evaluation.lateness import (  # noqa: F401  (re-exported)
    PENDING,
    Late,
    annual_deadline,
    annual_opens,
    late_stages,
    pending_at,
    settings,
)
from tenant_app.services.evaluation.unit_head import unit_head
from tenant_app.services.workspace import notifications
from tenant_app.tenancy.context import get_current_tenant

# --- the daily run ----------------------------------------------------------------------------


def _done(subject: str, event: str, deadline: date) -> bool:
    return (
        db.session.execute(
            sa.select(CalendarEvent.id).where(
                CalendarEvent.subject == subject,
                CalendarEvent.event == event,
                CalendarEvent.deadline == deadline,
            )
        ).first()
        is not None
    )


def _mark(subject, event, deadline, today, pending, *, period=None) -> None:
    db.session.add(
        CalendarEvent(
            subject=subject,
            period_id=None if period is None else period.id,
            event=event,
            deadline=deadline,
            happened_on=today,
            pending=pending,
        )
    )
    audit.record(
        f"calendar.{event}",
        object_type="period" if period is not None else "annual_classification",
        object_id=period.id if period is not None else subject.removeprefix("year:"),
        after={
            "code": period.code if period is not None else subject.removeprefix("year:"),
            "deadline": deadline.isoformat(),
            "on": today.isoformat(),
            **pending,
        },
    )
    db.session.flush()


STAGE_NAMES = {
    "review": lambda: _("thẩm định"),
    "approval": lambda: _("phê duyệt"),
    "annual": lambda: _("xếp loại cuối năm"),
}


def _notify_late(late: Late, head) -> bool:
    message = _(
        "%(code)s: đã quá hạn %(stage)s (hạn %(deadline)s) %(days)d ngày, còn %(n)d việc chưa "
        "xong. Đề nghị hoàn thành hoặc đề nghị quản trị gia hạn có lý do.",
        code=late.period_code,
        stage=STAGE_NAMES[late.stage](),
        deadline=late.deadline.strftime("%d/%m/%Y"),
        days=late.days_late,
        n=late.pending,
    )
    link = "approval" if late.stage != "review" else "review"
    return (
        notifications.notify_staff(
            head,
            "calendar_late",
            message,
            link=link,
            dedupe=f"late:{late.stage}:{late.subject}:{late.deadline.isoformat()}",
        )
        is not None
    )


def run(today: date) -> dict:
    """Move the unit's periods (and year) on for ``today``; idempotent. Returns what it did:
    {"ended": ["2026-11:report", …], "closed": [codes], "locked": [codes], "published":
    [codes], "late": n, "notified": n, "annual": [events]}."""
    tenant = get_current_tenant()
    config = settings(tenant)
    out = {
        "ended": [],
        "closed": [],
        "locked": [],
        "published": [],
        "late": 0,
        "notified": 0,
        "annual": [],
    }
    open_periods = list(
        db.session.execute(
            sa.select(Period).where(Period.status == PeriodStatus.OPEN).order_by(Period.starts_on)
        ).scalars()
    )
    for period in open_periods:
        subject = str(period.id)
        for window in WINDOWS:
            deadline = getattr(period, f"{window}_until")
            if deadline < today and not _done(subject, window, deadline):
                key, _count = PENDING[window]
                _mark(
                    subject, window, deadline, today, {key: pending_at(period, window)},
                    period=period,
                )  # fmt: skip
                out["ended"].append(f"{period.code}:{window}")
        deadline = period.approval_until
        if (
            config["auto_close"]
            and deadline < today
            and not _done(subject, "closed", deadline)
            and not pending_at(period, "review")
            and not pending_at(period, "approval")
        ):
            if assessments.publish_by_calendar(period) is not None:
                out["published"].append(period.code)
            periods.close_period(period)
            _mark(subject, "closed", deadline, today, {}, period=period)
            out["closed"].append(period.code)
    if config["auto_lock"]:
        closed = db.session.execute(
            sa.select(Period).where(Period.status == PeriodStatus.CLOSED).order_by(Period.starts_on)
        ).scalars()
        for period in closed:
            deadline = period.approval_until
            due = deadline + timedelta(days=int(config["lock_after_days"]))
            if due < today and not _done(str(period.id), "locked", deadline):
                periods.lock_period(period)
                _mark(str(period.id), "locked", deadline, today, {}, period=period)
                out["locked"].append(period.code)
    out["annual"] = _annual(today, tenant)
    late = late_stages(today, tenants=[tenant])
    out["late"] = len(late)
    head = unit_head(tenant, on=today) if late else None
    for item in late:
        if head is not None and _notify_late(item, head):
            out["notified"] += 1
    return out


def _has_scores(year: int) -> bool:
    return (
        db.session.execute(
            sa.select(PeriodScore.id)
            .join(Period, tenant_join(Period.id, PeriodScore.period_id))
            .where(Period.year == year)
            .limit(1)
        ).first()
        is not None
    )


def _annual(today: date, tenant: Tenant) -> list[str]:
    """Propose the year when its stage opens; publish an approved year at its deadline."""
    done = []
    for year in (today.year - 1, today.year):
        subject = f"year:{year}"
        deadline = annual_deadline(year, tenant)
        opened = annual_opens(year, tenant) <= today <= deadline
        if opened and not annual.rows_of(year) and annual.propose_by_calendar(year):
            done.append(f"{year}:proposed")
        if deadline < today <= deadline + timedelta(days=366) and not _done(
            subject, "annual", deadline
        ):
            rows = annual.rows_of(year)
            if not rows and not _has_scores(year):
                continue  # nothing to classify: the deadline passes unrecorded
            status = annual.year_status(rows)
            if status == AnnualStatus.APPROVED and annual.publish_by_calendar(year):
                done.append(f"{year}:published")
                status = AnnualStatus.PUBLISHED
            pending = sum(1 for r in rows if r.status == AnnualStatus.PROPOSED)
            _mark(subject, "annual", deadline, today, {"status": status, "unapproved": pending})
    return done
