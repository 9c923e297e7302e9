"""``/api/v1/t/<slug>/periods``: list and read periods; open, close, lock, reopen, publish;
extend a window with a reason."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from blueprints.api.paging import page
from blueprints.api.visibility import SECURITY, admins, any_user, managers
from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.evaluation import (
    PeriodListArgsSchema,
    PeriodOpenSchema,
    PeriodSchema,
    ReasonSchema,
    WindowExtendSchema,
    WindowExtensionSchema,
)
from tenant_app.services.evaluation import assessments, periods, window_extensions
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_periods",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>/periods",
        description="Kỳ đánh giá (tháng, quý): mở, đóng, khóa, mở lại có lý do, công khai",
    )
)


@blp.route("")
class Periods(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.arguments(PeriodListArgsSchema, location="query")
    @blp.response(200, PeriodSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List the unit's periods, newest first (filters: year, status; paginated)."""
        stmt = sa.select(Period).order_by(Period.starts_on.desc())
        if args["year"]:
            stmt = stmt.where(Period.year == args["year"])
        if args["status"]:
            stmt = stmt.where(Period.status == args["status"])
        return page(stmt, pagination_parameters)

    @admins
    @blp.doc(security=SECURITY)
    @blp.arguments(PeriodOpenSchema)
    @blp.response(201, PeriodSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="period already opened")
    def post(self, data):
        """Open a period with the rule set, parameters and windows in force today."""
        period = periods.open_period(actor=g.api_user, **data)
        db.session.commit()
        return period


@blp.route("/<uuid:period_id>")
class PeriodById(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.response(200, PeriodSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, period_id):
        """Read one period with its windows and frozen scoring parameters."""
        return periods.get_period(period_id)


def _transition(period_id, action):
    period = periods.get_period(period_id)
    action(period)
    db.session.commit()
    return period


@blp.route("/<uuid:period_id>/close")
class PeriodClose(MethodView):
    @admins
    @blp.doc(security=SECURITY)
    @blp.response(200, PeriodSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="period not open")
    def post(self, period_id):
        """Close an open period: no more reports, reviews or assessments."""
        return _transition(period_id, lambda p: periods.close_period(p, actor=g.api_user))


@blp.route("/<uuid:period_id>/lock")
class PeriodLock(MethodView):
    @admins
    @blp.doc(security=SECURITY)
    @blp.response(200, PeriodSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="period not closed")
    def post(self, period_id):
        """Lock a closed period."""
        return _transition(period_id, lambda p: periods.lock_period(p, actor=g.api_user))


@blp.route("/<uuid:period_id>/reopen")
class PeriodReopen(MethodView):
    @admins
    @blp.doc(security=SECURITY)
    @blp.arguments(ReasonSchema)
    @blp.response(200, PeriodSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, data, period_id):
        """Reopen a closed or locked period; the reason is kept in the audit trail."""
        return _transition(
            period_id, lambda p: periods.reopen_period(p, reason=data["reason"], actor=g.api_user)
        )


@blp.route("/<uuid:period_id>/publish")
class PeriodPublish(MethodView):
    @managers
    @blp.doc(security=SECURITY)
    @blp.response(200, PeriodSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="scores not all approved")
    def post(self, period_id):
        """The head of the agency publishes the period's approved results to the unit."""
        return _transition(period_id, lambda p: assessments.publish(p, actor=g.api_user))


@blp.route("/<uuid:period_id>/extensions")
class PeriodExtensions(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.response(200, WindowExtensionSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, period_id):
        """The period's window extensions, oldest first (each with its reason)."""
        period = periods.get_period(period_id)
        return window_extensions.extensions_of([period.id]).get(period.id, [])

    @admins
    @blp.doc(security=SECURITY)
    @blp.arguments(WindowExtendSchema)
    @blp.response(201, WindowExtensionSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="period not open")
    def post(self, data, period_id):
        """Extend one window of an open period to a later day with a reason (audited); a
        later window ending before the new day moves with it. Returns the extensions made."""
        period = periods.get_period(period_id)
        made = window_extensions.extend_window(
            period, data["window"], data["new_until"], data["reason"], actor=g.api_user
        )
        db.session.commit()
        return made
