"""``/api/v1/province/transfers``: a province administrator moves a person between units;
``/api/v1/province/transfer-proposals``: the proposals between unit administrators still waiting
for an answer (administrators and auditors, read through the audited door)."""

from __future__ import annotations

from flask import abort, g
from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.auth import api_token_required
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.transfer_proposals import WaitingProposalSchema
from tenant_app.schemas.transfers import TransferResultSchema, TransferSchema
from tenant_app.services.province import tenants, transfer_proposals
from tenant_app.tenancy.door import DoorRefused, cross_tenant_read, transfer_write
from tenant_app.web import page_list

blp = Blueprint(
    "province_transfers_api",
    __name__,
    url_prefix="/api/v1/province",
    description="Chuyển công tác giữa các đơn vị, kèm kết quả đánh giá đã công khai",
)


@blp.route("/transfers")
class Transfers(MethodView):
    decorators = [api_token_required("province_admin", province=True)]

    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(TransferSchema)
    @blp.response(201, TransferResultSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="refused by a rule (field named)")
    @blp.alt_response(404, schema=ApiErrorSchema, description="unknown unit or person")
    def post(self, data):
        """Move ``staff_id`` of unit ``source`` to unit ``target`` from ``effective_on``.

        The person's record in the old unit ends the day before (account disabled, history
        kept); the new unit gets a record with the same code in ``org_unit_id`` /
        ``position_id`` and the published results of that year's periods before the date
        (counted in its annual classification, source shown). All or nothing; audited in both
        units and the province. A code already used in the new unit is refused (400,
        ``code_taken``).
        """
        source = tenants.get_by_slug(data.pop("source"))
        target = tenants.get_by_slug(data.pop("target"))
        try:
            transfer_id, person = transfer_write(source, target, actor=g.api_user, **data)
        except DoorRefused:
            abort(403)
        return {
            "transfer_id": transfer_id,
            "staff_id": person.id,
            "staff_code": person.code,
            "full_name": person.full_name,
        }


@blp.route("/transfer-proposals")
class WaitingProposals(MethodView):
    decorators = [api_token_required("province_admin", "auditor", province=True)]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, WaitingProposalSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """List the transfers proposed by a unit's administrator that the receiving unit has
        not answered yet, newest first (paginated): when and by whom, the person, the two
        units, the effective date and the decision. Read across units through the audited door
        (a ``cross_tenant.read`` event on the province chain); nothing here writes.
        """
        with cross_tenant_read("transfer proposals waiting between units", actor=g.api_user):
            rows = transfer_proposals.waiting_between_units()
        return page_list(rows, pagination_parameters)
