"""Schema of an absence (leave with its document), as the staff screen and the API send it."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validates, validates_schema

from tenant_app.models.staff import ABSENCE_KINDS

# Sane bounds: nothing before the product's records begin, nothing far in the future, and no
# single leave longer than five years (long training is recorded in parts if ever longer).
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_DAYS = 5 * 366


class AbsenceSchema(Schema):
    """A leave: kind, first and last day (inclusive), the document granting it, a note."""

    kind = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    reference = fields.String(
        required=True, metadata={"description": "số quyết định / văn bản cho nghỉ"}
    )
    note = fields.String(allow_none=True, load_default=None)

    @validates("kind")
    def _kind(self, value, **_kwargs):
        if value not in ABSENCE_KINDS:
            raise ValidationError(_("Loại vắng mặt không hợp lệ."))

    @validates("reference")
    def _reference(self, value, **_kwargs):
        if not 3 <= len(value.strip()) <= 100:
            raise ValidationError(_("Số quyết định, văn bản cần từ 3 đến 100 ký tự."))

    @validates("note")
    def _note(self, value, **_kwargs):
        if value is not None and len(value.strip()) > 1000:
            raise ValidationError(_("Ghi chú tối đa 1000 ký tự."))

    @validates("starts_on")
    def _starts(self, value, **_kwargs):
        _in_bounds(value)

    @validates("ends_on")
    def _ends(self, value, **_kwargs):
        _in_bounds(value)

    @validates_schema(skip_on_field_errors=True)
    def _order(self, data, **_kwargs):
        if data["ends_on"] < data["starts_on"]:
            raise ValidationError(
                _("Ngày kết thúc không được trước ngày bắt đầu."), field_name="ends_on"
            )
        if (data["ends_on"] - data["starts_on"]).days + 1 > MAX_DAYS:
            raise ValidationError(
                _("Một lần vắng mặt không được dài quá 5 năm."), field_name="ends_on"
            )


def _in_bounds(value: date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(_("Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2100."))
