"""``/api/v1/t/<slug>/audit-events``: a unit administrator reads their own unit's audit trail."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.auth import api_token_required
from tenant_app.schemas.audit_events import AuditEventArgsSchema, AuditEventSchema
from tenant_app.services.audit import audit_log
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_audit_events",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>/audit-events",
        description="Nhật ký hệ thống của đơn vị (quản trị đơn vị, chỉ đọc)",
    )
)


@blp.route("")
class AuditEvents(MethodView):
    decorators = [api_token_required("unit_admin")]

    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(AuditEventArgsSchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List the unit's audit events, newest first (filters: actor, action, object, dates)."""
        filters = audit_log.filters_from_api(args, province=False)
        pagination_parameters.item_count = audit_log.count(filters)
        return audit_log.fetch(
            filters,
            offset=pagination_parameters.first_item,
            limit=pagination_parameters.page_size,
        )
