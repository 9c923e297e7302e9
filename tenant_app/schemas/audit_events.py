"""Schemas of audit events (read-only API for unit administrators and province roles)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marshmallow import Schema, ValidationError, fields, validate

from tenant_app.services.audit import audit_log


class DayOrInstant(fields.Field):
    """An ISO 8601 instant (naive = UTC) or a date (a whole day in Asia/Ho_Chi_Minh).

    Loads to naive UTC; ``end_of_day`` turns a date into the start of the next day (for "until").
    """

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.end_of_day = end_of_day
        self.metadata.setdefault("type", "string")
        self.metadata.setdefault("anyOf", [{"format": "date"}, {"format": "date-time"}])
        self.metadata.setdefault("example", "2026-11-27")

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        try:
            if len(text) == 10:
                day = datetime.strptime(text, "%Y-%m-%d").date()
                return audit_log.local_day_start(day + timedelta(days=int(self.end_of_day)))
            # RFC 3339 allows a lower-case "t" and "z"; fromisoformat wants them upper-case.
            return audit_log.to_utc(datetime.fromisoformat(text.upper().replace("Z", "+00:00")))
        except ValueError as exc:
            raise ValidationError("Không phải ngày (yyyy-mm-dd) hay thời điểm ISO 8601.") from exc


def _utc_iso(event) -> str:
    return event.occurred_at.replace(tzinfo=UTC).isoformat()


class ChangeSchema(Schema):
    field = fields.String()
    old = fields.String()
    new = fields.String()


class AuditEventSchema(Schema):
    source = fields.String(metadata={"description": "tenant (a unit's chain) or province"})
    tenant_slug = fields.String(allow_none=True)
    tenant_name = fields.String(allow_none=True)
    seq = fields.Integer(metadata={"description": "position in its hash chain"})
    occurred_at = fields.Function(_utc_iso, metadata={"type": "string", "format": "date-time"})
    actor_type = fields.String()
    actor_id = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True)
    ip = fields.String(allow_none=True)
    action = fields.String()
    action_label = fields.String(attribute="label")
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    changes = fields.List(fields.Nested(ChangeSchema), metadata={"description": "field: old → new"})


class AuditEventArgsSchema(Schema):
    actor = fields.String(load_default=None, validate=validate.Length(max=120))
    action = fields.String(
        load_default=None,
        validate=validate.Length(max=64),
        metadata={"description": "exact code, or a family ending in '.' (e.g. auth.)"},
    )
    object_type = fields.String(load_default=None, validate=validate.Length(max=64))
    object_id = fields.String(load_default=None, validate=validate.Length(max=64))
    since = DayOrInstant(load_default=None)
    until = DayOrInstant(
        load_default=None,
        end_of_day=True,
        metadata={"description": "exclusive; a date counts whole"},
    )


class ProvinceAuditEventArgsSchema(AuditEventArgsSchema):
    tenant = fields.String(
        load_default=None, validate=validate.Length(max=64), metadata={"description": "unit slug"}
    )
    source = fields.String(load_default="all", validate=validate.OneOf(audit_log.SOURCES))
