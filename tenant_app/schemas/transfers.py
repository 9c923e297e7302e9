"""Schema of a transfer between units, as the province console's form and the API send it."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validates

# A transfer takes effect within the product's years: nothing before its records, nothing far off.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


class TransferSchema(Schema):
    """Who moves from which unit to which, from when, to which post, on what decision and why."""

    source = fields.String(required=True, metadata={"description": "slug of the old unit"})
    target = fields.String(required=True, metadata={"description": "slug of the new unit"})
    staff_id = fields.UUID(required=True, metadata={"description": "the person in the old unit"})
    effective_on = fields.Date(required=True, metadata={"description": "first day in the new unit"})
    org_unit_id = fields.UUID(required=True, metadata={"description": "org unit in the new unit"})
    position_id = fields.UUID(required=True, metadata={"description": "position in the new unit"})
    reference = fields.String(
        required=True, metadata={"description": "số quyết định điều động, luân chuyển"}
    )
    reason = fields.String(required=True)

    @validates("effective_on")
    def _effective(self, value, **_kwargs):
        if not EARLIEST <= value <= LATEST:
            raise ValidationError(_("Ngày hiệu lực nằm ngoài khoảng cho phép."))

    @validates("reference")
    def _reference(self, value, **_kwargs):
        if not 3 <= len(value.strip()) <= 100:
            raise ValidationError(_("Số quyết định cần từ 3 đến 100 ký tự."))

    @validates("reason")
    def _reason(self, value, **_kwargs):
        if not 10 <= len(value.strip()) <= 1000:
            raise ValidationError(_("Lý do chuyển cần từ 10 đến 1000 ký tự."))


class TransferResultSchema(Schema):
    """What a transfer did: its id, the new record in the new unit, how many results moved."""

    transfer_id = fields.UUID(required=True)
    staff_id = fields.UUID(required=True, metadata={"description": "the record in the new unit"})
    staff_code = fields.String(required=True)
    results_moved = fields.List(fields.String(), required=True)
