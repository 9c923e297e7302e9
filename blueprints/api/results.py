"""``/api/v1/t/<slug>/assessments`` and ``/scores``: general criteria by stage, scores explained.

Scores: a person sees their own, a manager their people, a unit administrator everyone; once a
period is published, everyone in the unit sees the unit's published list, in full only for the
rows the caller may read in full (``score_access.reads_in_full``, as the score pages decide).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, jsonify
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
from tenant_app.models.evaluation import Assessment, PeriodScore
from tenant_app.models.staff import StaffMember
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.evaluation import (
    AssessmentCreateSchema,
    AssessmentListArgsSchema,
    AssessmentSchema,
    PublicScoreSchema,
    ScoreApproveSchema,
    ScoreListArgsSchema,
    ScoreSchema,
)
from tenant_app.services.errors import NotFound
from tenant_app.services.evaluation import (
    assessments,
    periods,
    score_access,
    score_display,
    scores,
)
from tenant_app.services.workspace import staff
from tenant_app.tenancy.resolve import make_tenant_blueprint

FULL_SCORE = ScoreSchema()
PUBLIC_SCORE = PublicScoreSchema()
# Rows of the list: a score in full or its public view (``detail`` tells which).
SCORE_ROWS = {"type": "array", "items": {"oneOf": [ScoreSchema, PublicScoreSchema]}}
SCORE_ROWS_NOTE = (
    "Each row is a Score in full (detail: true) for the caller's own score and the people they "
    "direct (manager, head of their unit or above, unit administrator), else a PublicScore "
    "(detail: false): name, post, total and grade."
)

blp = make_tenant_blueprint(
    Blueprint(
        "api_results",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>",
        description="Đánh giá tiêu chí chung theo bước, điểm và xếp loại của kỳ (có giải thích)",
    )
)


@blp.route("/assessments")
class Assessments(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.arguments(AssessmentListArgsSchema, location="query")
    @blp.response(200, AssessmentSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List assessments (filters: period_id, staff_id, stage), as visible to the caller."""
        stmt = sa.select(Assessment).order_by(Assessment.updated_at.desc(), Assessment.id)
        stmt = limit_to_visible(stmt, Assessment.staff_id)
        for name in ("period_id", "staff_id", "stage"):
            if args[name]:
                stmt = stmt.where(getattr(Assessment, name) == args[name])
        return page(stmt, pagination_parameters)

    @any_user
    @blp.doc(security=SECURITY)
    @blp.arguments(AssessmentCreateSchema)
    @blp.response(201, AssessmentSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(403, schema=ApiErrorSchema, description="not this person's stage")
    def post(self, data):
        """Record a stage's general-criteria points: ``self`` by the person, ``manager`` by their
        manager, ``deputy`` by their deputy in charge, ``leader`` by the head of the agency;
        only the stages of the period's approval chain (409 ``stage_not_in_chain``)."""
        period = periods.get_period(data["period_id"])
        person = staff.get_staff(data["staff_id"])
        row = assessments.save_assessment(
            period,
            person,
            stage=data["stage"],
            general=data["general"],
            actor=g.api_user,
            organising=data["organising"],
            comment=data["comment"],
        )
        db.session.commit()
        return row


@blp.route("/scores")
class Scores(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.arguments(ScoreListArgsSchema, location="query")
    @blp.response(200, SCORE_ROWS, description=SCORE_ROWS_NOTE)
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such period")
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Scores of a period (``period=2026-11``) with their explanations.

        A row is in full (``detail: true``) for the caller's own score and for the people they
        direct; a colleague's row of a published period is name, post, total and grade only.
        """
        period = periods.find_period(args["period"])
        if period is None:
            raise NotFound("not_found", _("Không tìm thấy kỳ đánh giá."))
        stmt = (
            sa.select(PeriodScore)
            .join(StaffMember, tenant_join(StaffMember.id, PeriodScore.staff_id))
            .where(PeriodScore.period_id == period.id)
            .order_by(StaffMember.full_name, StaffMember.code)
        )
        if period.published_at is None:
            stmt = limit_to_visible(stmt, PeriodScore.staff_id)
        if args["staff_id"]:
            stmt = stmt.where(PeriodScore.staff_id == args["staff_id"])
        return jsonify(_score_rows(page(stmt, pagination_parameters), period))


def _score_rows(rows: list[PeriodScore], period) -> list[dict]:
    """Dump ``rows``: in full where the caller may read the person's score in full
    (``score_access.full_read_ids``: the score page's rule, for the whole page at once), else
    the public view."""
    people = {
        p.id: p
        for p in db.session.execute(
            sa.select(StaffMember).where(StaffMember.id.in_([r.staff_id for r in rows]))
        ).scalars()
    }
    posts = staff.assignments_at(list(people), period.ends_on)
    in_full = score_access.full_read_ids(g.api_user, people.values())
    result = []
    for row in rows:
        person = people[row.staff_id]
        post = posts.get(row.staff_id)
        row.full_name = person.full_name
        row.position = post.position.name if post is not None else None
        row.grade_provisional = score_display.grade_provisional(row, period)
        if row.staff_id in in_full:
            row.rendered_explanation = scores.explanation_of(row, period)
            result.append(FULL_SCORE.dump(row))
        else:
            result.append(PUBLIC_SCORE.dump(row))
    return result


@blp.route("/scores/approve")
class ScoresApprove(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.arguments(ScoreApproveSchema)
    @blp.response(200, ScoreSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="a report or assessment missing")
    def post(self, data):
        """The head of the agency approves the scores of the people named (all or nothing)."""
        period = periods.get_period(data["period_id"])
        for staff_id in data["staff_ids"]:
            ensure_visible(staff_id)
        rows = assessments.approve(period, data["staff_ids"], actor=g.api_user)
        db.session.commit()
        for row in rows:
            row.rendered_explanation = scores.explanation_of(row, period)
            row.grade_provisional = score_display.grade_provisional(row, period)
        return rows
