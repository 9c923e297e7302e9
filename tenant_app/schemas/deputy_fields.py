"""Schema of a deputy's field (lĩnh vực phụ trách), as the staff screen sends it."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validates, validates_schema

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


class DeputyFieldSchema(Schema):
    """A division assigned to a deputy: the unit, first and last day (open when empty), decision."""

    # Marshmallow's "Not a valid UUID." is put in Vietnamese by errors.translate_validation.
    org_unit_id = fields.UUID(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True, load_default=None)
    reference = fields.String(
        required=True, metadata={"description": "số quyết định phân công nhiệm vụ"}
    )

    @validates("reference")
    def _reference(self, value, **_kwargs):
        if not 3 <= len(value.strip()) <= 100:
            raise ValidationError(_("Số quyết định phân công cần từ 3 đến 100 ký tự."))

    @validates("starts_on")
    def _starts(self, value, **_kwargs):
        _in_bounds(value)

    @validates("ends_on")
    def _ends(self, value, **_kwargs):
        if value is not None:
            _in_bounds(value)

    @validates_schema(skip_on_field_errors=True)
    def _order(self, data, **_kwargs):
        if data.get("ends_on") is not None and data["ends_on"] < data["starts_on"]:
            raise ValidationError(
                _("Ngày kết thúc không được trước ngày bắt đầu."), field_name="ends_on"
            )


def _in_bounds(value: date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(_("Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2100."))
