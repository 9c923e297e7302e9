"""Schema of a transfer between units, as the province console's form and the API send it.

Lengths are checked here as sent (and documented); the service checks them again once trimmed
and checks the date's bounds (``services.province.transfers.check_request``).
"""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validates

REFERENCE = (3, 100)
REASON = (10, 1000)


class DecisionSchema(Schema):
    """The decision a transfer rests on and why: what the province's transfer and a unit
    administrator's proposal both send."""

    reference = fields.String(
        required=True,
        metadata={
            "description": "số quyết định điều động, luân chuyển",
            "minLength": REFERENCE[0],
            "maxLength": REFERENCE[1],
        },
    )
    reason = fields.String(required=True, metadata={"minLength": REASON[0], "maxLength": REASON[1]})

    @validates("reference")
    def _reference(self, value, **_kwargs):
        if not REFERENCE[0] <= len(value) <= REFERENCE[1]:
            raise ValidationError(_("Số quyết định cần từ 3 đến 100 ký tự."))

    @validates("reason")
    def _reason(self, value, **_kwargs):
        if not REASON[0] <= len(value) <= REASON[1]:
            raise ValidationError(_("Lý do chuyển cần từ 10 đến 1000 ký tự."))


class TransferSchema(DecisionSchema):
    """Who moves from which unit to which, from when, to which post, on what decision and why."""

    source = fields.String(required=True, metadata={"description": "slug of the old unit"})
    target = fields.String(required=True, metadata={"description": "slug of the new unit"})
    staff_id = fields.UUID(required=True, metadata={"description": "the person in the old unit"})
    effective_on = fields.Date(required=True, metadata={"description": "first day in the new unit"})
    org_unit_id = fields.UUID(required=True, metadata={"description": "division in the new unit"})
    position_id = fields.UUID(required=True, metadata={"description": "position in the new unit"})


class TransferResultSchema(Schema):
    """What a transfer made: its id and the person's new record in the new unit."""

    transfer_id = fields.UUID(required=True)
    staff_id = fields.UUID(required=True, metadata={"description": "the record in the new unit"})
    staff_code = fields.String(required=True)
    full_name = fields.String(required=True)
