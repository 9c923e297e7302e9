"""``/api/v1/t/<slug>/transfer-proposals``: transfers between unit administrators, by API.

The same steps as the unit administrator's page (``/t/<slug>/transfers``), through the same
door functions (``tenancy.door.transfer_propose_write`` / ``transfer_answer_write``) and so the
same audit events: the sending unit proposes one of its people, the receiving unit accepts
(choosing the division and position) or refuses with a reason. Unit administrators only; each
unit sees only its own side of a proposal.
"""

from __future__ import annotations

from flask import abort, g
from flask.views import MethodView
from flask_smorest import Blueprint

from blueprints.api.paging import page
from blueprints.api.visibility import SECURITY, admins
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.transfer_proposals import (
    TransferAcceptSchema,
    TransferProposalArgsSchema,
    TransferProposalSchema,
    TransferProposeSchema,
    TransferRefuseSchema,
)
from tenant_app.services.province import transfer_proposals
from tenant_app.tenancy.context import get_current_tenant
from tenant_app.tenancy.door import DoorRefused, transfer_answer_write, transfer_propose_write
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_transfer_proposals",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>/transfer-proposals",
        description="Đề nghị chuyển công tác giữa các đơn vị (quản trị đơn vị)",
    )
)


def _answer(proposal_id, **kwargs):
    """Answer ``proposal_id`` in the unit in context through the door; its side afterwards."""
    try:
        transfer_answer_write(get_current_tenant(), proposal_id, actor=g.api_user, **kwargs)
    except DoorRefused:
        abort(403)
    return transfer_proposals.side_of(proposal_id)


@blp.route("")
class TransferProposals(MethodView):
    @admins
    @blp.doc(security=SECURITY)
    @blp.arguments(TransferProposalArgsSchema, location="query")
    @blp.response(200, TransferProposalSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List the unit's proposals, sent (``side=out``) and received (``side=in``), newest
        first; ``status`` narrows to proposed, accepted or refused (paginated)."""
        return page(transfer_proposals.listing(**args), pagination_parameters)

    @admins
    @blp.doc(security=SECURITY)
    @blp.arguments(TransferProposeSchema)
    @blp.response(201, TransferProposalSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="refused by a rule (field named)")
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such person in this unit")
    def post(self, data):
        """Propose moving ``staff_id`` (one of this unit's people in post) to unit ``target``
        from ``effective_on``, on decision ``reference``, with ``reason``.

        Nothing moves yet: the receiving unit gets a proposal holding the person's name, code
        and kind, the date, the decision and the codes of the published results that would move.
        An unknown or inactive unit, this unit itself, a date not after the person's first day
        are refused (400, the field named). Audited in both units.
        """
        target = transfer_proposals.target_unit(data.pop("target"))
        try:
            proposal_id = transfer_propose_write(
                get_current_tenant(), target, actor=g.api_user, **data
            )
        except DoorRefused:
            abort(403)
        return transfer_proposals.side_of(proposal_id)


@blp.route("/<uuid:proposal_id>")
class TransferProposalById(MethodView):
    @admins
    @blp.doc(security=SECURITY)
    @blp.response(200, TransferProposalSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, proposal_id):
        """Read the unit's side of a proposal (404 for one the unit neither sent nor received)."""
        return transfer_proposals.side_of(proposal_id)


@blp.route("/<uuid:proposal_id>/accept")
class TransferProposalAccept(MethodView):
    @admins
    @blp.doc(security=SECURITY)
    @blp.arguments(TransferAcceptSchema)
    @blp.response(200, TransferProposalSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="refused by a rule (field named)")
    @blp.alt_response(404, schema=ApiErrorSchema, description="no proposal received by this unit")
    @blp.alt_response(409, schema=ApiErrorSchema, description="already answered")
    def post(self, data, proposal_id):
        """Accept a proposal received by this unit: the person moves here from its date, in
        ``org_unit_id`` / ``position_id``, with the year's published results (their record in
        the sending unit ends the day before). All or nothing; audited in both units. A staff
        code already used here is refused (400, ``code_taken``)."""
        return _answer(proposal_id, accept=True, **data)


@blp.route("/<uuid:proposal_id>/refuse")
class TransferProposalRefuse(MethodView):
    @admins
    @blp.doc(security=SECURITY)
    @blp.arguments(TransferRefuseSchema)
    @blp.response(200, TransferProposalSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="reason too short once trimmed")
    @blp.alt_response(404, schema=ApiErrorSchema, description="no proposal received by this unit")
    @blp.alt_response(409, schema=ApiErrorSchema, description="already answered")
    def post(self, data, proposal_id):
        """Refuse a proposal received by this unit, with ``refusal_reason`` (at least 10
        characters). Nothing moves; both units see the answer and the reason; audited in both."""
        return _answer(proposal_id, accept=False, **data)
