"""Supplementary income (thu nhập tăng thêm): a run per period under the tenant's scheme.

The scheme and its settings come from the tenant's settings (``income_scheme``,
``income_settings``; default Đà Nẵng ``coefficient_salary``) unless the run names others. Only
approved period scores are paid. Each month is determined on its own: a quarter period is three
months at the quarter's grade; with ``payment = quarterly`` and monthly periods the run of a
quarter's last month pays the quarter's three months, each at its own grade. The salary of a
month is the one in force at its end (``services.workspace.salaries``), with the concurrent posts
held that month. A person whose grade pays but who has no salary on record is not paid for that
month (never the floor) and is listed for the unit. A draft run is replaced when re-run; an
approved run is final.
"""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scoring import (
    IncomeMonth,
    IncomePerson,
    ScoringInputError,
    compute_income,
    explanation_to_dict,
)
from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import IncomeLine, IncomeRun, Period
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import IncomeRunStatus
from tenant_app.services.errors import Conflict, ServiceError
from tenant_app.services.evaluation import income_months, scores
from tenant_app.services.evaluation.assessments import is_head_of_agency
from tenant_app.services.province import identity
from tenant_app.services.workspace import salaries as salary_history
from tenant_app.services.workspace.lookup import get_scoped
from tenant_app.tenancy.context import get_current_tenant

DEFAULT_SCHEME = "coefficient_salary"
VND_FORMAT = '#,##0 "₫"'
SCHEME_LABELS = {
    "coefficient_salary": _l("Hệ số theo xếp loại × tiền lương (Đà Nẵng)"),
    "fund_split": _l("Chia quỹ: 50% bình quân, 50% cho HTT và HTXS (Hà Nội)"),
}


def tenant_scheme() -> tuple[str, dict]:
    """The tenant's configured scheme code and settings."""
    settings = get_current_tenant().settings or {}
    return settings.get("income_scheme") or DEFAULT_SCHEME, dict(
        settings.get("income_settings") or {}
    )


def _may_run(actor) -> bool:
    return actor is not None and (actor.has_role("unit_admin") or is_head_of_agency(actor))


def get_run(run_id) -> IncomeRun:
    return get_scoped(IncomeRun, run_id, _("Không tìm thấy bảng tính thu nhập tăng thêm."))


def run_for(period: Period) -> IncomeRun | None:
    return db.session.execute(
        sa.select(IncomeRun).where(IncomeRun.period_id == period.id)
    ).scalar_one_or_none()


def list_runs() -> list[IncomeRun]:
    return list(
        db.session.execute(sa.select(IncomeRun).order_by(IncomeRun.created_at.desc())).scalars()
    )


def lines_of(run: IncomeRun) -> list[tuple[IncomeLine, StaffMember]]:
    """The run's lines with their people, by name."""
    return [
        (line, person)
        for line, person in db.session.execute(
            sa.select(IncomeLine, StaffMember)
            .join(StaffMember, tenant_join(StaffMember.id, IncomeLine.staff_id))
            .where(IncomeLine.run_id == run.id)
            .order_by(StaffMember.full_name, StaffMember.code)
        ).all()
    ]


def run_income(period: Period, *, actor, scheme: str | None = None, settings=None) -> IncomeRun:
    """Compute (or recompute a draft of) the period's supplementary income; return the run.

    Pays every approved period score. Raises ServiceError when the actor may not run it, the run
    is already approved, no score is approved, or the scheme or its settings are invalid (with
    the failing setting as the field).
    """
    if not _may_run(actor):
        raise ServiceError(
            "forbidden", _("Chỉ quản trị đơn vị hoặc người đứng đầu mới tính thu nhập."), status=403
        )
    default_scheme, default_settings = tenant_scheme()
    if scheme is None:
        scheme, settings = default_scheme, (default_settings if settings is None else settings)
    elif settings is None:
        settings = default_settings if scheme == default_scheme else {}
    existing = run_for(period)
    if existing is not None and existing.status == IncomeRunStatus.APPROVED:
        raise Conflict(
            "run_approved", _("Thu nhập kỳ %(code)s đã được phê duyệt.", code=period.code)
        )
    payment = str(dict(settings or {}).get("payment") or "monthly")
    months, periods = income_months.months_and_periods(period, payment)
    rows = scores.with_people([p.id for p in periods], approved_only=True)
    if not rows:
        raise ServiceError(
            "no_approved_scores",
            _("Kỳ %(code)s chưa có kết quả được phê duyệt để tính thu nhập.", code=period.code),
            status=409,
        )
    people, grades = income_months.people_and_grades(rows, periods, months)
    in_force = salary_history.salaries_by_month(list(people.values()), months)
    income_people = []
    for staff_id, person in people.items():
        person_months = []
        for year, month in months:
            grade = grades[staff_id].get((year, month))
            if grade is not None and not income_months.employed(person, year, month):
                grade = None
            main, held = in_force[staff_id][(year, month)]
            person_months.append(IncomeMonth(f"{year}-{month:02d}", grade, main, held))
        income_people.append(
            IncomePerson(
                str(staff_id),
                income_months.line_grade(grades[staff_id]),
                months=tuple(person_months),
            )
        )
    try:
        result = compute_income(income_people, scheme, dict(settings or {}))
    except ScoringInputError as error:
        field = "scheme" if error.field == "income.scheme" else error.field
        raise ServiceError("invalid_income_settings", error.message, field=field) from None
    before = None
    if existing is not None:
        before = {"total": existing.total, "scheme": existing.scheme}
        db.session.execute(
            sa.delete(IncomeLine)
            .where(IncomeLine.run_id == existing.id)
            .execution_options(synchronize_session=False)
        )
        run = existing
    else:
        run = IncomeRun(period_id=period.id)
        db.session.add(run)
    run.scheme = scheme
    run.settings = _jsonable(settings or {})
    run.total = result.total
    run.status = IncomeRunStatus.DRAFT
    run.created_by = actor.id
    db.session.flush()
    for paid in result.people:
        db.session.add(
            IncomeLine(
                run_id=run.id,
                staff_id=uuid.UUID(paid.person_id),
                grade=paid.grade.value,
                salary=max(
                    (m.base_salary for m in paid.months if m.base_salary is not None),
                    default=None,
                ),
                amount=paid.amount,
                explanation=explanation_to_dict(paid.explanation)
                + (explanation_to_dict(result.explanation) if result.scaled else []),
                months=[income_months.month_json(m) for m in paid.months],
            )
        )
    db.session.flush()
    audit.record(
        "income.computed",
        object_type="income_run",
        object_id=run.id,
        before=before,
        after={
            "period": period.code,
            "scheme": scheme,
            "total": result.total,
            "people": len(result.people),
            "capped": result.scaled,
            "months": [f"{y}-{m:02d}" for y, m in months],
            "missing_salary": sum(1 for p in result.people if p.missing_salary_months),
        },
        actor=actor,
    )
    return run


def missing_salaries(run: IncomeRun) -> list[tuple[IncomeLine, StaffMember]]:
    """The run's people not paid for some month because no salary was on record."""
    return [(line, person) for line, person in lines_of(run) if line.missing_salary_months]


def people_without_salary() -> list[StaffMember]:
    """People at work with no salary on record, listed for the unit before a run."""
    return salary_history.people_without_salary()


def approve_run(run: IncomeRun, *, actor) -> IncomeRun:
    """The head of the agency approves a draft run (then it can no longer be recomputed)."""
    if not is_head_of_agency(actor):
        raise ServiceError(
            "forbidden", _("Chỉ người đứng đầu cơ quan mới phê duyệt thu nhập."), status=403
        )
    if run.status != IncomeRunStatus.DRAFT:
        raise Conflict("run_approved", _("Bảng tính thu nhập đã được phê duyệt."))
    run.status = IncomeRunStatus.APPROVED
    audit.record(
        "income.approved",
        object_type="income_run",
        object_id=run.id,
        after={"total": run.total, "scheme": run.scheme},
        actor=actor,
    )
    return run


def _jsonable(settings: dict) -> dict:
    return {
        k: (str(v) if not isinstance(v, dict | list | bool | None) else v)
        for k, v in settings.items()
    }


HEADER = [
    "STT",
    "Mã nhân sự",
    "Họ và tên",
    "Xếp loại",
    "Tiền lương tháng (VND)",
    "Thu nhập tăng thêm (VND)",
    "Cách tính",
    "Từng tháng (VND)",
]
MISSING_HEADER = ["STT", "Mã nhân sự", "Họ và tên", "Tháng chưa có lương", "Lý do"]
MISSING_REASON = (
    "Chưa có tiền lương trong hồ sơ: tháng này không được tính (không áp dụng mức sàn)."
)


def _months_text(line: IncomeLine) -> str:
    parts = []
    for month in line.months or ():
        value = (
            "chưa có lương" if month.get("missing_salary") else str(int(Decimal(month["amount"])))
        )
        parts.append(f"{month['month']}: {value}")
    return "; ".join(parts)


def export_xlsx(run: IncomeRun) -> bytes:
    """The run as a workbook for the finance unit: Vietnamese headers, amounts as VND numbers,
    every text cell written formula-safe (a name starting with ``=`` stays text)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from tenant_app.services.files.spreadsheets import write_cell

    period = db.session.get(Period, (run.tenant_id, run.period_id))
    tenant = get_current_tenant()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Thu nhập tăng thêm"
    bold = Font(bold=True)
    info = [
        # The province's authority above the unit, as its forms print it (when it is set).
        *((("Cơ quan chủ quản", issuer),) if (issuer := identity.current().issuer) else ()),
        ("Đơn vị", tenant.name),
        ("Kỳ", period.code),
        ("Cách tính", str(SCHEME_LABELS.get(run.scheme, run.scheme))),
        ("Trạng thái", "Đã phê duyệt" if run.status == IncomeRunStatus.APPROVED else "Bản nháp"),
    ]
    for r, (key, value) in enumerate(info, start=1):
        write_cell(sheet.cell(row=r, column=1), key)
        sheet.cell(row=r, column=1).font = bold
        write_cell(sheet.cell(row=r, column=2), value)
    top = len(info) + 2
    for c, text in enumerate(HEADER, start=1):
        cell = sheet.cell(row=top, column=c)
        write_cell(cell, text)
        cell.font = bold
    row_number = top
    for number, (line, person) in enumerate(lines_of(run), start=1):
        row_number = top + number
        values = [
            number,
            person.code,
            person.full_name,
            line.grade,
            None if line.salary is None else int(line.salary),
            int(line.amount),
            "; ".join(step.get("formula", "") for step in line.explanation),
            _months_text(line),
        ]
        for c, value in enumerate(values, start=1):
            write_cell(sheet.cell(row=row_number, column=c), value)
        for c in (5, 6):
            sheet.cell(row=row_number, column=c).number_format = VND_FORMAT
    total_row = row_number + 1
    write_cell(sheet.cell(row=total_row, column=3), "Tổng cộng")
    sheet.cell(row=total_row, column=3).font = bold
    total = sheet.cell(row=total_row, column=6)
    total.value = int(run.total)
    total.number_format = VND_FORMAT
    total.font = bold
    sheet.freeze_panes = sheet.cell(row=top + 1, column=1)
    for c, width in enumerate((6, 14, 30, 10, 22, 24, 80, 40), start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    missing = workbook.create_sheet("Chưa có lương")
    for c, text in enumerate(MISSING_HEADER, start=1):
        write_cell(missing.cell(row=1, column=c), text)
        missing.cell(row=1, column=c).font = bold
    for number, (line, person) in enumerate(missing_salaries(run), start=1):
        values = [
            number,
            person.code,
            person.full_name,
            ", ".join(line.missing_salary_months),
            MISSING_REASON,
        ]
        for c, value in enumerate(values, start=1):
            write_cell(missing.cell(row=number + 1, column=c), value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(run: IncomeRun) -> str:
    period = db.session.get(Period, (run.tenant_id, run.period_id))
    stamp = datetime.now().strftime("%Y%m%d")
    return f"thu-nhap-tang-them-{period.code}-{stamp}.xlsx"
