"""Schemas of tenants (the province administrator's API)."""

from marshmallow import Schema, fields, validate

from tenant_app.models.tenants import SLUG_PATTERN, TenantKind, TenantStatus
from tenant_app.schemas.common import JsonBoolean, UtcDateTime


class TenantSchema(Schema):
    id = fields.Integer(dump_only=True)
    slug = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)


class TenantCreateSchema(Schema):
    slug = fields.String(
        required=True, validate=[validate.Length(min=1, max=64), validate.Regexp(SLUG_PATTERN)]
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in TenantKind]))


class TenantUpdateSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in TenantStatus]))


class FirstAdminSchema(Schema):
    username = fields.String(
        required=True,
        validate=[validate.Length(min=3, max=64), validate.Regexp(r"^[A-Za-z0-9._-]+$")],
    )
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.Email(load_default=None, allow_none=True)
    # Required by the service for a live unit (break-glass); ignored while the unit is set up.
    reason = fields.String(
        load_default=None, metadata={"description": "break-glass: why (live unit only)"}
    )
    hours = fields.Integer(
        strict=True,
        load_default=None,
        metadata={"description": "break-glass: hours until the account expires"},
    )
    confirmed = JsonBoolean(
        data_key="confirm",
        load_default=False,
        metadata={"description": "break-glass: explicit confirmation (live unit only)"},
    )


class BreakGlassSchema(Schema):
    """An open break-glass account of a unit."""

    id = fields.UUID(dump_only=True)
    username = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    reason = fields.String(dump_only=True)
    granted_by = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    expires_at = UtcDateTime(dump_only=True)
