"""KPI catalogue: work items and indicators, their dated value versions and template guard-rails.

The guard-rail rule for a *mandatory* item (from the province template): it cannot be deleted or
deactivated; its kind, canonical code, direction, scoring method and aggregation cannot change;
its coefficient (work item) or target (indicator) may change only inside the range the template
stored (``allowed_min``..``allowed_max``, either end optional), and not at all when none is stored.
Other value fields (cap, bands, weight) of a mandatory item are the template's: not changeable.

Values (coefficient, target, …) live in versions with ``effective_from``; a change appends a
version after the latest, never edits one, so a closed period keeps resolving what it used
(``version_at(item, day)``); only the current version's date may move, while nothing used the
difference (``catalogue_dates``). Functions take plain dicts and leave the commit to the caller.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.catalogue import (
    AGGREGATIONS,
    DIRECTIONS,
    ITEM_KINDS,
    SCORING_METHODS,
    CatalogueItem,
    CatalogueVersion,
    ItemPosition,
)
from tenant_app.services.errors import Conflict, NotFound, ServiceError
from tenant_app.services.workspace import catalogue_dates, fields, org, positions
from tenant_app.services.workspace import catalogue_values as values
from tenant_app.services.workspace.lookup import by_code, check_unique_code, get_scoped

DETAIL_FIELDS = (
    "kind",
    "code",
    "name",
    "unit_of_measure",
    "description",
    "evidence_requirement",
    "org_unit_id",
    "direction",
    "scoring_method",
    "aggregation",
    "position_ids",
    "active",
)
TEMPLATE_FIELDS = ("canonical_code", "mandatory", "allowed_min", "allowed_max")
ITEM_FIELDS = DETAIL_FIELDS + TEMPLATE_FIELDS + values.VALUE_FIELDS + ("effective_from",)
LOCKED_WHEN_MANDATORY = ("kind", "canonical_code", "direction", "scoring_method", "aggregation")


def get_item(item_id) -> CatalogueItem:
    """Return the catalogue item of the tenant in context, or raise NotFound."""
    return get_scoped(CatalogueItem, item_id, _("Không tìm thấy mục trong danh mục KPI."))


def find_item(code: str) -> CatalogueItem | None:
    return by_code(CatalogueItem, code)


def versions(item: CatalogueItem) -> list[CatalogueVersion]:
    """Return the item's versions, oldest first."""
    return list(
        db.session.execute(
            sa.select(CatalogueVersion)
            .where(CatalogueVersion.item_id == item.id)
            .order_by(CatalogueVersion.effective_from)
        ).scalars()
    )


def version_at(item: CatalogueItem, on: date) -> CatalogueVersion | None:
    """Return the version of ``item`` in force on ``on`` (None before its first version)."""
    return db.session.execute(
        sa.select(CatalogueVersion)
        .where(CatalogueVersion.item_id == item.id, CatalogueVersion.effective_from <= on)
        .order_by(CatalogueVersion.effective_from.desc())
        .limit(1)
    ).scalar_one_or_none()


def latest_version(item: CatalogueItem) -> CatalogueVersion | None:
    return version_at(item, date.max)


def position_ids(item: CatalogueItem) -> list:
    return list(
        db.session.execute(
            sa.select(ItemPosition.position_id).where(ItemPosition.item_id == item.id)
        ).scalars()
    )


def items_by_position(position_id_list) -> dict:
    """Return {position id: [active items that apply to it, by code]}."""
    rows = db.session.execute(
        sa.select(ItemPosition.position_id, CatalogueItem)
        .join(CatalogueItem, CatalogueItem.id == ItemPosition.item_id)
        .where(ItemPosition.position_id.in_(list(position_id_list)))
        .where(CatalogueItem.active.is_(True))
        .order_by(CatalogueItem.code)
    ).all()
    result: dict = {}
    for position_id, item in rows:
        result.setdefault(position_id, []).append(item)
    return result


def snapshot(item: CatalogueItem) -> dict:
    version = latest_version(item)
    return {
        **{name: getattr(item, name) for name in DETAIL_FIELDS if name != "position_ids"},
        **{name: getattr(item, name) for name in TEMPLATE_FIELDS},
        "origin": item.origin,
        "position_ids": sorted(str(p) for p in position_ids(item)),
        "version": None if version is None else values.as_dict(version),
    }


def _set_positions(item: CatalogueItem, ids) -> None:
    wanted = []
    for raw in ids or []:
        pid = fields.ident(raw, "position_ids", _("Vị trí áp dụng"))
        try:
            positions.get_position(pid)
        except NotFound:
            raise ServiceError(
                "unknown_position",
                _("Vị trí áp dụng không tồn tại trong đơn vị."),
                "position_ids",
            ) from None
        if pid not in wanted:
            wanted.append(pid)
    existing = {
        link.position_id: link
        for link in db.session.execute(
            sa.select(ItemPosition).where(ItemPosition.item_id == item.id)
        ).scalars()
    }
    for pid, link in existing.items():
        if pid not in wanted:
            db.session.delete(link)
    for pid in wanted:
        if pid not in existing:
            db.session.add(ItemPosition(item_id=item.id, position_id=pid))


def _apply_details(item: CatalogueItem, data: dict) -> None:
    if "code" in data or item.code is None:
        code = fields.code(data, "code", _("Mã mục"))
        check_unique_code(
            CatalogueItem, code, item.id, _("Mã mục đã được sử dụng trong danh mục của đơn vị.")
        )
        item.code = code
    if "name" in data or item.name is None:
        item.name = fields.text(data, "name", _("Tên mục"), max_len=200, required=True)
    if "unit_of_measure" in data or item.unit_of_measure is None:
        item.unit_of_measure = fields.text(
            data, "unit_of_measure", _("Đơn vị tính"), max_len=50, required=True
        )
    if "description" in data:
        item.description = fields.text(data, "description", _("Mô tả"), max_len=5000)
    if "evidence_requirement" in data:
        item.evidence_requirement = fields.text(
            data, "evidence_requirement", _("Yêu cầu minh chứng"), max_len=500
        )
    if "org_unit_id" in data:
        unit_id = fields.ident(data["org_unit_id"], "org_unit_id", _("Bộ phận phụ trách"))
        if unit_id is not None:
            try:
                org.get_org_unit(unit_id)
            except NotFound:
                raise ServiceError(
                    "unknown_unit",
                    _("Bộ phận phụ trách không tồn tại trong đơn vị."),
                    "org_unit_id",
                ) from None
        item.org_unit_id = unit_id
    if item.kind == "indicator":
        for name, label, choices in (
            ("direction", _("Chiều đánh giá"), DIRECTIONS),
            ("scoring_method", _("Phương pháp chấm"), SCORING_METHODS),
            ("aggregation", _("Cách tổng hợp trong kỳ"), AGGREGATIONS),
        ):
            if name in data or getattr(item, name) is None:
                setattr(item, name, fields.choice(data.get(name), name, label, choices))
        if item.direction == "yes_no" and item.scoring_method != "pass_fail":
            raise ServiceError(
                "invalid_method",
                _("Chỉ tiêu đạt/không đạt phải chấm theo phương pháp đạt/không đạt."),
                "scoring_method",
            )
    else:
        for name in ("direction", "scoring_method", "aggregation"):
            if data.get(name) is not None:
                raise ServiceError(
                    "not_for_work_item",
                    _(
                        "Sản phẩm/công việc không có chiều đánh giá, phương pháp chấm, "
                        "cách tổng hợp."
                    ),
                    name,
                )


def create_item(data: dict, *, from_template: bool = False) -> CatalogueItem:
    """Create a work item or indicator with its first version from ``effective_from``.

    Without a date the version starts on the first day of the earliest open period, else today
    (``catalogue_dates.default_effective_from``), so the new item serves the running month.

    Only the template path (``from_template=True``: rollout, demo) may set canonical_code,
    mandatory and the allowed range; a unit's own items are ``origin='local'``.
    Raises ServiceError naming the field, Conflict for a duplicate code.
    """
    fields.unknown_keys(data, ITEM_FIELDS)
    if not from_template:
        for name in TEMPLATE_FIELDS:
            if data.get(name) not in (None, False):
                raise ServiceError(
                    "template_only",
                    _(
                        "Chỉ mục thuộc mẫu của tỉnh mới có mã chuẩn, tính bắt buộc "
                        "và khoảng cho phép."
                    ),
                    name,
                )
    kind = fields.choice(data.get("kind"), "kind", _("Loại mục"), ITEM_KINDS)
    item = CatalogueItem(kind=kind, code=None, name=None, unit_of_measure=None)
    item.origin = "template" if from_template else "local"
    item.active = bool(data.get("active", True))
    _apply_details(item, data)
    if from_template:
        item.canonical_code = fields.code(data, "canonical_code", _("Mã chuẩn"), required=False)
        if item.canonical_code is not None:
            other = db.session.execute(
                sa.select(CatalogueItem).where(CatalogueItem.canonical_code == item.canonical_code)
            ).scalar_one_or_none()
            if other is not None:
                raise Conflict(
                    "duplicate_canonical_code",
                    _("Mã chuẩn đã có trong danh mục của đơn vị."),
                    "canonical_code",
                )
        item.mandatory = bool(data.get("mandatory", False))
        item.allowed_min, item.allowed_max = values.allowed_range(data)
    db.session.add(item)
    db.session.flush()
    new = values.build(item, None, data)
    values.check_allowed(item, None, new)
    on = fields.day(data.get("effective_from"), "effective_from", _("Ngày hiệu lực"))
    on = on or catalogue_dates.default_effective_from()
    db.session.add(CatalogueVersion(item_id=item.id, effective_from=on, **new))
    _set_positions(item, data.get("position_ids"))
    db.session.flush()
    audit.record(
        "catalogue_item.created",
        object_type="catalogue_item",
        object_id=item.id,
        after=snapshot(item),
    )
    return item


def update_item(item: CatalogueItem, data: dict) -> CatalogueItem:
    """Change an item; new values become a new version from ``effective_from`` (default today).

    With the values unchanged, a different ``effective_from`` moves the current version's date
    (``catalogue_dates.redate``). Refuses (ServiceError naming the field) what the template
    guard-rails forbid, a new version dated on or before the latest one, a move that would change
    what a closed period or an assignment used, and deactivating a mandatory item.
    """
    fields.unknown_keys(data, ITEM_FIELDS)
    before = snapshot(item)
    for name in TEMPLATE_FIELDS:
        if name in data and data[name] != getattr(item, name):
            raise ServiceError(
                "template_field",
                _("Mã chuẩn, tính bắt buộc và khoảng cho phép do mẫu của tỉnh quy định."),
                name,
            )
    if "kind" in data and data["kind"] != item.kind:
        raise ServiceError("kind_locked", _("Không thể đổi loại của mục đã tạo."), "kind")
    if item.mandatory:
        for name in LOCKED_WHEN_MANDATORY:
            if name in data and data[name] != getattr(item, name):
                raise ServiceError(
                    "mandatory_locked",
                    _("Mục bắt buộc theo mẫu của tỉnh: không được thay đổi trường này."),
                    name,
                )
    if "active" in data and not data["active"] and item.active:
        _refuse_if_mandatory(item)
    if "active" in data:
        item.active = bool(data["active"])
    _apply_details(item, data)
    if "position_ids" in data:
        _set_positions(item, data["position_ids"])
    latest = latest_version(item)
    new = values.build(item, latest, data)
    if latest is None or new != values.as_columns(latest):
        values.check_allowed(item, latest, new)
        on = fields.day(data.get("effective_from"), "effective_from", _("Ngày hiệu lực"))
        on = on or date.today()
        if latest is not None and on <= latest.effective_from:
            raise ServiceError(
                "version_date",
                _(
                    "Giá trị mới phải có ngày hiệu lực sau ngày %(d)s của phiên bản hiện hành; "
                    "phiên bản cũ được giữ nguyên cho các kỳ đã dùng.",
                    d=latest.effective_from.strftime("%d/%m/%Y"),
                ),
                "effective_from",
            )
        db.session.add(CatalogueVersion(item_id=item.id, effective_from=on, **new))
    elif data.get("effective_from"):
        on = fields.day(data["effective_from"], "effective_from", _("Ngày hiệu lực"))
        history = versions(item)
        previous = history[-2] if len(history) > 1 else None
        catalogue_dates.redate(item, latest, previous, on)
    db.session.flush()
    after = snapshot(item)
    if after != before:
        audit.record(
            "catalogue_item.updated",
            object_type="catalogue_item",
            object_id=item.id,
            before=before,
            after=after,
        )
    return item


def _refuse_if_mandatory(item: CatalogueItem) -> None:
    if item.mandatory:
        raise Conflict(
            "mandatory_item",
            _("Mục bắt buộc theo mẫu của tỉnh: không được xóa hoặc ngừng sử dụng."),
            "active",
        )


def deactivate_item(item: CatalogueItem) -> CatalogueItem:
    """Stop using an item (DELETE): its versions stay for the periods that used it."""
    _refuse_if_mandatory(item)
    if item.active:
        item.active = False
        audit.record(
            "catalogue_item.deactivated",
            object_type="catalogue_item",
            object_id=item.id,
            before={"active": True},
            after={"active": False},
        )
    return item
