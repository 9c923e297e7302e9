"""Schemas of a transfer proposed between unit administrators: the proposal, its answer (accept
or refuse), the unit's list and the province's list of those still waiting.

The unit administrator's page and the API load the same schemas. A missing or malformed value
is refused with a message naming the field (set per instance, so in the request's language);
lengths are checked as sent (and documented), the door checks them again once trimmed.
"""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates

from tenant_app.models.transfers import PROPOSAL_SIDES, PROPOSAL_STATUSES
from tenant_app.schemas.common import UtcDateTime
from tenant_app.schemas.transfers import DecisionSchema
from tenant_app.services.province.transfer_proposals import MIN_REFUSAL

REFUSAL = (MIN_REFUSAL, 1000)
SLUG_MAX = 64


class _NamedSchema(Schema):
    """A schema whose "missing" and "malformed" messages say which field (``_missing`` and
    ``_malformed`` give them, translated when the schema is made)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        malformed = self._malformed()
        for name, message in self._missing().items():
            extra = {"required": message, "null": message}
            if name in malformed:  # "invalid_uuid" is marshmallow's key for a UUID field
                extra.update(invalid=malformed[name], invalid_uuid=malformed[name])
            self.fields[name].error_messages = {**self.fields[name].error_messages, **extra}

    def _missing(self) -> dict[str, str]:
        return {}

    def _malformed(self) -> dict[str, str]:
        return {}


class TransferProposeSchema(_NamedSchema, DecisionSchema):
    """One of the unit's people proposed to another unit from a date, on a decision, with a
    reason (the post there is chosen by the receiving unit when it accepts)."""

    staff_id = fields.UUID(required=True, metadata={"description": "the person in this unit"})
    target = fields.String(
        required=True,
        metadata={"description": "slug of the receiving unit", "maxLength": SLUG_MAX},
    )
    effective_on = fields.Date(required=True, metadata={"description": "first day in the new unit"})

    def _missing(self):
        return {
            "staff_id": _("Cần chọn người được chuyển."),
            "target": _("Cần chọn đơn vị chuyển đến."),
            "effective_on": _("Cần nhập ngày hiệu lực của việc chuyển."),
            "reference": _("Số quyết định cần từ 3 đến 100 ký tự."),
            "reason": _("Lý do chuyển cần từ 10 đến 1000 ký tự."),
        }

    def _malformed(self):
        return {
            "staff_id": _("Người được chuyển không hợp lệ."),
            "target": _("Đơn vị chuyển đến không hợp lệ."),
            "effective_on": _("Ngày hiệu lực không hợp lệ (ngày/tháng/năm)."),
            "reference": _("Số quyết định cần từ 3 đến 100 ký tự."),
            "reason": _("Lý do chuyển cần từ 10 đến 1000 ký tự."),
        }

    @validates("target")
    def _target(self, value, **_kwargs):
        if not 1 <= len(value) <= SLUG_MAX:
            raise ValidationError(_("Cần chọn đơn vị chuyển đến."))


class TransferAcceptSchema(_NamedSchema):
    """Where the person lands in the receiving unit."""

    org_unit_id = fields.UUID(required=True, metadata={"description": "division in this unit"})
    position_id = fields.UUID(required=True, metadata={"description": "position in this unit"})

    def _missing(self):
        return {
            "org_unit_id": _("Cần chọn đơn vị công tác ở nơi đến."),
            "position_id": _("Cần chọn vị trí việc làm ở nơi đến."),
        }

    def _malformed(self):
        return {
            "org_unit_id": _("Đơn vị công tác không hợp lệ."),
            "position_id": _("Vị trí việc làm không hợp lệ."),
        }


class TransferRefuseSchema(_NamedSchema):
    """Why the receiving unit refuses."""

    refusal_reason = fields.String(
        required=True, metadata={"minLength": REFUSAL[0], "maxLength": REFUSAL[1]}
    )

    def _missing(self):
        return {"refusal_reason": _("Cần ghi lý do từ chối (ít nhất %(n)d ký tự).", n=REFUSAL[0])}

    def _malformed(self):
        return self._missing()

    @validates("refusal_reason")
    def _refusal(self, value, **_kwargs):
        if len(value) < REFUSAL[0]:
            raise ValidationError(_("Cần ghi lý do từ chối (ít nhất %(n)d ký tự).", n=REFUSAL[0]))
        if len(value) > REFUSAL[1]:
            raise ValidationError(_("Lý do từ chối tối đa %(n)d ký tự.", n=REFUSAL[1]))


class TransferProposalArgsSchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(PROPOSAL_STATUSES))
    side = fields.String(
        load_default=None,
        validate=validate.OneOf(PROPOSAL_SIDES),
        metadata={"description": "out: sent by this unit; in: received"},
    )


class TransferProposalSchema(Schema):
    """This unit's side of a proposal (the other unit holds the other side, same ``id``)."""

    id = fields.UUID(
        attribute="proposal_id",
        dump_only=True,
        metadata={"description": "the proposal, the same in both units"},
    )
    side = fields.String(
        dump_only=True,
        metadata={"enum": list(PROPOSAL_SIDES), "description": "out: sent; in: received"},
    )
    status = fields.String(dump_only=True, metadata={"enum": list(PROPOSAL_STATUSES)})
    status_label = fields.String(dump_only=True)
    staff_id = fields.UUID(
        dump_only=True,
        allow_none=True,
        metadata={"description": "the person's record in this unit (received: once accepted)"},
    )
    staff_code = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    staff_type = fields.String(dump_only=True)
    effective_on = fields.Date(dump_only=True)
    other_unit = fields.String(
        attribute="other_unit_slug", dump_only=True, metadata={"description": "the other unit"}
    )
    other_unit_name = fields.String(dump_only=True)
    reference = fields.String(dump_only=True)
    reason = fields.String(dump_only=True)
    results = fields.List(
        fields.String(),
        dump_only=True,
        metadata={"description": "codes of the published periods whose results would move"},
    )
    refusal_reason = fields.String(dump_only=True, allow_none=True)
    proposed_by = fields.String(dump_only=True)
    decided_by = fields.String(dump_only=True, allow_none=True)
    decided_at = UtcDateTime(dump_only=True, allow_none=True)
    transfer_id = fields.UUID(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)


class WaitingProposalSchema(Schema):
    """A proposal waiting for the receiving unit, as the province reads it."""

    id = fields.UUID(attribute="proposal_id", dump_only=True)
    proposed_at = UtcDateTime(dump_only=True)
    proposed_by = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    staff_code = fields.String(dump_only=True)
    from_unit = fields.String(dump_only=True, metadata={"description": "slug of the sending unit"})
    from_unit_name = fields.String(dump_only=True)
    to_unit = fields.String(dump_only=True, metadata={"description": "slug of the receiving unit"})
    to_unit_name = fields.String(dump_only=True)
    effective_on = fields.Date(dump_only=True)
    reference = fields.String(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": list(PROPOSAL_STATUSES)})
    status_label = fields.String(dump_only=True)
