"""``/api/v1/province/tenants/<slug>/periods/<period_id>/extensions``: the province administrator
extends a window of a unit's period, as the console's late-units page does.

The write goes through the door's narrow ``window_extension_write`` (province administrators
only; the unit's chain by the service, the province chain by the door, committed together).
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.auth import api_token_required
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.evaluation import WindowExtendSchema, WindowExtensionSchema
from tenant_app.services.province import tenants
from tenant_app.tenancy.door import window_extension_write

blp = Blueprint(
    "province_calendar_api",
    __name__,
    url_prefix="/api/v1/province/tenants/<slug>",
    description="Gia hạn các bước của kỳ đánh giá của đơn vị (quản trị cấp tỉnh)",
)

_admin = api_token_required("province_admin", province=True)
SECURITY = [{"bearer": []}]


@blp.route("/periods/<uuid:period_id>/extensions")
class ProvincePeriodExtensions(MethodView):
    decorators = [_admin]

    @blp.doc(security=SECURITY)
    @blp.arguments(WindowExtendSchema)
    @blp.response(200, WindowExtensionSchema(many=True))
    @blp.alt_response(
        400,
        schema=ApiErrorSchema,
        description="a date not after the current deadline, past or too far; a short reason",
    )
    @blp.alt_response(
        404,
        schema=ApiErrorSchema,
        description="unknown, suspended or archived unit; unknown period",
    )
    @blp.alt_response(409, schema=ApiErrorSchema, description="period not open")
    def put(self, data, slug, period_id):
        """Extend one window (``report``, ``self_assessment``, ``review``, ``approval``) of the
        unit's open period to a later day with a reason (at least 10 characters); a later window
        ending before the new day moves with it. Returns the extensions made."""
        tenant = tenants.get_serving(slug)  # an archived or suspended unit: 404, as on the console
        return window_extension_write(
            tenant, period_id, data["window"], data["new_until"], data["reason"], actor=g.api_user
        )
