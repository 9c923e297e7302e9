"""The ``catalogue`` kind: the unit's own work items and indicators, in and out of a workbook.

Imported items are local (``origin='local'``); the province template's fields (canonical code,
mandatory, allowed range) are never set from a file. The export lists every active item with the
values of its latest version, and imports back into another unit with the same position codes.
"""

from __future__ import annotations

import re
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import fields, validate

from tenant_app.extensions import db
from tenant_app.models.catalogue import (
    AGGREGATIONS,
    DIRECTIONS,
    ITEM_KINDS,
    LABELS,
    SCORING_METHODS,
    CatalogueItem,
)
from tenant_app.models.org import JobPosition
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
from tenant_app.services.workspace import catalogue as catalogue_service
from tenant_app.services.workspace.fields import CODE_PATTERN

NUMBER = fields.Decimal(allow_nan=False)

COLUMNS = (
    Column(
        "code",
        "Mã",
        fields.String(validate=validate.Length(min=1, max=32)),
        required=True,
        help="Mã mục, không trùng trong danh mục: chữ không dấu, số, dấu chấm, gạch ngang, "
        "gạch dưới (tối đa 32 ký tự).",
        reads=CellKind.CODE,
    ),
    Column(
        "name",
        "Tên",
        fields.String(validate=validate.Length(min=1, max=200)),
        required=True,
        help="Tên sản phẩm/công việc hoặc chỉ tiêu.",
    ),
    Column(
        "kind",
        "Loại",
        fields.String(validate=validate.Length(max=40)),
        required=True,
        help="Sản phẩm/công việc hoặc Chỉ tiêu.",
    ),
    Column(
        "unit_of_measure",
        "Đơn vị tính",
        fields.String(validate=validate.Length(min=1, max=50)),
        required=True,
        help="Ví dụ: văn bản, hồ sơ, %.",
    ),
    Column(
        "coefficient",
        "Hệ số quy đổi",
        NUMBER,
        help="Chỉ cho sản phẩm/công việc (bắt buộc, lớn hơn 0). Để trống với chỉ tiêu.",
    ),
    Column(
        "target",
        "Chỉ tiêu",
        NUMBER,
        help="Chỉ cho chỉ tiêu: giá trị phải đạt (bắt buộc, trừ chiều Trong khoảng và "
        "Đạt/không đạt).",
    ),
    Column(
        "direction",
        "Chiều",
        fields.String(validate=validate.Length(max=60)),
        help="Chỉ cho chỉ tiêu: Càng cao càng tốt; Càng thấp càng tốt; Trong khoảng; "
        "Đạt/không đạt (hoặc higher, lower, band, yes_no).",
    ),
    Column(
        "band_low",
        "Cận dưới",
        NUMBER,
        help="Chỉ cho chỉ tiêu có chiều Trong khoảng.",
    ),
    Column(
        "band_high",
        "Cận trên",
        NUMBER,
        help="Chỉ cho chỉ tiêu có chiều Trong khoảng.",
    ),
    Column(
        "scoring_method",
        "Cách chấm",
        fields.String(validate=validate.Length(max=60)),
        help="Chỉ cho chỉ tiêu: Tỷ lệ so với chỉ tiêu (có trần); Theo khung điểm; "
        "Đạt/không đạt (hoặc ratio_capped, bands, pass_fail).",
    ),
    Column(
        "bands",
        "Khung điểm",
        fields.String(validate=validate.Length(max=500)),
        help="Chỉ khi chấm theo khung điểm: các cặp 'từ giá trị:điểm' tăng dần, cách nhau "
        "bằng dấu chấm phẩy, ví dụ 0:0; 50:60; 100:100.",
    ),
    Column(
        "aggregation",
        "Tổng hợp",
        fields.String(validate=validate.Length(max=40)),
        help="Chỉ cho chỉ tiêu: Tổng; Trung bình; Giá trị cuối kỳ; Số lần "
        "(hoặc sum, average, last, count).",
    ),
    Column(
        "position_codes",
        "Vị trí áp dụng",
        fields.String(validate=validate.Length(max=2000)),
        help="Mã các vị trí việc làm áp dụng, cách nhau bằng dấu chấm phẩy (;). Có thể để trống.",
    ),
    Column(
        "evidence_requirement",
        "Yêu cầu minh chứng",
        fields.String(validate=validate.Length(max=500)),
        help="Có thể để trống.",
    ),
    Column(
        "description",
        "Mô tả",
        fields.String(validate=validate.Length(max=5000)),
        help="Có thể để trống.",
    ),
    Column(
        "effective_from",
        "Ngày hiệu lực",
        Day(),
        help="Ngày bắt đầu áp dụng giá trị: ngày/tháng/năm. Để trống là từ hôm nay.",
    ),
)

EXTRA_NAMES = {
    "work_item": ("sản phẩm", "công việc", "sản phẩm, công việc", "work item"),
    "higher": ("cao hơn tốt hơn", "càng cao càng tốt", "cao"),
    "lower": ("thấp hơn tốt hơn", "càng thấp càng tốt", "thấp"),
    "yes_no": ("đạt không đạt", "có/không", "yes no"),
    "ratio_capped": ("tỷ lệ", "tỉ lệ", "tỷ lệ so với chỉ tiêu", "tỉ lệ so với chỉ tiêu"),
    "bands": ("khung điểm",),
    "pass_fail": ("đạt không đạt", "pass fail"),
    "last": ("cuối kỳ",),
}


def label_vi(value: str) -> str:
    """The Vietnamese label of a code (files are Vietnamese whatever the page language)."""
    with force_locale("vi"):
        return str(LABELS[value])


def _norm(text) -> str:
    return " ".join(str(text).split()).casefold()


def _lookup(choices) -> dict[str, str]:
    lookup = {}
    for code in choices:
        lookup[code] = code
        lookup[code.replace("_", " ")] = code
        lookup[_norm(label_vi(code))] = code
        for extra in EXTRA_NAMES.get(code, ()):
            lookup[_norm(extra)] = code
    return lookup


def _prepare() -> dict:
    return {
        "existing": set(db.session.execute(sa.select(CatalogueItem.code)).scalars()),
        "positions": dict(db.session.execute(sa.select(JobPosition.code, JobPosition.id)).all()),
        "seen": {},
        "kinds": _lookup(ITEM_KINDS),
        "directions": _lookup(DIRECTIONS),
        "methods": _lookup(SCORING_METHODS),
        "aggregations": _lookup(AGGREGATIONS),
    }


def _parse_bands(text: str) -> list[dict] | None:
    result = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        start, sep, score = part.partition(":")
        if not sep:
            return None
        try:
            result.append({"from": Decimal(start.strip()), "score": Decimal(score.strip())})
        except ArithmeticError:
            return None
    return result or None


def _choice(row, key, lookup, label, problems) -> None:
    raw = row.get(key)
    if raw is None:
        return
    value = lookup.get(_norm(raw))
    if value is None:
        problems.append((key, _("%(label)s không hợp lệ: %(value)s.", label=label, value=raw)))
    row[key] = value


def _validate_row(row: dict, number: int, state: dict) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    code = row["code"].strip()
    row["code"] = code
    if not re.match(CODE_PATTERN, code):
        problems.append(
            ("code", _("Mã chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới."))
        )
    elif code in state["existing"]:
        problems.append(("code", _("Mã %(code)s đã có trong danh mục của đơn vị.", code=code)))
    elif code in state["seen"]:
        problems.append(("code", _("Trùng mã với dòng %(row)d.", row=state["seen"][code])))
    else:
        state["seen"][code] = number

    kind = state["kinds"].get(_norm(row["kind"]))
    if kind is None:
        problems.append(("kind", _("Loại không hợp lệ: dùng Sản phẩm/công việc hoặc Chỉ tiêu.")))
    row["kind"] = kind
    _choice(row, "direction", state["directions"], _("Chiều"), problems)
    _choice(row, "scoring_method", state["methods"], _("Cách chấm"), problems)
    _choice(row, "aggregation", state["aggregations"], _("Tổng hợp"), problems)

    if kind == "work_item":
        if row.get("coefficient") is None:
            problems.append(("coefficient", _("Sản phẩm/công việc cần hệ số quy đổi.")))
        elif row["coefficient"] <= 0:
            problems.append(("coefficient", _("Hệ số quy đổi phải lớn hơn 0.")))
        for key in ("target", "direction", "scoring_method", "aggregation", "bands"):
            if row.get(key) is not None:
                problems.append(
                    (key, _("Sản phẩm/công việc chỉ có hệ số quy đổi: để trống ô này."))
                )
        for key in ("band_low", "band_high"):
            if row.get(key) is not None:
                problems.append(
                    (key, _("Sản phẩm/công việc chỉ có hệ số quy đổi: để trống ô này."))
                )
    elif kind == "indicator":
        if row.get("coefficient") is not None:
            problems.append(("coefficient", _("Chỉ tiêu không có hệ số quy đổi.")))
        if row.get("direction") == "yes_no" and row.get("scoring_method") is None:
            row["scoring_method"] = "pass_fail"
        for key, label in (
            ("direction", _("Chiều")),
            ("scoring_method", _("Cách chấm")),
            ("aggregation", _("Tổng hợp")),
        ):
            if row.get(key) is None and not any(k == key for k, _m in problems):
                problems.append((key, _("Chỉ tiêu cần ghi %(label)s.", label=label)))
        direction = row.get("direction")
        if direction == "yes_no" and row.get("scoring_method") not in (None, "pass_fail"):
            problems.append(
                ("scoring_method", _("Chỉ tiêu đạt/không đạt phải chấm theo đạt/không đạt."))
            )
        if direction == "band":
            if row.get("band_low") is None or row.get("band_high") is None:
                problems.append(("band_low", _("Chỉ tiêu trong khoảng cần cận dưới và cận trên.")))
            elif row["band_low"] > row["band_high"]:
                problems.append(("band_low", _("Cận dưới lớn hơn cận trên.")))
        elif direction in ("higher", "lower") and row.get("target") is None:
            problems.append(("target", _("Chỉ tiêu cần giá trị chỉ tiêu.")))
        if row.get("target") is not None and row["target"] < 0:
            problems.append(("target", _("Chỉ tiêu không được âm.")))
        if row.get("bands") is not None:
            bands = _parse_bands(row["bands"])
            if bands is None:
                problems.append(
                    ("bands", _("Khung điểm ghi dạng 'từ:điểm; từ:điểm', ví dụ 0:0; 50:60."))
                )
            row["bands"] = bands
        missing_bands = row.get("scoring_method") == "bands" and row.get("bands") is None
        if missing_bands and not any(k == "bands" for k, _m in problems):
            problems.append(("bands", _("Cách chấm theo khung điểm cần khung điểm.")))

    position_ids = []
    for part in (row.get("position_codes") or "").split(";"):
        part = part.strip()
        if not part:
            continue
        pid = state["positions"].get(part)
        if pid is None:
            problems.append(
                (
                    "position_codes",
                    _("Không có vị trí việc làm mã %(code)s trong đơn vị.", code=part),
                )
            )
        elif pid not in position_ids:
            position_ids.append(pid)
    row["position_ids"] = position_ids
    return problems


def _commit(rows: list[dict]) -> dict:
    for row in rows:
        data = {
            "kind": row["kind"],
            "code": row["code"],
            "name": row["name"],
            "unit_of_measure": row["unit_of_measure"],
            "description": row.get("description"),
            "evidence_requirement": row.get("evidence_requirement"),
            "position_ids": row["position_ids"],
            "effective_from": row.get("effective_from"),
        }
        for key in ("coefficient", "target", "band_low", "band_high", "bands"):
            if row.get(key) is not None:
                data[key] = row[key]
        if row["kind"] == "indicator":
            for key in ("direction", "scoring_method", "aggregation"):
                data[key] = row[key]
        try:
            catalogue_service.create_item(data, from_template=False)
        except ServiceError as exc:
            raise ServiceError(
                exc.code,
                _("Dòng %(row)d: %(message)s", row=row[ROW_KEY], message=exc.message),
                field=exc.field,
            ) from exc
    return {"created": len(rows)}


def _number(value):
    if value is None:
        return None
    value = Decimal(value).normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _export_rows():
    items = (
        db.session.execute(
            sa.select(CatalogueItem)
            .where(CatalogueItem.active.is_(True))
            .order_by(CatalogueItem.code)
        )
        .scalars()
        .all()
    )
    position_codes = dict(db.session.execute(sa.select(JobPosition.id, JobPosition.code)).all())
    for item in items:
        version = catalogue_service.latest_version(item)
        codes = sorted(
            position_codes[p] for p in catalogue_service.position_ids(item) if p in position_codes
        )
        bands = (version.bands if version else None) or None
        yield {
            "code": item.code,
            "name": item.name,
            "kind": label_vi(item.kind),
            "unit_of_measure": item.unit_of_measure,
            "coefficient": _number(version.coefficient) if version else None,
            "target": _number(version.target) if version else None,
            "direction": label_vi(item.direction) if item.direction else None,
            "band_low": _number(version.band_low) if version else None,
            "band_high": _number(version.band_high) if version else None,
            "scoring_method": label_vi(item.scoring_method) if item.scoring_method else None,
            "bands": "; ".join(f"{b['from']}:{b['score']}" for b in bands) if bands else None,
            "aggregation": label_vi(item.aggregation) if item.aggregation else None,
            "position_codes": "; ".join(codes) or None,
            "evidence_requirement": item.evidence_requirement,
            "description": item.description,
            "effective_from": version.effective_from if version else None,
        }


register_import(
    ImportKind(
        name="catalogue",
        label="Danh mục KPI",
        columns=COLUMNS,
        prepare=_prepare,
        validate_row=_validate_row,
        commit=_commit,
        examples=(
            {
                "code": "SP10",
                "name": "Văn bản trình ký",
                "kind": "Sản phẩm/công việc",
                "unit_of_measure": "văn bản",
                "coefficient": 1.5,
                "effective_from": "01/01/2026",
            },
            {
                "code": "CT10",
                "name": "Tỷ lệ hồ sơ giải quyết đúng hạn",
                "kind": "Chỉ tiêu",
                "unit_of_measure": "%",
                "target": 95,
                "direction": "Càng cao càng tốt",
                "scoring_method": "Tỷ lệ so với chỉ tiêu (có trần)",
                "aggregation": "Trung bình",
                "evidence_requirement": "Sổ theo dõi hồ sơ",
                "effective_from": "01/01/2026",
            },
        ),
    )
)

register_export(
    ExportKind(name="catalogue", label="Danh mục KPI", columns=COLUMNS, rows=_export_rows)
)
