"""Field checks shared by the workspace services: each failure names the field, in Vietnamese.

Services take plain dicts (from an API schema, a form or a spreadsheet row) and call these, so an
importer gets the same messages as the screens.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from tenant_app.formatting import normalise_number
from tenant_app.services.errors import ServiceError

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"


def text(data: dict, field: str, label: str, *, max_len: int, required: bool = False):
    """Return ``data[field]`` stripped (None if empty and optional); raise ServiceError if bad."""
    value = data.get(field)
    if value is not None and not isinstance(value, str):
        raise ServiceError("invalid", _("%(label)s phải là chuỗi ký tự.", label=label), field)
    value = (value or "").strip()
    if not value:
        if required:
            raise ServiceError("required", _("%(label)s là bắt buộc.", label=label), field)
        return None
    if len(value) > max_len:
        raise ServiceError(
            "too_long", _("%(label)s dài quá %(n)d ký tự.", label=label, n=max_len), field
        )
    return value


def code(data: dict, field: str, label: str, *, required: bool = True):
    """Return a code (letters, digits, dot, dash, underscore; at most 32), or raise."""
    value = text(data, field, label, max_len=32, required=required)
    if value is not None and not re.match(CODE_PATTERN, value):
        raise ServiceError(
            "invalid_code",
            _(
                "%(label)s chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới.",
                label=label,
            ),
            field,
        )
    return value


def choice(value, field: str, label: str, choices, *, required: bool = True):
    if value in (None, ""):
        if required:
            raise ServiceError("required", _("%(label)s là bắt buộc.", label=label), field)
        return None
    if value not in choices:
        raise ServiceError("invalid_choice", _("%(label)s không hợp lệ.", label=label), field)
    return value


def number(value, field: str, label: str, *, minimum=None, maximum=None, above=None):
    """Return ``value`` as a Decimal (None stays None) inside the bounds, or raise.

    Text may be written the Vietnamese way ("1,5", "9.500.000"): see ``normalise_number``."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = normalise_number(value)
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ServiceError("invalid", _("%(label)s phải là số.", label=label), field) from None
    if not result.is_finite():
        raise ServiceError("invalid", _("%(label)s phải là số.", label=label), field)
    if above is not None and result <= Decimal(str(above)):
        raise ServiceError(
            "out_of_range", _("%(label)s phải lớn hơn %(n)s.", label=label, n=above), field
        )
    if minimum is not None and result < Decimal(str(minimum)):
        raise ServiceError(
            "out_of_range",
            _("%(label)s phải lớn hơn hoặc bằng %(n)s.", label=label, n=minimum),
            field,
        )
    if maximum is not None and result > Decimal(str(maximum)):
        raise ServiceError(
            "out_of_range",
            _("%(label)s phải nhỏ hơn hoặc bằng %(n)s.", label=label, n=maximum),
            field,
        )
    return result


def day(value, field: str, label: str, *, required: bool = False):
    """Return a date from a date or an ISO string (None if empty and optional), or raise."""
    if value in (None, ""):
        if required:
            raise ServiceError("required", _("%(label)s là bắt buộc.", label=label), field)
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ServiceError(
            "invalid", _("%(label)s không phải ngày hợp lệ.", label=label), field
        ) from None


def ident(value, field: str, label: str):
    """Return a UUID (None stays None), or raise."""
    if value in (None, ""):
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ServiceError("invalid", _("%(label)s không hợp lệ.", label=label), field) from None


def unknown_keys(data: dict, allowed) -> None:
    """Refuse keys a service does not know (a typo must not be silently ignored)."""
    extra = sorted(set(data) - set(allowed))
    if extra:
        raise ServiceError("unknown_field", _("Trường không được hỗ trợ."), extra[0])
