"""Shared schema pieces: the error envelope and moments in time as the API writes them."""

from datetime import UTC, datetime

from marshmallow import Schema, fields


class UtcDateTime(fields.DateTime):
    """A moment as RFC 3339 requires it, with its offset: stored as naive UTC, written as UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, datetime):
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class JsonBoolean(fields.Boolean):
    """A boolean of a JSON body: ``true`` or ``false`` only, as the document says.

    marshmallow's Boolean also takes ``0``, ``1``, ``"yes"``…, which suits query strings and
    forms, not a typed body (a client sending ``0`` has a bug worth a 422).
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class ApiErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={"description": "stable machine code"})
    message = fields.String(required=True, metadata={"description": "readable message"})
    fields = fields.Dict(keys=fields.String(), metadata={"description": "messages per field"})


class ApiErrorSchema(Schema):
    error = fields.Nested(ApiErrorDetailSchema, required=True)
