"""``/api/v1/t/<slug>/assignments`` and ``/reports``: assigned work, reports, evidence, reviews.

Every write is one use case of ``tenant_app.services.evaluation`` (``assignments``, ``reports``,
``evidence``), the same the HTML pages call (validation, audit, notifications, the re-score of the
person concerned once committed), then a commit; a ServiceError becomes the API's error envelope
and nothing is committed.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, send_file
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from blueprints.api.paging import page
from blueprints.api.visibility import (
    SECURITY,
    any_user,
    ensure_visible,
    limit_to_visible,
    managers,
)
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import Assignment, Report
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.evaluation import (
    AssignmentBulkSchema,
    AssignmentCreateSchema,
    AssignmentListArgsSchema,
    EvidenceSchema,
    EvidenceUploadSchema,
    ExemptionDecisionSchema,
    ReportCreateSchema,
    ReportListArgsSchema,
    ReportSchema,
    ReportUpdateSchema,
    ReviewSchema,
    WorkAssignmentSchema,
)
from tenant_app.services.errors import NotFound
from tenant_app.services.evaluation import assignments, evidence, exemptions, periods, reports
from tenant_app.services.workspace import catalogue, staff
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_work",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>",
        description="Giao việc, báo cáo kết quả có minh chứng, thẩm định",
    )
)


def _assignment(assignment_id) -> Assignment:
    row = assignments.get_assignment(assignment_id)
    ensure_visible(row.staff_id, _("Không tìm thấy công việc được giao."))
    return row


def _report(report_id) -> tuple[Report, Assignment]:
    report = reports.get_report(report_id)
    assignment = db.session.get(Assignment, (report.tenant_id, report.assignment_id))
    ensure_visible(assignment.staff_id, _("Không tìm thấy báo cáo."))
    return report, assignment


@blp.route("/assignments")
class Assignments(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.arguments(AssignmentListArgsSchema, location="query")
    @blp.response(200, WorkAssignmentSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List assignments (filters: period_id, staff_id). Staff see their own; managers their
        people; unit administrators everyone."""
        stmt = sa.select(Assignment).order_by(Assignment.created_at, Assignment.id)
        stmt = limit_to_visible(stmt, Assignment.staff_id)
        if args["period_id"]:
            stmt = stmt.where(Assignment.period_id == args["period_id"])
        if args["staff_id"]:
            stmt = stmt.where(Assignment.staff_id == args["staff_id"])
        return page(stmt, pagination_parameters)

    @managers
    @blp.doc(security=SECURITY)
    @blp.arguments(AssignmentCreateSchema)
    @blp.response(201, WorkAssignmentSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, data):
        """Assign work to one person (the coefficient in force on the period's first day)."""
        period = periods.get_period(data["period_id"])
        person = staff.get_staff(data["staff_id"])
        item = catalogue.get_item(data["item_id"])
        row = assignments.assign(
            period,
            person,
            item,
            quantity=data["quantity"],
            due_on=data["due_on"],
            actor=g.api_user,
            directing=data["directing"],
            note=data["note"],
        )
        db.session.commit()
        return row


@blp.route("/assignments/by-position")
class AssignmentsByPosition(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.arguments(AssignmentBulkSchema)
    @blp.response(201, WorkAssignmentSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, data):
        """Assign the same work to everyone holding a position (all or nothing)."""
        period = periods.get_period(data["period_id"])
        item = catalogue.get_item(data["item_id"])
        rows = assignments.assign_by_position(
            period,
            data["position_id"],
            item,
            quantity=data["quantity"],
            due_on=data["due_on"],
            actor=g.api_user,
        )
        db.session.commit()
        return rows


@blp.route("/assignments/<uuid:assignment_id>")
class AssignmentById(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.response(200, WorkAssignmentSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, assignment_id):
        """Read one assignment."""
        return _assignment(assignment_id)

    @managers
    @blp.doc(security=SECURITY)
    @blp.response(204)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="a report was already submitted")
    def delete(self, assignment_id):
        """Withdraw an assignment that has no submitted report."""
        assignments.delete_assignment(_assignment(assignment_id), actor=g.api_user)
        db.session.commit()


@blp.route("/reports")
class Reports(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.arguments(ReportListArgsSchema, location="query")
    @blp.response(200, ReportSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List reports (filters: period_id, staff_id, status), as visible to the caller."""
        stmt = (
            sa.select(Report)
            .join(Assignment, tenant_join(Assignment.id, Report.assignment_id))
            .order_by(Report.updated_at.desc(), Report.id)
        )
        stmt = limit_to_visible(stmt, Assignment.staff_id)
        if args["period_id"]:
            stmt = stmt.where(Assignment.period_id == args["period_id"])
        if args["staff_id"]:
            stmt = stmt.where(Assignment.staff_id == args["staff_id"])
        if args["status"]:
            stmt = stmt.where(Report.status == args["status"])
        return page(stmt, pagination_parameters)

    @any_user
    @blp.doc(security=SECURITY)
    @blp.arguments(ReportCreateSchema)
    @blp.response(201, ReportSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="window closed or accepted")
    def post(self, data):
        """Report the result of one's own assignment (a draft, or ``submit`` for review)."""
        assignment = _assignment(data.pop("assignment_id"))
        return _save(assignment, data)


def _save(assignment: Assignment, data: dict) -> Report:
    report = reports.report_result(assignment, data, actor=g.api_user)
    db.session.commit()
    return report


@blp.route("/reports/<uuid:report_id>")
class ReportById(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.response(200, ReportSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, report_id):
        """Read one report with its review."""
        return _report(report_id)[0]

    @any_user
    @blp.doc(security=SECURITY)
    @blp.arguments(ReportUpdateSchema)
    @blp.response(200, ReportSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def put(self, data, report_id):
        """Replace the content of one's own report (still a draft, or ``submit`` it)."""
        return _save(_report(report_id)[1], data)


@blp.route("/reports/<uuid:report_id>/submit")
class ReportSubmit(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.response(200, ReportSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, report_id):
        """Submit one's own report as it stands for review."""
        report = reports.submit_report(_report(report_id)[0], actor=g.api_user)
        db.session.commit()
        return report


@blp.route("/reports/<uuid:report_id>/review")
class ReportReview(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.arguments(ReviewSchema)
    @blp.response(200, ReportSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, data, report_id):
        """Accept or return a submitted report, counting major errors, delays and exemptions."""
        report = reports.review_report(_report(report_id)[0], actor=g.api_user, **data)
        db.session.commit()
        return report


@blp.route("/reports/<uuid:report_id>/exemption")
class ReportExemption(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.arguments(ExemptionDecisionSchema)
    @blp.response(200, ReportSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, data, report_id):
        """Approve or refuse a proposed objective-cause exemption (the role the period names)."""
        report = exemptions.decide(_report(report_id)[0], actor=g.api_user, **data)
        db.session.commit()
        return report


@blp.route("/reports/<uuid:report_id>/evidence")
class ReportEvidence(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.response(200, EvidenceSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, report_id):
        """List the evidence files of a report."""
        report, _assignment = _report(report_id)
        return evidence.files_of([report.id]).get(report.id, [])

    @any_user
    @blp.doc(security=SECURITY)
    @blp.arguments(EvidenceUploadSchema, location="files")
    @blp.response(201, EvidenceSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(413, schema=ApiErrorSchema, description="file over 10 MB")
    def post(self, files, report_id):
        """Attach a file (PDF, PNG, JPEG, Word, Excel, OpenDocument; 10 MB at most)."""
        report, _assignment = _report(report_id)
        upload = files["file"]
        row = evidence.add_evidence(
            report, filename=upload.filename, stream=upload.stream, actor=g.api_user
        )
        db.session.commit()
        return row


@blp.route("/reports/<uuid:report_id>/evidence/<uuid:evidence_id>")
class ReportEvidenceFile(MethodView):
    @any_user
    @blp.doc(security=SECURITY, responses={"200": {"description": "the file"}})
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, report_id, evidence_id):
        """Download one evidence file."""
        report, _assignment = _report(report_id)
        row = evidence.get_evidence(evidence_id)
        if row.report_id != report.id:
            raise NotFound("not_found", _("Không tìm thấy minh chứng."))
        response = send_file(evidence.evidence_path(row), max_age=0)
        response.headers.update(evidence.download_headers(row))
        return response
