"""Schemas of rollouts (province API): create, board, a tenant's diff, rollback, impact."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from tenant_app.models.tenants import SLUG_PATTERN, TenantKind
from tenant_app.schemas.common import JsonBoolean, UtcDateTime

EFFECTIVE = ("next_period", "immediately")
_slug = fields.String(validate=validate.Regexp(SLUG_PATTERN))


class _Waves(fields.Field):
    """A number of waves (tenants split in order), or a list of lists of slugs."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            if not 1 <= value <= 20:
                raise ValidationError(_("Số đợt phải từ 1 đến 20."))
            return value
        if isinstance(value, list) and all(
            isinstance(group, list) and all(isinstance(s, str) for s in group) for group in value
        ):
            return value
        raise ValidationError(_("Đợt là một số, hoặc danh sách các danh sách mã đơn vị."))


class RolloutCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    version = fields.Integer(required=True, metadata={"description": "published version id"})
    tenants = fields.List(_slug, metadata={"description": "slugs of the units"})
    kind = fields.String(
        validate=validate.OneOf([k.value for k in TenantKind]),
        metadata={"description": "every unit of this kind"},
    )
    current_version = fields.Integer(
        metadata={"description": "every unit currently running this version id"}
    )
    waves = _Waves(
        metadata={
            "description": "a number, or [[slug, …], …]",
            "oneOf": [
                {"type": "integer", "minimum": 1, "maximum": 20},
                {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
            ],
        }
    )
    dry_run = JsonBoolean(load_default=True)
    effective = fields.String(load_default="next_period", validate=validate.OneOf(EFFECTIVE))

    @validates_schema
    def _some_selector(self, data, **_kwargs):
        if not any(data.get(k) for k in ("tenants", "kind", "current_version")):
            raise ValidationError(
                _("Chọn đơn vị: danh sách, loại đơn vị hoặc phiên bản đang chạy."), "tenants"
            )


class RolloutTargetSchema(Schema):
    tenant = fields.String(dump_only=True)
    tenant_name = fields.String(dump_only=True)
    wave = fields.Integer(dump_only=True)
    status = fields.String(
        dump_only=True, metadata={"description": "pending, running, applied, skipped, failed"}
    )
    status_label = fields.String(dump_only=True)
    message = fields.String(dump_only=True, allow_none=True)
    attempts = fields.Integer(dump_only=True)
    counts = fields.Dict(dump_only=True, metadata={"description": "changes, kept, overrides…"})
    effective_from = fields.String(dump_only=True, allow_none=True)
    started_at = UtcDateTime(dump_only=True, allow_none=True)
    finished_at = UtcDateTime(dump_only=True, allow_none=True)


class RolloutSummarySchema(Schema):
    id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    version_number = fields.Integer(dump_only=True)
    template = fields.Integer(dump_only=True)
    dry_run = fields.Boolean(dump_only=True)
    status = fields.String(dump_only=True)
    status_label = fields.String(dump_only=True)
    effective = fields.String(dump_only=True)
    waves = fields.Integer(dump_only=True)
    waves_started = fields.Integer(dump_only=True)
    created_by = fields.String(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)
    finished_at = UtcDateTime(dump_only=True, allow_none=True)
    counts = fields.Dict(dump_only=True)
    total = fields.Integer(dump_only=True)


class RolloutSchema(RolloutSummarySchema):
    targets = fields.List(fields.Nested(RolloutTargetSchema), dump_only=True)


class RolloutTargetDiffSchema(Schema):
    tenant = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    message = fields.String(dump_only=True, allow_none=True)
    diff = fields.Dict(
        dump_only=True,
        metadata={
            "description": "changes, kept, overrides (lines: section, key, name, field, values; "
            "an override also code, params and message)"
        },
    )
    conflicts = fields.List(
        fields.Dict(),
        dump_only=True,
        metadata={"description": "lines with code, params and message (in the request's language)"},
    )


class RollbackSchema(Schema):
    class Meta:
        unknown = RAISE

    effective = fields.String(load_default="next_period", validate=validate.OneOf(EFFECTIVE))
    config = fields.UUID(metadata={"description": "configuration to leave (default: current)"})


class RollbackResultSchema(Schema):
    tenant = fields.String(dump_only=True)
    job = fields.String(dump_only=True)
    status = fields.String(dump_only=True, metadata={"description": "queued, succeeded, failed"})
    message = fields.String(dump_only=True, allow_none=True)
    result = fields.Dict(dump_only=True, allow_none=True)


class TenantConfigSchema(Schema):
    id = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True, attribute="version_id")
    previous = fields.String(dump_only=True, allow_none=True, attribute="previous_id")
    effective_from = fields.Date(dump_only=True)
    rollout = fields.Integer(dump_only=True, allow_none=True, attribute="rollout_id")
    applied_by = fields.String(dump_only=True, allow_none=True)
    applied_at = UtcDateTime(dump_only=True)
    rolled_back = fields.Boolean(dump_only=True)
    summary = fields.Dict(dump_only=True)


class TenantConfigurationSchema(Schema):
    tenant = fields.String(dump_only=True)
    current = fields.Nested(TenantConfigSchema, dump_only=True, allow_none=True)
    history = fields.List(fields.Nested(TenantConfigSchema), dump_only=True)


class ImpactRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    version = fields.Integer(required=True, metadata={"description": "draft or published"})
    tenants = fields.List(_slug, required=True, validate=validate.Length(min=1, max=50))


class ImpactSchema(Schema):
    version = fields.Integer(dump_only=True)
    tenants = fields.List(fields.Dict(), dump_only=True)
