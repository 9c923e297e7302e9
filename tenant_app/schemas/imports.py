"""Schemas of spreadsheet imports (upload form, status with problems and preview)."""

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from tenant_app.schemas.common import UtcDateTime


class ImportUploadSchema(Schema):
    """One multipart body: the form field ``kind`` and the workbook ``file``."""

    kind = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "import kind, e.g. `users`"},
    )
    file = Upload(required=True, metadata={"description": ".xlsx workbook made from the template"})


class ImportProblemSchema(Schema):
    row = fields.Integer(metadata={"description": "sheet row number (1 = header row)"})
    column = fields.String(metadata={"description": "column header as written in the file"})
    message = fields.String()


class ImportPreviewRowSchema(Schema):
    row = fields.Integer()
    values = fields.Dict(keys=fields.String(), values=fields.String())


class ImportSchema(Schema):
    id = fields.String()
    kind = fields.String()
    filename = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "queued, running, succeeded or failed"})
    state = fields.String(
        metadata={
            "description": "validating, invalid, ready, committing, committed or failed",
        }
    )
    progress_done = fields.Integer()
    progress_total = fields.Integer(allow_none=True)
    percent = fields.Integer()
    message = fields.String(allow_none=True)
    rows = fields.Integer(allow_none=True)
    created = fields.Integer(allow_none=True)
    problem_count = fields.Integer()
    problems = fields.List(fields.Nested(ImportProblemSchema))
    preview = fields.List(fields.Nested(ImportPreviewRowSchema))
    note_count = fields.Integer()
    notes = fields.List(
        fields.Nested(ImportProblemSchema),
        metadata={
            "description": "cells read differently from how the spreadsheet stored them, e.g. "
            "a rank code 1.003 read as 01.003 (row, column, what was understood); the first 1,000"
        },
    )
    created_at = UtcDateTime()
    started_at = UtcDateTime(allow_none=True)
    finished_at = UtcDateTime(allow_none=True)
    attempts = fields.Integer()
