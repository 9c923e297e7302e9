"""Row makers of the evaluation tables: periods, work, reports, scores, income, notifications."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tenant_app.extensions import db
from tenant_app.models.evaluation import (
    AnnualClassification,
    AnnualNotClassified,
    Assessment,
    Assignment,
    DisciplineRecord,
    EvidenceFile,
    IncomeLine,
    IncomeRun,
    Notification,
    Period,
    PeriodScore,
    Report,
    ScoringProblem,
)
from tenant_app.tenancy import tenant_context
from tests.tenancy.makers.workspace import _staff, _version


def _add(tenant, row):
    with tenant_context(tenant):
        db.session.add(row)
        db.session.commit()
    return row


def _period(factory, tenant, tag, number=None):
    number = number or 1 + sum(map(ord, tag)) % 12
    return _add(
        tenant,
        Period(
            kind="month",
            year=2026,
            number=number,
            code=f"2026-{number:02d}-{tag}",
            starts_on=date(2026, number, 1),
            ends_on=date(2026, number, 28),
            report_until=date(2026, number, 28),
            self_assessment_until=date(2026, number, 28),
            review_until=date(2026, number, 28),
            approval_until=date(2026, number, 28),
            rule_set="nd335_2025",
            params={},
        ),
    )


def _assignment(factory, tenant, tag):
    period = _period(factory, tenant, f"as{tag}")
    person = _staff(factory, tenant, f"as{tag}")
    version = _version(factory, tenant, f"as{tag}")
    return _add(
        tenant,
        Assignment(
            period_id=period.id,
            staff_id=person.id,
            item_id=version.item_id,
            version_id=version.id,
            quantity=Decimal(10),
            coefficient=Decimal(1),
            due_on=date(2026, 1, 20),
        ),
    )


def _report(factory, tenant, tag):
    assignment = _assignment(factory, tenant, f"rp{tag}")
    return _add(tenant, Report(assignment_id=assignment.id, completed=Decimal(5), note=tag))


def _evidence(factory, tenant, tag):
    report = _report(factory, tenant, f"ev{tag}")
    return _add(
        tenant,
        EvidenceFile(
            report_id=report.id,
            filename=f"{tag}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            storage_key=f"k-{tag}",
        ),
    )


def _assessment(factory, tenant, tag):
    period = _period(factory, tenant, f"am{tag}")
    person = _staff(factory, tenant, f"am{tag}")
    return _add(
        tenant,
        Assessment(
            period_id=period.id, staff_id=person.id, stage="self", general=[9, 9, 9], comment=tag
        ),
    )


def _discipline(factory, tenant, tag):
    person = _staff(factory, tenant, f"dc{tag}")
    return _add(
        tenant,
        DisciplineRecord(
            staff_id=person.id,
            decision_number=f"QĐ-{tag}",
            decision_date=date(2026, 3, 1),
            authority="UBND",
            severity="khien_trach",
        ),
    )


def _score(factory, tenant, tag):
    period = _period(factory, tenant, f"sc{tag}")
    person = _staff(factory, tenant, f"sc{tag}")
    zero = Decimal(0)
    return _add(
        tenant,
        PeriodScore(
            period_id=period.id,
            staff_id=person.id,
            a=zero,
            b=zero,
            c=zero,
            task_score=zero,
            task_points=zero,
            general_points=zero,
            total=zero,
            grade="KHTNV",
            rule_set="nd335_2025",
            inputs_digest="0" * 64,
        ),
    )


def _scoring_problem(factory, tenant, tag):
    period = _period(factory, tenant, f"sp{tag}")
    person = _staff(factory, tenant, f"sp{tag}")
    return _add(
        tenant,
        ScoringProblem(
            period_id=period.id, staff_id=person.id, field="items[0].completed", message=tag
        ),
    )


def _notification(factory, tenant, tag):
    user = factory.user(tenant, f"nt.{tag}")
    return _add(tenant, Notification(user_id=user.id, kind="test", message=tag))


def _annual(factory, tenant, tag):
    person = _staff(factory, tenant, f"an{tag}")
    return _add(
        tenant,
        AnnualClassification(
            year=2026,
            staff_id=person.id,
            average=Decimal(80),
            periods_counted=12,
            proposed_grade="HTT",
            final_grade="HTT",
            decision_reason=tag,
        ),
    )


def _not_classified(factory, tenant, tag):
    person = _staff(factory, tenant, f"nc{tag}")
    return _add(
        tenant,
        AnnualNotClassified(
            year=2025, staff_id=person.id, reason="under_min_months", explanation=[{"t": tag}]
        ),
    )


def _income_run(factory, tenant, tag):
    period = _period(factory, tenant, f"ir{tag}")
    return _add(
        tenant,
        IncomeRun(
            period_id=period.id, scheme="coefficient_salary", total=Decimal(0), status="draft"
        ),
    )


def _income_line(factory, tenant, tag):
    run = _income_run(factory, tenant, f"il{tag}")
    person = _staff(factory, tenant, f"il{tag}")
    return _add(
        tenant, IncomeLine(run_id=run.id, staff_id=person.id, grade="HTT", amount=Decimal(1500000))
    )


MAKERS = {
    "periods": (_period, "code"),
    "assignments": (_assignment, "note"),
    "reports": (_report, "note"),
    "evidence_files": (_evidence, "filename"),
    "assessments": (_assessment, "comment"),
    "discipline_records": (_discipline, "authority"),
    "period_scores": (_score, "rule_set"),
    "scoring_problems": (_scoring_problem, "message"),
    "notifications": (_notification, "message"),
    "annual_classifications": (_annual, "decision_reason"),
    "annual_not_classified": (_not_classified, "reason"),
    "income_runs": (_income_run, "scheme"),
    "income_lines": (_income_line, "grade"),
}
