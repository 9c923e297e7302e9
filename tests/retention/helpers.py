"""Makers of the retention tests: files of every kind, aged on disk and in their rows."""

from __future__ import annotations

import io
import os
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from tenant_app import config as settings
from tenant_app.extensions import db
from tenant_app.models import AuditEvent, ProvinceAuditEvent, User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Period
from tenant_app.models.jobs import JobRun
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import JobStatus
from tenant_app.services.evaluation import assignments, evidence, periods, reports
from tenant_app.services.files import imports
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import TODAY
from tests.security.samples import pdf_bytes

PDF = pdf_bytes()
LONG_AGO = datetime(2020, 1, 15, 8, 0)


def age(path: Path, day: date) -> None:
    """Make ``path`` look last written at noon UTC on ``day``."""
    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp()
    os.utime(path, (at, at))


def import_run(tenant, *, committed: bool, at: datetime = LONG_AGO, status=None) -> Path:
    """An import of ``tenant`` made at ``at``: committed, or refused by validation; its file."""
    with tenant_context(tenant):
        result = (
            {"phase": "committed", "rows": 3, "problem_count": 0}
            if committed
            else {"phase": "validated", "rows": 3, "problem_count": 2}
        )
        run = JobRun(
            id=uuid.uuid4(),
            kind="import.staff",
            queue="io",
            status=status or JobStatus.SUCCEEDED,
            params={"kind": "staff", "filename": "nhan-su.xlsx", "size": 5},
            result=result,
            created_at=at,
            finished_at=at,
        )
        db.session.add(run)
        db.session.commit()
        path = imports.stored_file(run)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK xlsx bytes")
    age(path, at.date())
    return path


def unit_folder(app, tenant) -> Path:
    return settings.upload_dir(app.config) / str(tenant.id)


def orphan(app, tenant, name: str, day: date, *, evidence_folder=False) -> Path:
    folder = unit_folder(app, tenant) / ("evidence" if evidence_folder else "")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"left behind")
    age(path, day)
    return path


def attach_evidence(tenant, ward, *, staff_key="clerk", user_key="clerk_user"):
    """A report of the ward's clerk in period 2026-11 with one PDF attached; returns its row."""
    with tenant_context(tenant):
        period = db.session.get(Period, (tenant.id, ward["period"]))
        head = db.session.get(User, (tenant.id, ward["head_user"]))
        person = db.session.get(StaffMember, (tenant.id, ward[staff_key]))
        item = db.session.get(CatalogueItem, (tenant.id, ward["items"]["T1"]))
        assignment = assignments.assign(
            period, person, item, quantity=2, due_on=date(2026, 11, 25), actor=head
        )
        reporter = db.session.get(User, (tenant.id, ward[user_key]))
        report = reports.save_report(
            assignment, actor=reporter, completed=2, completed_on=date(2026, 11, 19), today=TODAY
        )
        row = evidence.add_evidence(
            report, filename="Biên bản.pdf", stream=io.BytesIO(PDF), actor=reporter
        )
        db.session.commit()
        path = evidence.evidence_path(row)
        return row.id, path


def lock(tenant, ward) -> date:
    """Close and lock the ward's period; return the day it was locked (UTC, as recorded)."""
    with tenant_context(tenant):
        period = db.session.get(Period, (tenant.id, ward["period"]))
        periods.close_period(period)
        periods.lock_period(period)
        db.session.commit()
    return datetime.now(UTC).date()


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def purge_events(tenant) -> list[AuditEvent]:
    with tenant_context(tenant):
        return list(
            db.session.execute(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "retention.purged")
                .order_by(AuditEvent.seq)
            ).scalars()
        )


def province_purge_events() -> list[ProvinceAuditEvent]:
    return list(
        db.session.execute(
            sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "retention.purged")
        ).scalars()
    )


def one_day() -> timedelta:
    return timedelta(days=1)
