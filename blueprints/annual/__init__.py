"""The head's year-end pages: annual classification with the HTXS quota, and income runs."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scoring import Params
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.evaluation import annual, income, periods
from tenant_app.services.evaluation.assessments import is_head_of_agency, reserved_ids
from tenant_app.services.files.spreadsheets import XLSX_MIMETYPE
from tenant_app.tenancy.resolve import make_tenant_blueprint

bp = make_tenant_blueprint(Blueprint("annual", __name__, url_prefix="/t/<tenant_slug>"))
_readers = tenant_user_required("manager", "unit_admin")


def _require_reader() -> None:
    if not (current_user.has_role("unit_admin") or is_head_of_agency(current_user)):
        abort(403)


def _year() -> int:
    year = request.values.get("year", type=int) or date.today().year
    return year if 2000 <= year <= 2100 else date.today().year


def _act(action, success: str):
    """Run a service action, commit, flash the outcome (the service's message on refusal)."""
    try:
        action()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


@bp.get("/annual")
@_readers
def annual_page():
    _require_reader()
    year = _year()
    view = annual.view(year)
    names = {
        p.id: p
        for p in db.session.query(StaffMember).filter(
            StaffMember.id.in_([r.staff_id for r in (*view.rows, *view.not_classified)])
        )
    }
    params = Params()
    return render_template(
        "annual/annual.html",
        year=year,
        view=view,
        people=names,
        display=params.display,
        grades=("HTXS", "HTT", "HTNV", "KHTNV"),
        not_classified_label=annual.not_classified_label,
        in_violation={pid for v in view.violations for pid in v.htxs_person_ids},
        # Rows this user may not decide: their own, the head's and, when the configuration
        # says so, viên chức's (the competent higher level's).
        reserved=reserved_ids(
            [r.staff_id for r in view.rows], actor=current_user, higher_level=view.higher_level
        ),
    )


@bp.post("/annual/compute")
@_readers
def annual_compute():
    year = _year()
    _act(
        lambda: annual.compute_year(year, actor=current_user),
        _("Đã tính đề xuất xếp loại năm %(y)d.", y=year),
    )
    return redirect(url_for("annual.annual_page", year=year))


@bp.post("/annual/<uuid:classification_id>/decide")
@_readers
def annual_decide(classification_id):
    try:
        row = annual.get_classification(classification_id)
    except NotFound:
        abort(404)
    _act(
        lambda: annual.decide(
            row,
            final_grade=request.form.get("final_grade", ""),
            reason=request.form.get("reason", ""),
            actor=current_user,
        ),
        _("Đã ghi quyết định xếp loại."),
    )
    return redirect(url_for("annual.annual_page", year=row.year))


@bp.post("/annual/approve")
@_readers
def annual_approve():
    year = _year()
    _act(lambda: annual.approve(year, actor=current_user), _("Đã phê duyệt xếp loại năm."))
    return redirect(url_for("annual.annual_page", year=year))


@bp.post("/annual/publish")
@_readers
def annual_publish():
    year = _year()
    _act(lambda: annual.publish(year, actor=current_user), _("Đã công khai kết quả xếp loại."))
    return redirect(url_for("annual.annual_page", year=year))


@bp.get("/income")
@_readers
def income_page():
    _require_reader()
    runs = income.list_runs()
    period_by_id = {p.id: p for p in periods.list_periods()}
    scheme, settings = income.tenant_scheme()
    return render_template(
        "annual/income.html",
        runs=runs,
        periods=period_by_id,
        scheme=scheme,
        settings=settings,
        schemes=income.SCHEME_LABELS,
        without_salary=income.people_without_salary(),
    )


@bp.post("/income")
@_readers
def income_run():
    try:
        period = periods.get_period(request.form.get("period_id", ""))
    except NotFound:
        abort(404)
    scheme = request.form.get("scheme") or None
    settings = None
    fund = (request.form.get("fund") or "").replace(".", "").replace(",", "").strip()
    if scheme == "fund_split" and fund:
        try:
            settings = {"fund": Decimal(fund)}
        except InvalidOperation:
            flash(_("Quỹ chi phải là số tiền (VND)."), "error")
            return redirect(url_for("annual.income_page"))
    result = {}

    def run():
        result["run"] = income.run_income(
            period, actor=current_user, scheme=scheme, settings=settings
        )

    if _act(run, _("Đã tính thu nhập tăng thêm kỳ %(code)s.", code=period.code)):
        return redirect(url_for("annual.income_detail", run_id=result["run"].id))
    return redirect(url_for("annual.income_page"))


def _run_or_404(run_id):
    _require_reader()
    try:
        return income.get_run(run_id)
    except NotFound:
        abort(404)


@bp.get("/income/<uuid:run_id>")
@_readers
def income_detail(run_id):
    run = _run_or_404(run_id)
    period = periods.get_period(run.period_id)
    return render_template(
        "annual/income_run.html",
        run=run,
        period=period,
        lines=income.lines_of(run),
        missing=income.missing_salaries(run),
        scheme_label=income.SCHEME_LABELS.get(run.scheme, run.scheme),
    )


@bp.post("/income/<uuid:run_id>/approve")
@_readers
def income_approve(run_id):
    run = _run_or_404(run_id)
    _act(lambda: income.approve_run(run, actor=current_user), _("Đã phê duyệt."))
    return redirect(url_for("annual.income_detail", run_id=run_id))


@bp.get("/income/<uuid:run_id>.xlsx")
@_readers
def income_xlsx(run_id):
    run = _run_or_404(run_id)
    return send_file(
        io.BytesIO(income.export_xlsx(run)),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=income.export_filename(run),
    )
