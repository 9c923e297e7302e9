"""Helpers of the evaluation view tests: a ward whose open period contains today, quick data."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, Period, Report
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import assessments, assignments, periods, reports, scores
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.security.samples import pdf_bytes

# A real PDF: the evidence service accepts only files that open (tenant_app.security.filetypes).
PDF = pdf_bytes()


def ward_today(factory, tenant, suffix=""):
    """build_ward, plus (if needed) the month of today opened, so every window is open now."""
    ward = build_ward(factory, tenant, suffix)
    today = date.today()
    with tenant_context(tenant):
        code = periods.period_code("month", today.year, today.month)
        period = periods.find_period(code) or periods.open_period(
            year=today.year, number=today.month, kind="month"
        )
        db.session.commit()
        ward["period"] = period.id
    return ward


def get(model, tenant, key):
    return db.session.get(model, (tenant.id, key))


def assign(tenant, ward, code="T1", quantity=10):
    """Assign ``quantity`` of item ``code`` to the clerk (by the head); returns the id."""
    with tenant_context(tenant):
        period = get(Period, tenant, ward["period"])
        assignment = assignments.assign(
            period,
            get(StaffMember, tenant, ward["clerk"]),
            get(CatalogueItem, tenant, ward["items"][code]),
            quantity=quantity,
            due_on=period.ends_on,
            actor=get(User, tenant, ward["head_user"]),
        )
        db.session.commit()
        return assignment.id


def report(tenant, ward, assignment_id, completed, *, submit=True, evidence=False):
    """The clerk reports ``completed`` done today; returns the report id."""
    from tenant_app.services.evaluation import evidence as evidence_service

    with tenant_context(tenant):
        clerk_user = get(User, tenant, ward["clerk_user"])
        row = reports.save_report(
            get(Assignment, tenant, assignment_id),
            actor=clerk_user,
            completed=completed,
            completed_on=date.today(),
            submit=submit,
        )
        if evidence:
            evidence_service.add_evidence(
                row, filename="bien-ban.pdf", stream=io.BytesIO(PDF), actor=clerk_user
            )
        db.session.commit()
        return row.id


def review(tenant, ward, report_id, *, errors=0, delays=0):
    with tenant_context(tenant):
        reports.review_report(
            get(Report, tenant, report_id),
            actor=get(User, tenant, ward["head_user"]),
            accept=True,
            major_errors=errors,
            delays=delays,
            delay_reason="Đối chiếu sổ theo dõi văn bản",
        )
        db.session.commit()


def golden_month(tenant, ward, *, assess=True):
    """The DOMAIN.md worked example through the services, scored; returns the clerk's score."""
    plan = {"T1": (10, 10, 1, 2), "T2": (2, 2, 0, 0), "T3": (1, 0, 0, 0)}
    for code, (qty, done, errors, delays) in plan.items():
        rid = report(tenant, ward, assign(tenant, ward, code, qty), done)
        review(tenant, ward, rid, errors=errors, delays=delays)
    with tenant_context(tenant):
        period = get(Period, tenant, ward["period"])
        clerk = get(StaffMember, tenant, ward["clerk"])
        if assess:
            for stage, user in (("self", "clerk_user"), ("manager", "head_user")):
                assessments.save_assessment(
                    period,
                    clerk,
                    stage=stage,
                    general=[9, 9, 9],
                    actor=get(User, tenant, ward[user]),
                )
        score = scores.rescore_person(period, clerk.id)
        db.session.commit()
        return score


def count(model, tenant, *where) -> int:
    with tenant_context(tenant):
        return db.session.execute(
            sa.select(sa.func.count()).select_from(model).where(*where)
        ).scalar_one()
