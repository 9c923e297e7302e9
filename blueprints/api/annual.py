"""``/api/v1/t/<slug>/classifications`` and ``/income-runs``: the year's grades and the income.

Classifications are read by the head and unit administrators (everyone else: their own row, or
the whole unit once published, in full only for their own row and the people they direct: a
colleague's row is name, final grade and status, as for period scores); computing, deciding,
approving and publishing are the head's.
Income runs (salaries) are for unit administrators and the head only.
"""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import g, jsonify, send_file
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from blueprints.api.paging import page
from blueprints.api.visibility import SECURITY, any_user, managers
from tenant_app.extensions import db
from tenant_app.models.evaluation import AnnualClassification, IncomeRun
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import AnnualStatus
from tenant_app.schemas.annual import (
    ClassificationSchema,
    DecisionSchema,
    IncomeRunCreateSchema,
    IncomeRunDetailSchema,
    IncomeRunSchema,
    NotClassifiedSchema,
    PublicClassificationSchema,
    QuotaSchema,
    YearArgsSchema,
    YearSchema,
)
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import annual, income, periods, score_access
from tenant_app.services.evaluation.assessments import is_head_of_agency
from tenant_app.services.files.spreadsheets import XLSX_MIMETYPE
from tenant_app.services.workspace import staff
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_annual",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>",
        description="Xếp loại cuối năm (tỷ lệ HTXS) và thu nhập tăng thêm",
    )
)


def _sees_all() -> bool:
    return g.api_user.has_role("unit_admin") or is_head_of_agency(g.api_user)


def _require_income_reader() -> None:
    if not _sees_all():
        raise ServiceError(
            "forbidden", _("Chỉ quản trị đơn vị hoặc người đứng đầu xem thu nhập."), status=403
        )


def _named(rows):
    names = dict(
        db.session.execute(
            sa.select(StaffMember.id, StaffMember.full_name).where(
                StaffMember.id.in_([r.staff_id for r in rows])
            )
        ).all()
    )
    for row in rows:
        row.full_name = names.get(row.staff_id)
    return rows


FULL_ROW = ClassificationSchema()
PUBLIC_ROW = PublicClassificationSchema()
CLASSIFICATION_ROWS = {
    "type": "array",
    "items": {"oneOf": [ClassificationSchema, PublicClassificationSchema]},
}


def _classification_rows(rows: list[AnnualClassification]) -> list[dict]:
    """Dump ``rows``: in full where the caller may read the person's result in full
    (``score_access.full_read_ids``), else the public view."""
    people = {
        p.id: p
        for p in db.session.execute(
            sa.select(StaffMember).where(StaffMember.id.in_([r.staff_id for r in rows]))
        ).scalars()
    }
    in_full = score_access.full_read_ids(g.api_user, people.values())
    result = []
    for row in rows:
        row.full_name = people[row.staff_id].full_name
        result.append((FULL_ROW if row.staff_id in in_full else PUBLIC_ROW).dump(row))
    return result


@blp.route("/classifications")
class Classifications(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.arguments(YearArgsSchema, location="query")
    @blp.response(
        200,
        CLASSIFICATION_ROWS,
        description="Each row in full (detail: true) for the caller's own row and the people "
        "they direct, else name, final grade and status (detail: false).",
    )
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """The year's classifications (``year=2026``): averages, proposed and final grades.

        A row is in full (``detail: true``) for the caller's own row and the people they
        direct; a colleague's row of a published year is name, final grade and status only.
        """
        stmt = (
            sa.select(AnnualClassification)
            .where(AnnualClassification.year == args["year"])
            .order_by(AnnualClassification.staff_id)
        )
        published = annual.year_status(annual.rows_of(args["year"])) == AnnualStatus.PUBLISHED
        if not (_sees_all() or published):
            own = staff.staff_for_user(g.api_user)
            stmt = stmt.where(AnnualClassification.staff_id == (own.id if own else None))
        return jsonify(_classification_rows(page(stmt, pagination_parameters)))


@blp.route("/classifications/not-classified")
class ClassificationsNotClassified(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.arguments(YearArgsSchema, location="query")
    @blp.response(200, NotClassifiedSchema(many=True))
    def get(self, args):
        """The people the rule set does not classify for the year ("Không xếp loại": Decree
        90/2020, under the minimum months worked without maternity leave, or no period
        worked), with the reason and the explanation. The head and unit administrators read
        everyone; anyone else their own row only."""
        rows = annual.not_classified_of(args["year"])
        if not _sees_all():
            own = staff.staff_for_user(g.api_user)
            rows = [r for r in rows if own is not None and r.staff_id == own.id]
        for row in _named(rows):
            row.reason_label = annual.not_classified_label(row.reason)
        return rows


@blp.route("/classifications/compute")
class ClassificationsCompute(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.arguments(YearSchema)
    @blp.response(200, QuotaSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="already approved, or no scores")
    def post(self, data):
        """Propose every person's grade from the year's period scores; returns the quota check."""
        annual.compute_year(data["year"], actor=g.api_user)
        db.session.commit()
        return _quota(data["year"])


def _quota(year: int) -> dict:
    view = annual.view(year)
    return {
        "year": year,
        "status": view.status,
        "checks": view.report.checks,
        "violations": view.report.violations,
    }


@blp.route("/classifications/quota")
class ClassificationsQuota(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.arguments(YearArgsSchema, location="query")
    @blp.response(200, QuotaSchema)
    def get(self, args):
        """The HTXS quota on the final grades: every scope checked and those to decide on."""
        if not _sees_all():
            raise ServiceError("forbidden", _("Bạn không có quyền xem mục này."), status=403)
        return _quota(args["year"])


@blp.route("/classifications/<uuid:classification_id>/decision")
class ClassificationDecision(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.arguments(DecisionSchema)
    @blp.response(200, ClassificationSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, data, classification_id):
        """The head sets a person's final grade (not above the proposal) with a reason."""
        row = annual.get_classification(classification_id)
        annual.decide(row, final_grade=data["final_grade"], reason=data["reason"], actor=g.api_user)
        db.session.commit()
        return _named([row])[0]


@blp.route("/classifications/approve")
class ClassificationsApprove(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.arguments(YearSchema)
    @blp.response(200, QuotaSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="quota violation undecided")
    def post(self, data):
        """Approve the year; refused while the HTXS quota is exceeded without a decision."""
        annual.approve(data["year"], actor=g.api_user)
        db.session.commit()
        return _quota(data["year"])


@blp.route("/classifications/publish")
class ClassificationsPublish(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.arguments(YearSchema)
    @blp.response(200, QuotaSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="not approved")
    def post(self, data):
        """Publish an approved year to the unit."""
        annual.publish(data["year"], actor=g.api_user)
        db.session.commit()
        return _quota(data["year"])


def _detail(run: IncomeRun) -> IncomeRun:
    run.lines = [
        {
            "staff_id": line.staff_id,
            "code": person.code,
            "full_name": person.full_name,
            "grade": line.grade,
            "salary": line.salary,
            "amount": line.amount,
            "explanation": line.explanation,
            "months": line.months or [],
            "missing_salary_months": line.missing_salary_months,
        }
        for line, person in income.lines_of(run)
    ]
    return run


@blp.route("/income-runs")
class IncomeRuns(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.response(200, IncomeRunSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """List the unit's income runs, newest first."""
        _require_income_reader()
        return page(
            sa.select(IncomeRun).order_by(IncomeRun.created_at.desc()), pagination_parameters
        )

    @managers
    @blp.doc(security=SECURITY)
    @blp.arguments(IncomeRunCreateSchema)
    @blp.response(201, IncomeRunDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="approved, or nothing approved")
    def post(self, data):
        """Compute the period's income from approved grades (a draft is replaced)."""
        period = periods.get_period(data["period_id"])
        run = income.run_income(
            period, actor=g.api_user, scheme=data["scheme"], settings=data["settings"]
        )
        db.session.commit()
        return _detail(run)


@blp.route("/income-runs/<uuid:run_id>")
class IncomeRunById(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.response(200, IncomeRunDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, run_id):
        """Read a run with its lines and how each amount was computed."""
        _require_income_reader()
        return _detail(income.get_run(run_id))


@blp.route("/income-runs/<uuid:run_id>/approve")
class IncomeRunApprove(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.response(200, IncomeRunDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, run_id):
        """The head approves a draft run."""
        run = income.get_run(run_id)
        income.approve_run(run, actor=g.api_user)
        db.session.commit()
        return _detail(run)


@blp.route("/income-runs/<uuid:run_id>.xlsx")
class IncomeRunXlsx(MethodView):
    @managers
    @blp.doc(security=SECURITY, responses={"200": {"description": "the .xlsx workbook"}})
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, run_id):
        """The run as an Excel workbook for the finance unit."""
        _require_income_reader()
        run = income.get_run(run_id)
        return send_file(
            io.BytesIO(income.export_xlsx(run)),
            mimetype=XLSX_MIMETYPE,
            as_attachment=True,
            download_name=income.export_filename(run),
        )
