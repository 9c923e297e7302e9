"""The vocabularies as string enums, the one rule of which reports count, and ``tenant_join``."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.base import tenant_join
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import (
    ASSESSMENT_STAGES,
    PERIOD_STATUSES,
    REPORT_STATUSES,
    Assignment,
    Period,
    PeriodScore,
    Report,
)
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import (
    COUNTED_REPORT_STATUSES,
    AssessmentStage,
    JobStatus,
    PeriodStatus,
    ReportStatus,
)
from tenant_app.services.evaluation import assignments
from tenant_app.tenancy import tenant_context


def _sql(clause) -> str:
    return str(clause.compile(compile_kwargs={"literal_binds": True}))


# --- the enums


def test_members_are_their_strings():
    """A member equals, hashes, prints and serialises as the string the database keeps."""
    assert ReportStatus.ACCEPTED == "accepted" and ReportStatus("accepted") is ReportStatus.ACCEPTED
    assert {"accepted": 1}[ReportStatus.ACCEPTED] == 1 and {ReportStatus.ACCEPTED: 1}[
        "accepted"
    ] == 1
    assert str(PeriodStatus.LOCKED) == "locked" and f"{AssessmentStage.SELF}" == "self"
    assert json.dumps({"s": JobStatus.FAILED}) == '{"s": "failed"}'


def test_constraint_values_come_from_the_enums():
    """The CHECK constraints and validators still list the same plain strings."""
    assert REPORT_STATUSES == ("draft", "submitted", "accepted", "returned")
    assert PERIOD_STATUSES == ("open", "closed", "locked")
    assert ASSESSMENT_STAGES == ("self", "manager", "deputy", "leader")
    assert all(type(v) is str for v in REPORT_STATUSES + PERIOD_STATUSES + ASSESSMENT_STAGES)
    checks = [
        str(c.sqltext) for c in Report.__table__.constraints if isinstance(c, sa.CheckConstraint)
    ]
    assert "status IN ('draft', 'submitted', 'accepted', 'returned')" in checks


def test_job_status_finished():
    assert [s for s in JobStatus if s.finished] == [JobStatus.SUCCEEDED, JobStatus.FAILED]


# --- which reports count


@pytest.mark.parametrize(
    ("status", "counts"),
    [("draft", False), ("submitted", True), ("accepted", True), ("returned", False)],
)
def test_report_counts_in_python(status, counts):
    """Submitted and accepted reports count; drafts and returned ones do not."""
    assert Report(status=status).counts is counts
    assert Report(status=ReportStatus(status)).counts is counts
    assert ReportStatus(status).counts is counts
    assert (status in COUNTED_REPORT_STATUSES) is counts


def test_report_counts_as_sql():
    assert _sql(Report.counts) == "reports.status IN ('submitted', 'accepted')"
    r = aliased(Report)
    assert _sql(r.counts) == "reports_1.status IN ('submitted', 'accepted')"


def test_report_counts_in_a_query(tenant_a, ward_a):
    """``Report.counts`` selects the same rows in the database as on the objects."""
    with tenant_context(tenant_a):
        head = db.session.get(User, (tenant_a.id, ward_a["head_user"]))
        clerk = db.session.get(StaffMember, (tenant_a.id, ward_a["clerk"]))
        period = db.session.get(Period, (tenant_a.id, ward_a["period"]))
        item = db.session.get(CatalogueItem, (tenant_a.id, ward_a["items"]["T1"]))
        by_status = {}
        for status in ReportStatus:
            assignment = assignments.assign(
                period, clerk, item, quantity=1, due_on=date(2026, 11, 25), actor=head
            )
            report = Report(assignment_id=assignment.id, status=status)
            db.session.add(report)
            by_status[status] = report
        db.session.flush()
        counted = set(
            db.session.execute(
                sa.select(Report.id)
                .join(Assignment, tenant_join(Report.assignment_id, Assignment.id))
                .where(Assignment.period_id == period.id, Report.counts)
            ).scalars()
        )
        assert counted == {r.id for r in by_status.values() if r.counts}
        assert counted == {
            by_status[ReportStatus.SUBMITTED].id,
            by_status[ReportStatus.ACCEPTED].id,
        }
        db.session.rollback()


# --- tenant_join


def test_tenant_join_is_the_hand_written_clause():
    """``tenant_join(a, b)`` is ``a.tenant_id == b.tenant_id AND a == b``, tenant first."""
    joined = tenant_join(Report.assignment_id, Assignment.id)
    by_hand = sa.and_(
        Report.tenant_id == Assignment.tenant_id, Report.assignment_id == Assignment.id
    )
    assert _sql(joined) == _sql(by_hand)
    assert _sql(joined) == (
        "reports.tenant_id = assignments.tenant_id AND reports.assignment_id = assignments.id"
    )


def test_tenant_join_takes_the_tenant_of_each_side_and_more_criteria():
    ps = aliased(PeriodScore)
    assert _sql(tenant_join(Period.id, ps.period_id, Period.year == 2026)) == (
        "periods.tenant_id = period_scores_1.tenant_id AND periods.id = period_scores_1.period_id"
        " AND periods.year = 2026"
    )
    table = Report.__table__
    assert _sql(tenant_join(table.c.assignment_id, Assignment.__table__.c.id)) == (
        "reports.tenant_id = assignments.tenant_id AND reports.assignment_id = assignments.id"
    )


def test_tenant_join_in_a_statement():
    stmt = sa.select(Report.id).join(Assignment, tenant_join(Report.assignment_id, Assignment.id))
    assert "JOIN assignments ON reports.tenant_id = assignments.tenant_id AND " in str(stmt)


# --- which assignments are late (the dashboard's rule, kept in the assignments service)


@pytest.mark.parametrize(
    ("status", "completed_on", "today", "late"),
    [
        (None, None, date(2026, 11, 24), False),  # no report, not yet due
        (None, None, date(2026, 11, 26), True),  # no report, past due
        ("draft", date(2026, 11, 20), date(2026, 11, 26), True),  # a draft does not count
        ("returned", date(2026, 11, 20), date(2026, 11, 26), True),
        ("submitted", date(2026, 11, 25), date(2026, 12, 30), False),  # on time
        ("accepted", date(2026, 11, 26), date(2026, 11, 26), True),  # done after the due date
        ("submitted", None, date(2026, 12, 30), False),  # counted, no completion date
    ],
)
def test_is_late(status, completed_on, today, late):
    assignment = Assignment(due_on=date(2026, 11, 25))
    report = None if status is None else Report(status=status, completed_on=completed_on)
    assert assignments.is_late(assignment, report, today) is late
