"""The ``org_units`` kind: the unit's organisation chart (code, name, kind, parent), in and out
of a workbook.

A new ward has no org chart, and people are posted to org units by code: this kind is what the
onboarding wizard loads first. A parent may be a unit already in the chart or a row of the same
file, above or below; rows are created parents first, all in the import's one transaction.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import fields, validate

from tenant_app.extensions import db
from tenant_app.models.org import ORG_UNIT_KIND_LABELS, ORG_UNIT_KINDS, OrgUnit
from tenant_app.services.errors import ServiceError
from tenant_app.services.files.cell_reading import CellKind
from tenant_app.services.files.import_registry import (
    ROW_KEY,
    Column,
    Day,
    ExportKind,
    ImportKind,
    register_export,
    register_import,
)
from tenant_app.services.workspace import org as org_service
from tenant_app.services.workspace.fields import CODE_PATTERN

COLUMNS = (
    Column(
        "code",
        "Mã đơn vị",
        fields.String(validate=validate.Length(min=1, max=32)),
        required=True,
        help="Mã của bộ phận, không trùng: chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới "
        "(tối đa 32 ký tự). Tệp nhân sự ghi mã này ở cột Mã đơn vị.",
        reads=CellKind.CODE,
    ),
    Column(
        "name",
        "Tên đơn vị",
        fields.String(validate=validate.Length(min=1, max=200)),
        required=True,
        help="Tên đầy đủ của bộ phận.",
    ),
    Column(
        "kind",
        "Loại đơn vị",
        fields.String(validate=validate.Length(max=60)),
        required=True,
        help="Lãnh đạo UBND; Cơ quan chuyên môn; Khối Đảng; Mặt trận và đoàn thể; Đơn vị sự "
        "nghiệp (hoặc mã committee, body, party, mass_org, service_unit).",
    ),
    Column(
        "parent_code",
        "Mã đơn vị cấp trên",
        fields.String(validate=validate.Length(max=32)),
        help="Mã của đơn vị cấp trên: đơn vị đã có hoặc một dòng khác của tệp này. "
        "Để trống nếu là cấp cao nhất.",
        reads=CellKind.CODE,
    ),
    Column(
        "effective_from",
        "Ngày hiệu lực",
        Day(),
        help="Ngày bộ phận bắt đầu hoạt động: ngày/tháng/năm. Để trống là từ hôm nay.",
    ),
)

# The chart of the sample file; the staff sample posts its people to these codes.
EXAMPLES = (
    {
        "code": "UBND",
        "name": "Lãnh đạo UBND phường",
        "kind": "Lãnh đạo UBND",
        "parent_code": "",
        "effective_from": "01/07/2025",
    },
    {
        "code": "VP",
        "name": "Văn phòng HĐND và UBND",
        "kind": "Cơ quan chuyên môn",
        "parent_code": "UBND",
        "effective_from": "01/07/2025",
    },
)


def kind_label(kind: str) -> str:
    """The Vietnamese label of an org unit kind (files are Vietnamese whatever the language)."""
    with force_locale("vi"):
        return str(ORG_UNIT_KIND_LABELS[kind])


def _norm(text) -> str:
    return " ".join(str(text).split()).casefold()


def _kind_lookup() -> dict[str, str]:
    lookup = {}
    for kind in ORG_UNIT_KINDS:
        lookup[kind] = kind
        lookup[kind.replace("_", " ")] = kind
        lookup[_norm(kind_label(kind))] = kind
    return lookup


def _prepare() -> dict:
    existing = dict(db.session.execute(sa.select(OrgUnit.code, OrgUnit.id)).all())
    return {"existing": existing, "seen": {}, "parents": [], "kinds": _kind_lookup()}


def _validate_row(row: dict, number: int, state: dict) -> list[tuple[str, str]]:
    problems = []
    code = row["code"].strip()
    row["code"] = code
    if not re.match(CODE_PATTERN, code):
        problems.append(
            ("code", _("Mã đơn vị chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới."))
        )
    elif code in state["existing"]:
        problems.append(("code", _("Mã đơn vị %(code)s đã có trong cơ cấu tổ chức.", code=code)))
    elif code in state["seen"]:
        problems.append(("code", _("Trùng mã đơn vị với dòng %(row)d.", row=state["seen"][code])))
    else:
        state["seen"][code] = number
    kind = state["kinds"].get(_norm(row["kind"]))
    if kind is None:
        problems.append(
            (
                "kind",
                _(
                    "Loại đơn vị không hợp lệ: dùng %(kinds)s.",
                    kinds="; ".join(kind_label(k) for k in ORG_UNIT_KINDS),
                ),
            )
        )
    row["kind"] = kind
    parent = (row.get("parent_code") or "").strip() or None
    row["parent_code"] = parent
    if parent is not None:
        if parent == code:
            problems.append(("parent_code", _("Đơn vị cấp trên không được là chính đơn vị này.")))
        elif parent not in state["existing"]:
            state["parents"].append((number, code, parent))  # checked once the file is read
    return problems


def _finish(state: dict) -> list[tuple[int, str, str]]:
    """Parents named in the file must be rows of it, without a cycle."""
    problems = []
    links = {code: parent for _n, code, parent in state["parents"]}
    for number, code, parent in state["parents"]:
        if parent not in state["seen"]:
            problems.append(
                (
                    number,
                    "parent_code",
                    _("Không tìm thấy đơn vị cấp trên mã %(code)s.", code=parent),
                )
            )
            continue
        cursor, seen = parent, {code}
        while cursor is not None and cursor not in seen:
            seen.add(cursor)
            cursor = links.get(cursor)
        if cursor == code:
            problems.append(
                (number, "parent_code", _("Đơn vị cấp trên tạo thành vòng (cấp trên lẫn nhau)."))
            )
    return problems


def _commit(rows: list[dict]) -> dict:
    ids = dict(db.session.execute(sa.select(OrgUnit.code, OrgUnit.id)).all())
    pending = list(rows)
    while pending:  # parents first: each pass creates the rows whose parent exists
        ready = [r for r in pending if r["parent_code"] is None or r["parent_code"] in ids]
        if not ready:  # validation rules this out; refuse rather than loop
            raise ServiceError(
                "unknown_parent",
                _("Dòng %(row)d: không tìm thấy đơn vị cấp trên.", row=pending[0][ROW_KEY]),
            )
        for row in ready:
            data = {
                "code": row["code"],
                "name": row["name"],
                "kind": row["kind"],
                "parent_id": ids.get(row["parent_code"]),
                "effective_from": row.get("effective_from"),
            }
            try:
                unit = org_service.create_org_unit(data)
            except ServiceError as exc:
                raise ServiceError(
                    exc.code,
                    _("Dòng %(row)d: %(message)s", row=row[ROW_KEY], message=exc.message),
                    field=exc.field,
                ) from exc
            ids[unit.code] = unit.id
        pending = [r for r in pending if r not in ready]
    return {"created": len(rows)}


def _export_rows():
    units = db.session.execute(sa.select(OrgUnit).order_by(OrgUnit.code)).scalars().all()
    codes = {u.id: u.code for u in units}
    for unit in units:
        if unit.active:
            yield {
                "code": unit.code,
                "name": unit.name,
                "kind": kind_label(unit.kind),
                "parent_code": codes.get(unit.parent_id),
                "effective_from": None,
            }


register_import(
    ImportKind(
        name="org_units",
        label="Cơ cấu tổ chức",
        columns=COLUMNS,
        prepare=_prepare,
        validate_row=_validate_row,
        finish=_finish,
        commit=_commit,
        examples=EXAMPLES,
    )
)

register_export(
    ExportKind(name="org_units", label="Cơ cấu tổ chức", columns=COLUMNS, rows=_export_rows)
)
