"""Schemas of tenant accounts (the unit administrator's API)."""

from marshmallow import Schema, fields, validate

from tenant_app.models.users import TENANT_ROLES
from tenant_app.schemas.common import JsonBoolean, UtcDateTime

_ROLES = fields.List(
    fields.String(validate=validate.OneOf(TENANT_ROLES)), validate=validate.Length(min=1, max=3)
)


class UserSchema(Schema):
    id = fields.UUID(dump_only=True)
    username = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    email = fields.String(dump_only=True, allow_none=True)
    roles = fields.List(fields.String(), attribute="role_list", dump_only=True)
    active = fields.Boolean(dump_only=True)
    must_change_password = fields.Boolean(dump_only=True)
    last_login_at = UtcDateTime(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)


class UserCreateSchema(Schema):
    username = fields.String(
        required=True,
        validate=[validate.Length(min=3, max=64), validate.Regexp(r"^[A-Za-z0-9._-]+$")],
    )
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    # Required: without it the service was called without roles (a 500 Schemathesis found).
    roles = fields.List(
        fields.String(validate=validate.OneOf(TENANT_ROLES)),
        required=True,
        validate=validate.Length(min=1, max=3),
    )
    password = fields.String(
        load_default=None,
        allow_none=True,
        load_only=True,
        validate=validate.Length(min=10, max=256),
        metadata={"description": "omit to generate a temporary password"},
    )


class UserUpdateSchema(Schema):
    full_name = fields.String(validate=validate.Length(min=1, max=120))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    roles = _ROLES
    active = JsonBoolean()


class UserCreatedSchema(UserSchema):
    temporary_password = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "shown once"}
    )
    expires_at = UtcDateTime(
        dump_only=True, allow_none=True, metadata={"description": "break-glass account expiry"}
    )


class UserListArgsSchema(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    role = fields.String(load_default=None, validate=validate.OneOf(TENANT_ROLES))
    active = fields.Boolean(load_default=None)
