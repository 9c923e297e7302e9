"""Schemas of the token endpoint."""

from marshmallow import Schema, fields, validate

from tenant_app.schemas.common import UtcDateTime


class TokenRequestSchema(Schema):
    tenant = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={"description": "slug of the unit; null for a province account"},
    )
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=256)
    )
    name = fields.String(
        load_default="api",
        validate=validate.Length(max=100),
        metadata={"description": "label to recognise the token later"},
    )


class TokenSchema(Schema):
    token = fields.String(required=True, metadata={"description": "bearer token, shown once"})
    token_type = fields.String(dump_default="Bearer")
    expires_at = UtcDateTime(required=True)
    tenant = fields.String(allow_none=True)
    username = fields.String()
    roles = fields.List(fields.String())
