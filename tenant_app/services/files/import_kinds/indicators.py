"""The ``indicator_values`` kind: values of the unit's indicators for a period, from a workbook.

For indicators the unit follows itself (a satisfaction survey, a disbursement rate reported by the
treasury): one row per value, a unit indicator without a staff code or a position indicator with
the holder's staff code. Every row is checked before anything is written; the values are recorded
as entered by import (audited), and the people they reach are re-scored.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from marshmallow import fields, validate

from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Period
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import IndicatorOrigin, PeriodStatus
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import indicator_values
from tenant_app.services.files.cell_reading import CellKind
from tenant_app.services.files.import_registry import ROW_KEY, Column, ImportKind, register_import

COLUMNS = (
    Column(
        "period",
        "Kỳ đánh giá",
        fields.String(validate=validate.Length(min=1, max=16)),
        required=True,
        help="Mã kỳ đang mở, ví dụ 2026-11 (tháng) hoặc 2026-Q4 (quý).",
    ),
    Column(
        "indicator",
        "Mã chỉ số",
        fields.String(validate=validate.Length(min=1, max=32)),
        required=True,
        help="Mã chỉ số trong danh mục KPI của đơn vị (hoặc mã chuẩn của tỉnh).",
        reads=CellKind.CODE,
    ),
    Column(
        "staff_code",
        "Mã nhân sự",
        fields.String(validate=validate.Length(max=32)),
        help="Chỉ với chỉ số của vị trí việc làm: mã nhân sự của người giữ vị trí. Để trống với "
        "chỉ số của đơn vị.",
        reads=CellKind.CODE,
    ),
    Column(
        "value",
        "Giá trị",
        fields.Decimal(allow_nan=False, places=None),
        required=True,
        help="Số, tối đa 6 chữ số thập phân (dấu chấm hoặc dấu phẩy).",
    ),
    Column(
        "note",
        "Ghi chú",
        fields.String(validate=validate.Length(max=500)),
        help="Nguồn số liệu, ví dụ: Khảo sát mức độ hài lòng tháng 11.",
    ),
)


def _prepare() -> dict:
    items = db.session.execute(
        sa.select(CatalogueItem).where(CatalogueItem.kind == "indicator")
    ).scalars()
    by_code = {}
    for item in items:
        by_code[item.code] = item
        if item.canonical_code:
            by_code.setdefault(item.canonical_code, item)
    return {
        "periods": {p.code: p for p in db.session.execute(sa.select(Period)).scalars()},
        "items": by_code,
        "staff": dict(db.session.execute(sa.select(StaffMember.code, StaffMember.id)).all()),
    }


def _validate_row(row: dict, number: int, state: dict) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    period = state["periods"].get(row["period"].strip())
    if period is None:
        problems.append(("period", _("Không có kỳ đánh giá mã %(c)s.", c=row["period"])))
    elif period.status != PeriodStatus.OPEN:
        problems.append(("period", _("Kỳ %(c)s đã đóng: không nhập thêm giá trị.", c=period.code)))
    item = state["items"].get(row["indicator"].strip())
    if item is None:
        problems.append(("indicator", _("Danh mục không có chỉ số mã %(c)s.", c=row["indicator"])))
    elif not item.active:
        problems.append(("indicator", _("Chỉ số %(c)s đã ngừng áp dụng.", c=item.code)))
    code = (row.get("staff_code") or "").strip()
    staff_id = None
    if code:
        staff_id = state["staff"].get(code)
        if staff_id is None:
            problems.append(("staff_code", _("Không có nhân sự mã %(c)s.", c=code)))
    value = row.get("value")
    if value is not None and (abs(value) > 10**12 or value.as_tuple().exponent < -6):
        problems.append(("value", _("Giá trị phải là số (tối đa 6 chữ số thập phân).")))
    row["period_id"] = None if period is None else period.id
    row["item_id"] = None if item is None else item.id
    row["staff_id"] = staff_id
    return problems


def _commit(rows: list[dict]) -> dict:
    for row in rows:
        try:
            indicator_values.enter_value(
                _by_id(Period, row["period_id"]),
                _by_id(CatalogueItem, row["item_id"]),
                row["value"],
                actor=None,
                person=None if row["staff_id"] is None else _by_id(StaffMember, row["staff_id"]),
                note=row.get("note"),
                origin=IndicatorOrigin.IMPORT,
            )
        except ServiceError as exc:
            raise ServiceError(
                exc.code,
                _("Dòng %(row)d: %(message)s", row=row[ROW_KEY], message=exc.message),
                field=exc.field,
            ) from exc
    return {"created": len(rows)}


def _by_id(model, key):
    return db.session.execute(sa.select(model).where(model.id == key)).scalar_one()


register_import(
    ImportKind(
        name="indicator_values",
        label="Giá trị chỉ số KPI",
        columns=COLUMNS,
        prepare=_prepare,
        validate_row=_validate_row,
        commit=_commit,
        examples=(
            {
                "period": "2026-11",
                "indicator": "CS02",
                "staff_code": None,
                "value": 86.5,
                "note": "Khảo sát mức độ hài lòng tháng 11",
            },
        ),  # fmt: skip
    )
)
