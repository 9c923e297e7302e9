"""``/api/v1/t/<slug>/unit-ratings``: the unit's own rating per period and year (read only).

A public service unit is rated as a unit by the competent authority (the province, on
``/api/v1/province/tenants/<slug>/unit-ratings/<code>``) or, until it decides, by the proposal
from the unit's KPI indicators; the head's grade is not above it where the rule applies.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from blueprints.api.visibility import SECURITY, any_user
from tenant_app.schemas.unit_ratings import UnitRatingArgsSchema, UnitRatingYearSchema
from tenant_app.services.evaluation import unit_ratings
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_unit_ratings",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>",
        description="Xếp loại của đơn vị (đơn vị sự nghiệp công lập) theo kỳ và năm",
    )
)


@blp.route("/unit-ratings")
class UnitRatings(MethodView):
    @any_user
    @blp.doc(security=SECURITY)
    @blp.arguments(UnitRatingArgsSchema, location="query")
    @blp.response(200, UnitRatingYearSchema)
    def get(self, args):
        """The unit's rating of each period of ``year`` and of the year itself.

        Each rating is the competent authority's (``source: authority``) or the proposal from
        the unit's indicators (``source: indicators``), or null.
        """
        return unit_ratings.year_view(args["year"])
