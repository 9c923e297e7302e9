"""Evaluation: periods, assigned work, reports with evidence, reviews, assessments, discipline.

A period records the rule set and parameters it was opened with, and an assignment the
coefficient in force when it was made, so a closed period is always rescored the same way.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.util import identity_key

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, tenant_fk, utcnow
from tenant_app.models.vocabulary import (
    COUNTED_REPORT_STATUSES,
    DEFAULT_APPROVAL_CHAIN,
    AnnualStatus,
    AssessmentStage,
    IncomeRunStatus,
    PeriodStatus,
    ReportStatus,
    values,
)


def _known(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


PERIOD_KINDS = ("month", "quarter")
PERIOD_STATUSES = values(PeriodStatus)
REPORT_STATUSES = values(ReportStatus)
ASSESSMENT_STAGES = values(AssessmentStage)
ANNUAL_STATUSES = values(AnnualStatus)
INCOME_RUN_STATUSES = values(IncomeRunStatus)
SEVERITIES = (
    "khien_trach",
    "canh_cao",
    "ha_bac_luong",
    "giang_chuc",
    "cach_chuc",
    "buoc_thoi_viec",
)

LABELS = {
    "month": _l("Tháng"),
    "quarter": _l("Quý"),
    "open": _l("Đang mở"),
    "closed": _l("Đã đóng"),
    "locked": _l("Đã khóa"),
    "draft": _l("Nháp"),
    "submitted": _l("Đã gửi, chờ thẩm định"),
    "accepted": _l("Đã chấp nhận"),
    "returned": _l("Trả lại để bổ sung"),
    "self": _l("Tự đánh giá"),
    "manager": _l("Người quản lý trực tiếp"),
    "deputy": _l("Cấp phó phụ trách"),
    "leader": _l("Người đứng đầu phê duyệt"),
    "khien_trach": _l("Khiển trách"),
    "canh_cao": _l("Cảnh cáo"),
    "ha_bac_luong": _l("Hạ bậc lương"),
    "giang_chuc": _l("Giáng chức"),
    "cach_chuc": _l("Cách chức"),
    "buoc_thoi_viec": _l("Buộc thôi việc"),
}


def label(value: str | None) -> str:
    return "" if value is None else str(LABELS.get(value, value))


class Period(TenantScoped, db.Model):
    """An evaluation period (month or quarter) with its windows and frozen scoring rules."""

    __tablename__ = "periods"

    kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    code: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # 2026-11, 2026-Q4
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    report_until: Mapped[date] = mapped_column(sa.Date, nullable=False)
    self_assessment_until: Mapped[date] = mapped_column(sa.Date, nullable=False)
    review_until: Mapped[date] = mapped_column(sa.Date, nullable=False)
    approval_until: Mapped[date] = mapped_column(sa.Date, nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(8), nullable=False, default=PeriodStatus.OPEN.value
    )
    rule_set: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    params: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    # {staff_type: rule set code} resolved when the period opened (public employees under their
    # own decree); None for periods opened before 0020: everyone under ``rule_set``.
    rule_sets: Mapped[dict | None] = mapped_column(sa.JSON)
    # The approval chain copied from the configuration when the period opened (never changed
    # after): a later switch of the chain applies to later periods only.
    approval_chain: Mapped[list] = mapped_column(
        sa.JSON,
        nullable=False,
        default=lambda: list(DEFAULT_APPROVAL_CHAIN),
        server_default=sa.text('\'["self", "manager", "leader"]\''),
    )
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    opened_by: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "kind", "year", "number"),
        sa.UniqueConstraint("tenant_id", "code"),
        sa.CheckConstraint(_known("kind", PERIOD_KINDS), name="kind_known"),
        sa.CheckConstraint(_known("status", PERIOD_STATUSES), name="status_known"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{_l('Tháng')} {self.number:02d}/{self.year}"
        return f"{_l('Quý')} {self.number}/{self.year}"


class Assignment(TenantScoped, db.Model):
    """Work assigned to a person for a period (giao việc), with the coefficient then in force."""

    __tablename__ = "assignments"

    period_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    item_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    version_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False)
    coefficient: Mapped[Decimal] = mapped_column(sa.Numeric(8, 3), nullable=False)
    due_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    directing: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    assigned_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    # Fed work ("từ hệ thống"): the quantity and the report come from this data source's
    # dossiers, not from a manager and the person; only the review stays by hand.
    feed_source_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["period_id"], "periods"),
        tenant_fk(["staff_id"], "staff"),
        tenant_fk(["item_id"], "catalogue_items"),
        tenant_fk(["version_id"], "catalogue_versions"),
        tenant_fk(["assigned_by"], "users"),
        tenant_fk(["feed_source_id"], "feed_sources"),
        sa.Index("ix_assignments_tenant_period_staff", "tenant_id", "period_id", "staff_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("coefficient > 0", name="coefficient_positive"),
    )


class Report(TenantScoped, db.Model):
    """What the person reports for one assignment, and the manager's review of it."""

    __tablename__ = "reports"

    @staticmethod
    def __revision_owner__(obj, identity_map):
        """The person of the report's assignment, when that assignment is loaded."""
        assignment = identity_map.get(identity_key(Assignment, (obj.tenant_id, obj.assignment_id)))
        return None if assignment is None else ("staff", assignment.staff_id, "assignment_id")

    assignment_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    completed: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False, default=0)
    completed_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(
        sa.String(12), nullable=False, default=ReportStatus.DRAFT.value
    )
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    links: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Review by the manager (kept on the report; every change is an audit event).
    major_errors: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    delays: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    exempt_errors: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    exempt_delays: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    exemption_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    # The exemption as proposed by the reviewer, with its proof (one of the report's evidence
    # files), and its decision by the role the period's parameters name (``exemption_approver``):
    # ``exempt_errors`` / ``exempt_delays`` (what the engine reads) stay 0 until it is approved.
    proposed_exempt_errors: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=0, server_default="0"
    )
    proposed_exempt_delays: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=0, server_default="0"
    )
    exemption_status: Mapped[str | None] = mapped_column(sa.String(10))
    exemption_evidence_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    exemption_proposed_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    exemption_decided_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    exemption_decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Delays as the dates say (completed after the due date: 1, else 0), proposed to the
    # reviewer, who confirms them in ``delays`` or corrects them with a reason.
    proposed_delays: Mapped[int | None] = mapped_column(sa.Integer)
    delay_correction_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    review_comment: Mapped[str | None] = mapped_column(sa.String(1000))
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    returned_count: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=0, server_default="0"
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    __table_args__ = (
        tenant_fk(["assignment_id"], "assignments"),
        tenant_fk(["reviewed_by"], "users"),
        tenant_fk(["exemption_proposed_by"], "users"),
        tenant_fk(["exemption_decided_by"], "users"),
        sa.UniqueConstraint("tenant_id", "assignment_id"),
        sa.CheckConstraint(_known("status", REPORT_STATUSES), name="status_known"),
        sa.CheckConstraint("completed >= 0", name="completed_not_negative"),
        sa.CheckConstraint(
            "major_errors >= 0 AND delays >= 0 AND exempt_errors >= 0 AND exempt_delays >= 0 "
            "AND exempt_errors <= major_errors AND exempt_delays <= delays",
            name="review_counts_valid",
        ),
        sa.CheckConstraint(
            "exemption_status IS NULL OR exemption_status IN ('proposed', 'approved', 'refused')",
            name="exemption_status_known",
        ),
        sa.CheckConstraint(
            "proposed_exempt_errors >= 0 AND proposed_exempt_delays >= 0 "
            "AND proposed_exempt_errors <= major_errors AND proposed_exempt_delays <= delays",
            name="proposed_exemption_valid",
        ),
    )

    @hybrid_property
    def counts(self) -> bool:
        """Whether the report counts towards the score: submitted or accepted (the one rule)."""
        return self.status in COUNTED_REPORT_STATUSES

    @counts.inplace.expression
    @classmethod
    def _counts_expression(cls) -> sa.ColumnElement[bool]:
        return cls.status.in_(COUNTED_REPORT_STATUSES)


class EvidenceFile(TenantScoped, db.Model):
    """A file attached to a report; stored under the tenant's own folder, never served across."""

    __tablename__ = "evidence_files"

    @staticmethod
    def __revision_owner__(obj, identity_map):
        """The person of the file's report, when the report and its assignment are loaded."""
        report = identity_map.get(identity_key(Report, (obj.tenant_id, obj.report_id)))
        found = None if report is None else Report.__revision_owner__(report, identity_map)
        return None if found is None else ("staff", found[1], "report_id")

    report_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    filename: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    # When the retention run deleted the file (``services.files.retention``); the row is kept.
    purged_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    __table_args__ = (
        tenant_fk(["report_id"], "reports"),
        tenant_fk(["uploaded_by"], "users"),
    )


class Assessment(TenantScoped, db.Model):
    """General-criteria points of one stage (self, manager, deputy, leader) for a person and
    period; every stage's row is kept."""

    __tablename__ = "assessments"

    period_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    stage: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    general: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    organising: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))  # leaders only
    comment: Mapped[str | None] = mapped_column(sa.String(1000))
    by_user: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    # Set instead of ``by_user`` when the competent higher level assessed the unit's head.
    by_province_user: Mapped[int | None] = mapped_column(
        sa.Integer, sa.ForeignKey("province_users.id")
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    __table_args__ = (
        tenant_fk(["period_id"], "periods"),
        tenant_fk(["staff_id"], "staff"),
        tenant_fk(["by_user"], "users"),
        sa.UniqueConstraint("tenant_id", "period_id", "staff_id", "stage"),
        sa.CheckConstraint(_known("stage", ASSESSMENT_STAGES), name="stage_known"),
    )


class DisciplineRecord(TenantScoped, db.Model):
    """A disciplinary decision; from reprimand up it forces a fail for the year it falls in."""

    __tablename__ = "discipline_records"

    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    decision_number: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    decision_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    authority: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    severity: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="discipline")
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["staff_id"], "staff"),
        sa.UniqueConstraint("tenant_id", "decision_number"),
        sa.CheckConstraint(_known("severity", SEVERITIES), name="severity_known"),
    )


class PeriodScore(TenantScoped, db.Model):
    """The computed score of a person for a period, with its explanation and the rules used."""

    __tablename__ = "period_scores"

    period_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    a: Mapped[Decimal] = mapped_column(sa.Numeric(12, 6), nullable=False)
    b: Mapped[Decimal] = mapped_column(sa.Numeric(12, 6), nullable=False)
    c: Mapped[Decimal] = mapped_column(sa.Numeric(12, 6), nullable=False)
    task_score: Mapped[Decimal] = mapped_column(sa.Numeric(12, 6), nullable=False)
    task_points: Mapped[Decimal] = mapped_column(sa.Numeric(12, 6), nullable=False)
    general_points: Mapped[Decimal] = mapped_column(sa.Numeric(12, 6), nullable=False)
    # Floored to 6 places, so it never disagrees with ``grade``; ``total_exact`` is the exact
    # rational ("490/7"), what annual averages are computed from (None on rows scored by engine 1).
    total: Mapped[Decimal] = mapped_column(sa.Numeric(12, 6), nullable=False)
    total_exact: Mapped[str | None] = mapped_column(sa.String(200))
    grade: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    self_total: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 6))
    forced_fail: Mapped[str | None] = mapped_column(sa.String(32))
    stage: Mapped[str] = mapped_column(
        sa.String(8), nullable=False, default=AssessmentStage.SELF.value
    )
    # Engine 1 stored the explanation itself; engine 2 stores the inputs it scored (``inputs``)
    # and renders the explanation from them when someone looks.
    explanation: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    inputs: Mapped[dict | None] = mapped_column(sa.JSON)
    # {stage: {"total": exact rational, "grade": code}} for every stage recorded: what each
    # stage's points gave, kept beside the final result (the last stage's).
    stage_results: Mapped[dict | None] = mapped_column(sa.JSON)
    rule_set: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    engine_version: Mapped[str] = mapped_column(
        sa.String(16), nullable=False, default="1", server_default="1"
    )
    # A leader scored while some subordinates had no score yet: recomputed when they get one.
    provisional: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    inputs_digest: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    approved_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    # Set instead of ``approved_by`` when the competent higher level approved the unit's head.
    approved_by_province: Mapped[int | None] = mapped_column(
        sa.Integer, sa.ForeignKey("province_users.id")
    )
    approved_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # How many times the total or grade changed after the period's results were published.
    revisions_after_publication: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=0, server_default="0"
    )
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["period_id"], "periods"),
        tenant_fk(["staff_id"], "staff"),
        tenant_fk(["approved_by"], "users"),
        sa.UniqueConstraint("tenant_id", "period_id", "staff_id"),
        sa.CheckConstraint("grade IN ('HTXS', 'HTT', 'HTNV', 'KHTNV')", name="grade_known"),
    )


class ScoringProblem(TenantScoped, db.Model):
    """Why a person with work in a period could not be scored (the field and the message).

    Kept until the person is scored; the period's pages list these so nobody is skipped silently.
    """

    __tablename__ = "scoring_problems"

    period_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    field: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    message: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["period_id"], "periods"),
        tenant_fk(["staff_id"], "staff"),
        sa.UniqueConstraint("tenant_id", "period_id", "staff_id"),
    )


class Notification(TenantScoped, db.Model):
    """An in-app message to one user (work assigned, report returned, score published, …)."""

    __tablename__ = "notifications"

    @staticmethod
    def __revision_owner__(obj, identity_map):
        return "user", obj.user_id, "user_id"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    message: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    link: Mapped[str | None] = mapped_column(sa.String(300))
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120))
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["user_id"], "users"),
        sa.UniqueConstraint("tenant_id", "user_id", "dedupe_key"),
        sa.Index("ix_notifications_tenant_user_read", "tenant_id", "user_id", "read_at"),
    )


class AnnualClassification(TenantScoped, db.Model):
    """A person's yearly classification: the average of the periods worked, then the head's call.

    ``proposed_grade`` comes from the engine; ``final_grade`` differs only by a recorded decision
    (quota lowering), never silently.
    """

    __tablename__ = "annual_classifications"

    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    average: Mapped[Decimal] = mapped_column(sa.Numeric(12, 6), nullable=False)
    average_exact: Mapped[str | None] = mapped_column(sa.String(200))
    periods_counted: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    proposed_grade: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    final_grade: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    forced_fail: Mapped[str | None] = mapped_column(sa.String(32))
    decision_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    status: Mapped[str] = mapped_column(
        sa.String(12), nullable=False, default=AnnualStatus.PROPOSED.value
    )
    decided_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    # Set instead of ``decided_by`` when the competent higher level decided the unit's head.
    decided_by_province: Mapped[int | None] = mapped_column(
        sa.Integer, sa.ForeignKey("province_users.id")
    )
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    explanation: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)

    __table_args__ = (
        tenant_fk(["staff_id"], "staff"),
        tenant_fk(["decided_by"], "users"),
        sa.UniqueConstraint("tenant_id", "year", "staff_id"),
        sa.CheckConstraint(_known("status", ANNUAL_STATUSES), name="status_known"),
    )


NOT_CLASSIFIED_REASONS = ("under_min_months", "no_period_worked")


class AnnualNotClassified(TenantScoped, db.Model):
    """A person the rule set does not classify for the year (Decree 90/2020: under 6 months
    worked without maternity leave, or no period worked), with the reason and the steps that
    say why; written by ``annual.compute_year`` beside the classifications, shown as "Không xếp
    loại" on the annual screen and in the person's explanation. No grade, so no quota, income
    or comparison counts it."""

    __tablename__ = "annual_not_classified"

    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    explanation: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)

    __table_args__ = (
        tenant_fk(["staff_id"], "staff"),
        sa.UniqueConstraint("tenant_id", "year", "staff_id"),
        sa.CheckConstraint(_known("reason", NOT_CLASSIFIED_REASONS), name="reason_known"),
    )


class IncomeRun(TenantScoped, db.Model):
    """A monthly supplementary-income computation for the unit under one scheme."""

    __tablename__ = "income_runs"

    period_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    scheme: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    settings: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    total: Mapped[Decimal] = mapped_column(sa.Numeric(16, 0), nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(12), nullable=False, default=IncomeRunStatus.DRAFT.value
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["period_id"], "periods"),
        tenant_fk(["created_by"], "users"),
        sa.UniqueConstraint("tenant_id", "period_id"),
        sa.CheckConstraint(_known("status", INCOME_RUN_STATUSES), name="status_known"),
    )


class IncomeLine(TenantScoped, db.Model):
    """One person's amount in an income run, with how it was computed."""

    __tablename__ = "income_lines"

    run_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    grade: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    salary: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 0))
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(14, 0), nullable=False)
    explanation: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    # Each month's determination: [{"month", "grade", "salary", "amount", "missing_salary"}].
    months: Mapped[list | None] = mapped_column(sa.JSON)

    @property
    def missing_salary_months(self) -> list[str]:
        """The months not paid because no salary was on record."""
        return [m["month"] for m in self.months or () if m.get("missing_salary")]

    __table_args__ = (
        tenant_fk(["run_id"], "income_runs"),
        tenant_fk(["staff_id"], "staff"),
        sa.UniqueConstraint("tenant_id", "run_id", "staff_id"),
    )
