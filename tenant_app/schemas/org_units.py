"""Schemas of org units (the organisation chart API)."""

from marshmallow import Schema, fields, validate

from tenant_app.models.org import ORG_UNIT_KINDS
from tenant_app.schemas.common import UtcDateTime
from tenant_app.services.workspace.fields import CODE_PATTERN

CODE = [validate.Length(min=1, max=32), validate.Regexp(CODE_PATTERN)]


class OrgUnitRevisionSchema(Schema):
    effective_from = fields.Date(dump_only=True)
    name = fields.String(dump_only=True)
    parent_id = fields.UUID(dump_only=True, allow_none=True)


class OrgUnitSchema(Schema):
    id = fields.UUID(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    parent_id = fields.UUID(dump_only=True, allow_none=True)
    head_staff_id = fields.UUID(dump_only=True, allow_none=True)
    active = fields.Boolean(dump_only=True)
    created_at = UtcDateTime(dump_only=True)


class OrgUnitDetailSchema(OrgUnitSchema):
    history = fields.List(
        fields.Nested(OrgUnitRevisionSchema),
        dump_only=True,
        metadata={"description": "name and parent from each date on, oldest first"},
    )


class OrgUnitCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(ORG_UNIT_KINDS))
    parent_id = fields.UUID(allow_none=True)
    head_staff_id = fields.UUID(allow_none=True)
    effective_from = fields.Date(
        metadata={"description": "date the unit (or this change) takes effect; default today"}
    )


class OrgUnitUpdateSchema(Schema):
    code = fields.String(validate=CODE)
    name = fields.String(validate=validate.Length(min=1, max=200))
    kind = fields.String(validate=validate.OneOf(ORG_UNIT_KINDS))
    parent_id = fields.UUID(allow_none=True)
    head_staff_id = fields.UUID(allow_none=True)
    effective_from = fields.Date(
        metadata={"description": "date a rename or move takes effect; default today"}
    )


class OrgUnitListArgsSchema(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    kind = fields.String(load_default=None, validate=validate.OneOf(ORG_UNIT_KINDS))
    parent_id = fields.UUID(load_default=None)
    active = fields.Boolean(load_default=None)
