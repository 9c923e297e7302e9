"""Schemas of the data-feed API: records as a source sends them, batches, sources, mappings."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tenant_app.models.vocabulary import (
    FeedEvent,
    FeedKind,
    FeedRecordStatus,
    LatePolicy,
    values,
)
from tenant_app.schemas.common import JsonBoolean, UtcDateTime

MAX_BATCH = 5000
VALUE_LIMIT = Decimal(10) ** 12
EXTERNAL = validate.Length(min=1, max=64)
HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class HourMinute(fields.String):
    """A local time of day written ``HH:MM``."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%H:%M")


class FeedRecordSchema(Schema):
    """One record: what happened to one dossier or task, or one measured value."""

    external_id = fields.String(
        required=True,
        validate=EXTERNAL,
        metadata={"description": "the dossier's or task's id in the source system"},
    )
    event = fields.String(
        required=True,
        validate=validate.OneOf(values(FeedEvent)),
        metadata={
            "description": "received (tiếp nhận), settled (giải quyết xong), returned (trả lại "
            "do lỗi) or value (giá trị một chỉ số)"
        },
    )
    officer = fields.String(
        required=True, validate=EXTERNAL, metadata={"description": "the officer's id at the source"}
    )
    item_code = fields.String(
        required=True,
        validate=EXTERNAL,
        metadata={"description": "procedure or task type at the source (mapped to the catalogue)"},
    )
    occurred_at = fields.DateTime(
        required=True,
        metadata={
            "description": "when it happened, ISO 8601; without an offset it is local time "
            "(Asia/Ho_Chi_Minh)"
        },
    )
    due_on = fields.Date(
        load_default=None, allow_none=True, metadata={"description": "the due date, if any"}
    )
    value = fields.Decimal(
        load_default=None,
        allow_none=True,
        places=None,
        validate=validate.Range(min=-VALUE_LIMIT, max=VALUE_LIMIT),
        metadata={"description": "the value (required for value events)"},
    )

    @validates_schema
    def _value_for_values(self, data, **_kwargs):
        value = data.get("value")
        if data.get("event") == FeedEvent.VALUE and value is None:
            raise ValidationError(_("Sự kiện value cần có giá trị."), "value")
        if value is not None:
            if not value.is_finite():
                raise ValidationError(_("Giá trị không hợp lệ."), "value")
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int) and exponent < -6:
                raise ValidationError(_("Giá trị có tối đa 6 chữ số thập phân."), "value")
        due = data.get("due_on")
        if due is not None and not 2000 <= due.year <= 2100:
            raise ValidationError(_("Hạn xử lý không hợp lệ."), "due_on")
        at = data.get("occurred_at")
        if at is not None and not 2000 <= at.year <= 2100:
            raise ValidationError(_("Thời điểm không hợp lệ."), "occurred_at")


class FeedBatchInSchema(Schema):
    records = fields.List(
        fields.Nested(FeedRecordSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH),
        metadata={"description": f"1 to {MAX_BATCH} records"},
    )


class FeedUploadSchema(Schema):
    file = Upload(
        required=True,
        metadata={"description": "CSV (UTF-8) or .xlsx with the record fields as columns"},
    )


class FeedBatchSchema(Schema):
    id = fields.UUID(dump_only=True)
    source_id = fields.UUID(dump_only=True)
    status = fields.String(dump_only=True)
    channel = fields.String(dump_only=True)
    record_count = fields.Integer(dump_only=True)
    accepted = fields.Integer(dump_only=True)
    rejected = fields.Integer(dump_only=True)
    held = fields.Integer(dump_only=True)
    duplicates = fields.Integer(dump_only=True)
    sha256 = fields.String(dump_only=True)
    received_at = UtcDateTime(dump_only=True)
    processed_at = UtcDateTime(dump_only=True, allow_none=True)


class FeedRecordOutSchema(Schema):
    id = fields.UUID(dump_only=True)
    batch_id = fields.UUID(dump_only=True)
    position = fields.Integer(dump_only=True)
    external_id = fields.String(dump_only=True)
    event = fields.String(dump_only=True)
    officer = fields.String(dump_only=True)
    item_code = fields.String(dump_only=True)
    occurred_at = UtcDateTime(dump_only=True)
    due_on = fields.Date(dump_only=True, allow_none=True)
    value = fields.Decimal(as_string=True, dump_only=True, allow_none=True)
    status = fields.String(dump_only=True)
    reason = fields.String(dump_only=True, allow_none=True)
    detail = fields.String(dump_only=True, allow_none=True)
    period_id = fields.UUID(dump_only=True, allow_none=True)
    moved_from_period_id = fields.UUID(dump_only=True, allow_none=True)
    replays = fields.Integer(dump_only=True)


class FeedRecordListArgsSchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(values(FeedRecordStatus)))


class ReplaySchema(Schema):
    record_ids = fields.List(
        fields.UUID(),
        load_default=None,
        validate=validate.Length(max=MAX_BATCH),
        metadata={"description": "records to decide again; all rejected and held ones if absent"},
    )


class FeedSourceSchema(Schema):
    id = fields.UUID(dump_only=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,31}$"))
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(values(FeedKind)))
    closing_day = fields.Integer(load_default=3, validate=validate.Range(min=1, max=28))
    closing_time = HourMinute(load_default=None, validate=validate.Regexp(HH_MM))
    late_policy = fields.String(
        load_default=LatePolicy.HOLD.value, validate=validate.OneOf(values(LatePolicy))
    )
    active = JsonBoolean(load_default=True)
    description = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=500)
    )


class FeedSourceUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=2, max=200))
    closing_day = fields.Integer(validate=validate.Range(min=1, max=28))
    closing_time = HourMinute(validate=validate.Regexp(HH_MM))
    late_policy = fields.String(validate=validate.OneOf(values(LatePolicy)))
    active = JsonBoolean()
    description = fields.String(allow_none=True, validate=validate.Length(max=500))


class OfficerMapSchema(Schema):
    external_id = fields.String(required=True, validate=EXTERNAL)
    staff_code = fields.String(required=True, validate=validate.Length(min=1, max=32))


class ItemMapSchema(Schema):
    external_code = fields.String(required=True, validate=EXTERNAL)
    canonical_code = fields.String(required=True, validate=validate.Length(min=1, max=32))


class MappingsSchema(Schema):
    officers = fields.List(fields.Nested(OfficerMapSchema), dump_only=True)
    items = fields.List(fields.Nested(ItemMapSchema), dump_only=True)


class FeedTokenSchema(Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)
    token = fields.String(dump_only=True, metadata={"description": "shown once"})
    expires_at = UtcDateTime(dump_only=True)
    revoked_at = UtcDateTime(dump_only=True, allow_none=True)
    last_used_at = UtcDateTime(dump_only=True, allow_none=True)
