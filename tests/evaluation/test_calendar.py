"""The calendar as data: window ends move periods on, idempotently, with a frozen clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, Notification, User
from tenant_app.models.calendar import CalendarEvent, WindowExtension
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, Period, Report
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import (
    annual,
    assessments,
    assignments,
    calendar,
    periods,
    reports,
    scores,
    window_extensions,
)
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import TODAY, build_ward


def _get(model, tenant, key):
    return db.session.get(model, (tenant.id, key))


def _days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _run_days(tenant, start: date, end: date) -> list[dict]:
    """The daily run for every day from ``start`` to ``end``, committed like the job."""
    out = []
    for day in _days(start, end):
        with tenant_context(tenant):
            out.append(calendar.run(day))
            db.session.commit()
    return out


def _work(tenant, ward, *, submit=True, review=True, assess=True):
    """One assignment of the clerk in 2026-11, reported (and reviewed, assessed) on TODAY."""
    head = _get(User, tenant, ward["head_user"])
    clerk_user = _get(User, tenant, ward["clerk_user"])
    clerk = _get(StaffMember, tenant, ward["clerk"])
    period = _get(Period, tenant, ward["period"])
    item = _get(CatalogueItem, tenant, ward["items"]["T1"])
    assignment = assignments.assign(
        period, clerk, item, quantity=4, due_on=date(2026, 11, 25), actor=head
    )
    report = reports.save_report(
        assignment,
        actor=clerk_user,
        completed=3,
        completed_on=date(2026, 11, 20),
        submit=submit,
        today=TODAY,
    )
    if submit and review:
        reports.review_report(report, actor=head, accept=True, today=TODAY)
    if assess:
        assessments.save_assessment(
            period, clerk, stage="self", general=[9, 9, 9], actor=clerk_user, today=TODAY
        )
        assessments.save_assessment(
            period, clerk, stage="manager", general=[9, 9, 9], actor=head, today=TODAY
        )
    scores.score_people(period)
    db.session.commit()
    return period, report


def _events(subject=None):
    stmt = sa.select(CalendarEvent.event).order_by(CalendarEvent.created_at, CalendarEvent.event)
    if subject is not None:
        stmt = stmt.where(CalendarEvent.subject == subject)
    return list(db.session.execute(stmt).scalars())


def _late_notes(user_id):
    return list(
        db.session.execute(
            sa.select(Notification).where(
                Notification.user_id == user_id, Notification.kind == "calendar_late"
            )
        ).scalars()
    )


def test_calendar_empty_month_closes_and_locks_on_time(tenant_a, ward_a):
    """A month without work closes the day after its approval deadline (10 Dec) and locks
    once the lock delay (5 days) has passed, nothing else, over the whole month of December."""
    results = _run_days(tenant_a, date(2026, 11, 1), date(2026, 12, 31))
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        assert period.status == "locked"
        closed_on = [
            d
            for d, r in zip(_days(date(2026, 11, 1), date(2026, 12, 31)), results, strict=True)
            if r["closed"]
        ]
        locked_on = [
            d
            for d, r in zip(_days(date(2026, 11, 1), date(2026, 12, 31)), results, strict=True)
            if r["locked"]
        ]
        assert closed_on == [date(2026, 12, 11)]
        assert locked_on == [date(2026, 12, 16)]
        assert sorted(_events(str(period.id))) == sorted(
            ["report", "self_assessment", "review", "approval", "closed", "locked"]
        )


def test_calendar_nothing_moves_before_a_window_ends(tenant_a, ward_a):
    """Inside every window (20 Nov) the run records nothing and changes nothing."""
    with tenant_context(tenant_a):
        result = calendar.run(TODAY)
        assert result["ended"] == [] and result["closed"] == [] and _events() == []


def test_calendar_run_twice_changes_nothing_twice(tenant_a, ward_a):
    """The same day run twice (a restarted scheduler): the second run records no event,
    no audit event and no notification."""
    with tenant_context(tenant_a):
        _work(tenant_a, ward_a)
    for day in (date(2026, 12, 4), date(2026, 12, 11), date(2026, 12, 20)):
        with tenant_context(tenant_a):
            calendar.run(day)
            db.session.commit()
            counts = (
                len(_events()),
                db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar(),
                db.session.execute(sa.select(sa.func.count()).select_from(Notification)).scalar(),
            )
            again = calendar.run(day)
            db.session.commit()
            assert again["ended"] == again["closed"] == again["locked"] == []
            assert again["notified"] == 0
            assert counts == (
                len(_events()),
                db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar(),
                db.session.execute(sa.select(sa.func.count()).select_from(Notification)).scalar(),
            )


def test_calendar_report_window_end_leaves_unsubmitted_work_not_done(tenant_a, ward_a):
    """At the reporting deadline a draft report stays a draft, not counted (the work counts as
    not done), and the window's end records how many were outstanding."""
    with tenant_context(tenant_a):
        period, report = _work(tenant_a, ward_a, submit=False, assess=False)
        calendar.run(period.report_until + timedelta(days=1))
        db.session.commit()
        row = db.session.execute(
            sa.select(CalendarEvent).where(CalendarEvent.event == "report")
        ).scalar_one()
        assert row.pending == {"unsubmitted": 1}
        assert _get(Report, tenant_a, report.id).status == "draft"
        with pytest.raises(ServiceError):
            reports.save_report(
                _get(Assignment, tenant_a, report.assignment_id),
                actor=_get(User, tenant_a, ward_a["clerk_user"]),
                completed=4,
                submit=True,
                today=period.report_until + timedelta(days=1),
            )


def test_calendar_late_approval_keeps_period_open_and_notifies_head_once(tenant_a, ward_a):
    """Scores not approved by the deadline: the period stays open, the unit is late at the
    approval stage, and the head hears exactly once however many days pass."""
    with tenant_context(tenant_a):
        period, _report = _work(tenant_a, ward_a)
    _run_days(tenant_a, date(2026, 12, 1), date(2026, 12, 31))
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        assert period.status == "open"
        late = calendar.late_stages(date(2026, 12, 31), tenants=[tenant_a])
        # Late at approval since 10 December, and (the year not approved) at the annual stage.
        assert [(x.stage, x.days_late, x.pending) for x in late] == [
            ("approval", 21, 1),
            ("annual", 16, 1),
        ]
        notes = _late_notes(ward_a["head_user"])
        assert sorted(n.dedupe_key.split(":")[1] for n in notes) == ["annual", "approval"]
        assert _late_notes(ward_a["clerk_user"]) == []


def test_calendar_approved_month_is_published_closed_and_locked(tenant_a, ward_a):
    """Once the head approved everyone, the scheduler publishes, closes and locks: the only
    human click of the month's end is the approval the law requires."""
    with tenant_context(tenant_a):
        period, _report = _work(tenant_a, ward_a)
        head = _get(User, tenant_a, ward_a["head_user"])
        assessments.approve(period, [ward_a["clerk"]], actor=head, today=period.approval_until)
        db.session.commit()
    _run_days(tenant_a, date(2026, 12, 1), date(2026, 12, 31))
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        assert period.status == "locked" and period.published_at is not None
        late = calendar.late_stages(date(2026, 12, 31), tenants=[tenant_a])
        assert [x.stage for x in late] == ["annual"]  # the year itself is the head's to approve
        assert [n.dedupe_key.split(":")[1] for n in _late_notes(ward_a["head_user"])] == ["annual"]


def test_calendar_unreviewed_report_makes_the_unit_late_at_review(tenant_a, ward_a):
    """A submitted report nobody reviewed by the review deadline: late at review (and at
    approval once that deadline passes too)."""
    with tenant_context(tenant_a):
        period, _report = _work(tenant_a, ward_a, review=False)
        day = period.review_until + timedelta(days=1)
        assert [x.stage for x in calendar.late_stages(day, tenants=[tenant_a])] == ["review"]
        result = calendar.run(day)
        assert result["late"] == 1 and result["notified"] == 1


def test_calendar_extension_moves_the_deadline_and_is_audited(tenant_a, ward_a, admin_a):
    """An administrator extends the approval window with a reason: the period's deadline
    moves, the extension is stored and audited, and the unit is no longer late."""
    with tenant_context(tenant_a):
        period, _report = _work(tenant_a, ward_a)
        day = period.approval_until + timedelta(days=2)
        assert calendar.late_stages(day, tenants=[tenant_a])
        made = window_extensions.extend_window(
            period,
            "approval",
            date(2026, 12, 20),
            "Chủ tịch đi công tác, phê duyệt sau khi về",
            actor=admin_a,
            today=day,
        )
        db.session.commit()
        assert [(m.window_name, m.old_until, m.new_until) for m in made] == [
            ("approval", date(2026, 12, 10), date(2026, 12, 20))
        ]
        assert _get(Period, tenant_a, period.id).approval_until == date(2026, 12, 20)
        assert calendar.late_stages(day, tenants=[tenant_a]) == []
        event = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "period.window_extended")
        ).scalar_one()
        assert event.after["approval"] == "2026-12-20" and "công tác" in event.after["reason"]
        # The head can approve again inside the extended window.
        head = _get(User, tenant_a, ward_a["head_user"])
        assessments.approve(period, [ward_a["clerk"]], actor=head, today=day)


def test_calendar_extension_moves_later_windows_along(tenant_a, ward_a, admin_a):
    """Extending the review window past the approval deadline moves approval to that day."""
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        made = window_extensions.extend_window(
            period, "review", date(2026, 12, 12), "Thiếu cán bộ thẩm định", actor=admin_a,
            today=TODAY,
        )  # fmt: skip
        assert [m.window_name for m in made] == ["review", "approval"]
        assert (period.review_until, period.approval_until) == (date(2026, 12, 12),) * 2


@pytest.mark.parametrize(
    ("new_until", "reason", "code"),
    [
        (date(2026, 12, 10), "Lý do đủ dài để ghi nhận", "not_later"),
        (date(2026, 12, 9), "Lý do đủ dài để ghi nhận", "not_later"),
        (date(2026, 12, 15), "ngắn", "reason_required"),
        (date(2027, 6, 1), "Lý do đủ dài để ghi nhận", "too_far"),
        (None, "Lý do đủ dài để ghi nhận", "invalid_date"),
    ],
)
def test_calendar_extension_refuses_invalid_input(
    tenant_a, ward_a, admin_a, new_until, reason, code
):
    """A new date not after the old one, too far, missing, or a short reason: refused."""
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        with pytest.raises(ServiceError) as caught:
            window_extensions.extend_window(
                period, "approval", new_until, reason, actor=admin_a, today=TODAY
            )
        assert caught.value.code == code
        assert period.approval_until == date(2026, 12, 10)


def test_calendar_extension_only_by_an_administrator(tenant_a, ward_a):
    """A manager or a staff member cannot extend a window."""
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        head = _get(User, tenant_a, ward_a["head_user"])
        with pytest.raises(ServiceError) as caught:
            window_extensions.extend_window(
                period, "approval", date(2026, 12, 15), "Lý do đủ dài để ghi nhận", actor=head,
                today=TODAY,
            )  # fmt: skip
        assert caught.value.status == 403


def test_calendar_isolation_unit_b_sees_nothing_of_unit_a(
    factory, tenant_a, tenant_b, ward_a, admin_a, admin_b
):
    """Unit B cannot find unit A's period to extend, sees none of its extensions, and its
    lateness does not include unit A's."""
    with tenant_context(tenant_a):
        period, _report = _work(tenant_a, ward_a)
        window_extensions.extend_window(
            period, "report", date(2026, 12, 5), "Mất điện cả tuần cuối tháng", actor=admin_a,
            today=TODAY,
        )  # fmt: skip
        db.session.commit()
        period_id = period.id
    day = date(2026, 12, 20)
    with tenant_context(tenant_b):
        with pytest.raises(ServiceError) as caught:
            periods.get_period(period_id)
        assert caught.value.status == 404
        assert window_extensions.extensions_of([period_id]) == {}
        assert db.session.execute(sa.select(WindowExtension)).scalars().all() == []
        assert calendar.late_stages(day, tenants=[tenant_b]) == []
        calendar.run(day)
        db.session.commit()
    with tenant_context(tenant_a):
        assert _get(Period, tenant_a, period_id).status == "open"
        assert calendar.late_stages(day, tenants=[tenant_a])


def test_calendar_annual_deadline_defaults_to_15_december(tenant_a):
    """15 December by default; 15 January of the next year where the settings say so."""
    with tenant_context(tenant_a):
        assert calendar.annual_deadline(2026) == date(2026, 12, 15)
        tenant_a.settings = {"calendar": {"annual_deadline": "01-15"}}
        assert calendar.annual_deadline(2026) == date(2027, 1, 15)
        tenant_a.settings = {"calendar": {"annual_deadline": "02-30"}}
        assert calendar.annual_deadline(2026) == date(2026, 12, 15)


@pytest.mark.parametrize(
    ("setting", "deadline"), [(None, date(2026, 12, 15)), ("01-15", date(2027, 1, 15))]
)
def test_calendar_annual_stage_proposed_then_late_at_its_deadline(
    tenant_a, ward_a, setting, deadline
):
    """The engine proposes the year when the annual stage opens; at the deadline an unapproved
    year makes the unit late at the annual stage, notified once."""
    with tenant_context(tenant_a):
        if setting:
            tenant_a.settings = {"calendar": {"annual_deadline": setting}}
        _work(tenant_a, ward_a)
        db.session.commit()
    _run_days(tenant_a, deadline.replace(day=1), deadline.replace(day=1))
    with tenant_context(tenant_a):
        assert annual.year_status(annual.rows_of(2026)) == "proposed"
    _run_days(tenant_a, deadline, deadline + timedelta(days=3))
    with tenant_context(tenant_a):
        late = [
            x
            for x in calendar.late_stages(deadline + timedelta(days=3), tenants=[tenant_a])
            if x.stage == "annual"
        ]
        assert [(x.period_code, x.days_late) for x in late] == [("2026", 3)]
        notes = [
            n
            for n in _late_notes(ward_a["head_user"])
            if "2026:" in n.message or "2026" in n.message
        ]
        assert len([n for n in notes if n.dedupe_key.startswith("late:annual")]) == 1


def test_calendar_whole_year_every_period_locks(factory, tenant_a):
    """A unit opening periods automatically, simulated from 1 January to 31 January of the
    next year with no work: every month of 2026 is opened, closed and locked on time."""
    ward = build_ward(factory, tenant_a, "-y")
    with tenant_context(tenant_a):
        db.session.delete(_get(Period, tenant_a, ward["period"]))
        tenant_a.settings = {"auto_open_periods": True}
        db.session.commit()
    from tenant_app.services.evaluation import reminders

    for day in _days(date(2026, 1, 1), date(2027, 1, 31)):
        with tenant_context(tenant_a):
            reminders.open_due_period(day)
            calendar.run(day)
            db.session.commit()
    with tenant_context(tenant_a):
        rows = {p.code: p.status for p in periods.list_periods() if p.year == 2026}
        assert sorted(rows) == [f"2026-{m:02d}" for m in range(1, 13)]
        assert set(rows.values()) == {"locked"}


def test_calendar_approved_year_is_published_at_its_deadline(tenant_a, ward_a):
    """A year the head approved before 15 December is published by the scheduler the day
    after the deadline, and the unit is not late at the annual stage."""
    with tenant_context(tenant_a):
        _work(tenant_a, ward_a)
        head = _get(User, tenant_a, ward_a["head_user"])
        annual.compute_year(2026, actor=head)
        annual.approve(2026, actor=head)
        db.session.commit()
    _run_days(tenant_a, date(2026, 12, 15), date(2026, 12, 16))
    with tenant_context(tenant_a):
        assert annual.year_status(annual.rows_of(2026)) == "published"
        late = calendar.late_stages(date(2026, 12, 16), tenants=[tenant_a])
        assert "annual" not in [x.stage for x in late]


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    days=st.lists(
        st.dates(min_value=date(2026, 11, 28), max_value=date(2026, 12, 20)),
        min_size=1,
        max_size=6,
    )
)
def test_calendar_any_repetition_of_days_ends_in_the_same_state(tenant_a, ward_a, days):
    """Property: running the calendar on any days, each any number of times (a scheduler run
    twice, restarted, or a day replayed, even out of order) leaves the same record as running
    each distinct day once in order: each event once, the same events, the same status."""
    with tenant_context(tenant_a):
        db.session.execute(sa.delete(CalendarEvent))
        db.session.execute(sa.delete(Notification))
        period = _get(Period, tenant_a, ward_a["period"])
        period.status = "open"
        db.session.commit()
    for day in days + days[::-1]:
        with tenant_context(tenant_a):
            calendar.run(day)
            db.session.commit()
    with tenant_context(tenant_a):
        seen = sorted(
            db.session.execute(sa.select(CalendarEvent.event, CalendarEvent.deadline)).all()
        )
        status = _get(Period, tenant_a, ward_a["period"]).status
        db.session.execute(sa.delete(CalendarEvent))
        _get(Period, tenant_a, ward_a["period"]).status = "open"
        db.session.commit()
    for day in sorted(set(days)):
        with tenant_context(tenant_a):
            calendar.run(day)
            db.session.commit()
    with tenant_context(tenant_a):
        once = sorted(
            db.session.execute(sa.select(CalendarEvent.event, CalendarEvent.deadline)).all()
        )
        assert len(seen) == len(set(seen))
        assert seen == once
        assert status == _get(Period, tenant_a, ward_a["period"]).status


def test_calendar_runs_in_the_scheduler_daily_job(app, tenant_a, ward_a):
    """The scheduler's daily job (in-process without Redis) moves the unit's periods on: the
    empty month closes on 11 December, and the job run again that day changes nothing."""
    from tenant_app.background.runner import execute, func_path
    from tenant_app.jobs import evaluation as evaluation_jobs

    path = func_path(evaluation_jobs.daily)
    first = execute(path, tenant_a.id, None, ("2026-12-11",))
    assert first["calendar"]["closed"] == ["2026-11"]
    again = execute(path, tenant_a.id, None, ("2026-12-11",))
    assert again["calendar"]["closed"] == [] and again["calendar"]["ended"] == []
