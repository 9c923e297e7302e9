"""Schemas of job positions (vị trí việc làm)."""

from marshmallow import Schema, fields, validate

from tenant_app.models.org import POSITION_GROUPS
from tenant_app.schemas.common import UtcDateTime
from tenant_app.schemas.org_units import CODE


class ItemBriefSchema(Schema):
    id = fields.UUID(dump_only=True)
    kind = fields.String(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)


class PositionSchema(Schema):
    id = fields.UUID(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    position_group = fields.String(dump_only=True)
    description = fields.String(dump_only=True, allow_none=True)
    active = fields.Boolean(dump_only=True)
    created_at = UtcDateTime(dump_only=True)


class PositionDetailSchema(PositionSchema):
    items = fields.List(
        fields.Nested(ItemBriefSchema),
        dump_only=True,
        metadata={"description": "active work items and indicators that apply to the position"},
    )


class PositionCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    position_group = fields.String(required=True, validate=validate.OneOf(POSITION_GROUPS))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))


class PositionUpdateSchema(Schema):
    code = fields.String(validate=CODE)
    name = fields.String(validate=validate.Length(min=1, max=200))
    position_group = fields.String(validate=validate.OneOf(POSITION_GROUPS))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))


class PositionListArgsSchema(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    position_group = fields.String(load_default=None, validate=validate.OneOf(POSITION_GROUPS))
    active = fields.Boolean(load_default=None)
