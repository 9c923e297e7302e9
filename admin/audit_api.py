"""``/api/v1/province/audit-events``: province roles read every unit's trail and the province chain.

Unit events are read through the audited door: each call is itself a ``cross_tenant.read`` event.
"""

from __future__ import annotations

from contextlib import nullcontext

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.auth import api_token_required
from tenant_app.schemas.audit_events import AuditEventSchema, ProvinceAuditEventArgsSchema
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.services.audit import audit_log
from tenant_app.tenancy.door import cross_tenant_read

blp = Blueprint(
    "province_audit_api",
    __name__,
    url_prefix="/api/v1/province/audit-events",
    description="Nhật ký hệ thống toàn tỉnh (quản trị cấp tỉnh và thanh tra, chỉ đọc)",
)


@blp.route("")
class ProvinceAuditEvents(MethodView):
    decorators = [api_token_required("province_admin", "auditor", province=True)]

    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(ProvinceAuditEventArgsSchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema, description="unknown unit slug")
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List audit events of every unit and the province, newest first (filters, paginated)."""
        filters = audit_log.filters_from_api(args, province=True)
        door = nullcontext()
        if filters.source != "province":
            ids = None if filters.tenant_id is None else [filters.tenant_id]
            door = cross_tenant_read("audit events API", actor=g.api_user, tenant_ids=ids)
        with door:
            pagination_parameters.item_count = audit_log.count(filters)
            return audit_log.fetch(
                filters,
                offset=pagination_parameters.first_item,
                limit=pagination_parameters.page_size,
            )
