"""``/api/v1/province/tenants/<slug>/unit-ratings``: the province, competent authority over its
public service units, reads and sets a unit's own rating and whether it is a public service unit.

Reads go through the door (``read_one_tenant``, audited); the rating is written through the
door's narrow ``unit_rating_write`` (province administrators only, audited on both chains).
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.auth import api_token_required
from tenant_app.extensions import db
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.unit_ratings import (
    UnitClassificationSchema,
    UnitRatingArgsSchema,
    UnitRatingPutSchema,
    UnitRatingSchema,
    UnitRatingYearSchema,
)
from tenant_app.services.evaluation import unit_ratings
from tenant_app.services.province import tenants, unit_classification
from tenant_app.tenancy.door import read_one_tenant, unit_rating_write

blp = Blueprint(
    "province_unit_ratings_api",
    __name__,
    url_prefix="/api/v1/province/tenants/<slug>",
    description="Xếp loại đơn vị sự nghiệp công lập do cấp có thẩm quyền (tỉnh) quyết định",
)

_admin = api_token_required("province_admin", province=True)
SECURITY = [{"bearer": []}]


@blp.route("/unit-ratings")
class ProvinceUnitRatings(MethodView):
    decorators = [_admin]

    @blp.doc(security=SECURITY)
    @blp.arguments(UnitRatingArgsSchema, location="query")
    @blp.response(200, UnitRatingYearSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, args, slug):
        """The unit's rating of each period of ``year`` and of the year (read through the door)."""
        tenant = tenants.get_by_slug(slug)
        with read_one_tenant(tenant, "unit_ratings", actor=g.api_user):
            # Plain values, dumped once by ``blp.response`` (dumping here too made a 500).
            return unit_ratings.year_view(args["year"])


@blp.route("/unit-ratings/<code>")
class ProvinceUnitRating(MethodView):
    decorators = [_admin]

    @blp.doc(security=SECURITY)
    @blp.arguments(UnitRatingPutSchema)
    @blp.response(200, UnitRatingSchema)
    @blp.alt_response(
        404,
        schema=ApiErrorSchema,
        description="unknown, suspended or archived unit; unknown period",
    )
    @blp.alt_response(409, schema=ApiErrorSchema, description="period locked or published")
    def put(self, data, slug, code):
        """Set the unit's rating of period ``code`` (``2026-11``, ``2026-Q4``) or of the year
        (``2026``): grade, reason, decision reference (and date, score, note).

        Replaces the indicators' proposal or an earlier decision; refused once the period is
        locked or published (the year: once its classification is approved). The head of the
        period is re-scored: where the rule applies their grade is not above the unit's.
        """
        tenant = tenants.get_serving(slug)  # an archived or suspended unit: 404, as on the console
        row = unit_rating_write(
            tenant,
            code,
            data["grade"],
            data["reason"],
            data["decision_ref"],
            decision_date=data["decision_date"],
            score=data["score"],
            note=data["note"],
            actor=g.api_user,
        )
        return unit_ratings.as_dict(row)


@blp.route("/classification")
class ProvinceUnitClassification(MethodView):
    decorators = [_admin]

    @blp.doc(security=SECURITY)
    @blp.arguments(UnitClassificationSchema)
    @blp.response(200, UnitClassificationSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def put(self, data, slug):
        """Say whether the unit is a public service unit (đơn vị sự nghiệp công lập) and whether
        its head is capped by the unit's rating (default true)."""
        tenant = tenants.get_serving(slug)  # an archived or suspended unit: 404, as on the console
        unit_classification.set_classification(tenant, actor=g.api_user, **data)
        db.session.commit()
        return unit_classification.classification(tenant)
