"""Shared schema pieces: the error envelope and pagination query arguments."""

from marshmallow import Schema, fields


class ApiErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={"description": "stable machine code"})
    message = fields.String(required=True, metadata={"description": "readable message"})
    fields = fields.Dict(keys=fields.String(), metadata={"description": "messages per field"})


class ApiErrorSchema(Schema):
    error = fields.Nested(ApiErrorDetailSchema, required=True)
