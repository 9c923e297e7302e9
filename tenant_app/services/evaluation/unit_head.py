"""The head of the unit (người đứng đầu): the explicit per-unit setting, who it names, its change.

``Tenant.settings["unit_head"]`` says how the head is found:

- ``{"mode": "top_org_unit", "org_unit": None}``: the head of the top org unit, that is the head of
  the highest unit of the chart that has one (when two units at that level both have a head the
  administrator must name the unit: ``"org_unit": "<code>"``);
- ``{"mode": "post", "position": "<code>"}``: the one person currently holding that job position.

A unit without the setting uses the first mode. Nothing else decides who the head is: approval,
publication and the competent higher level's duty (``tenancy.door.head_review_write``) all ask
``unit_head``; never "a manager with no manager".
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.org import JobPosition, OrgUnit
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.tenancy.context import current_tenant_id, get_current_tenant

SETTING = "unit_head"
HEAD_MODES = ("top_org_unit", "post")
HEAD_MODE_LABELS = {
    "top_org_unit": _l("Người đứng đầu đơn vị cấp cao nhất trong sơ đồ tổ chức"),
    "post": _l("Người giữ vị trí việc làm được chỉ định"),
}
DEFAULT_SETTING = {"mode": "top_org_unit", "org_unit": None, "position": None}


def _tenant_in_context(tenant):
    """The tenant asked about; it must be the one in context (the setting reads its rows)."""
    tenant = tenant if tenant is not None else get_current_tenant()
    if tenant is None or tenant.id != current_tenant_id():
        raise RuntimeError("unit_head needs the unit in context")
    return tenant


def head_setting(tenant=None) -> dict:
    """The unit's head setting with every key present (the default when none is stored)."""
    tenant = _tenant_in_context(tenant)
    stored = (tenant.settings or {}).get(SETTING) or {}
    setting = {**DEFAULT_SETTING, **{k: stored.get(k) for k in DEFAULT_SETTING if k in stored}}
    if setting["mode"] not in HEAD_MODES:
        setting["mode"] = DEFAULT_SETTING["mode"]
    return setting


def _serving(staff_ids, on: date) -> dict:
    """The staff records among ``staff_ids`` still serving on ``on``, by id."""
    if not staff_ids:
        return {}
    rows = db.session.execute(
        sa.select(StaffMember).where(
            StaffMember.id.in_(list(staff_ids)),
            StaffMember.start_date <= on,
            sa.or_(StaffMember.end_date.is_(None), StaffMember.end_date >= on),
        )
    ).scalars()
    return {row.id: row for row in rows}


def _head_of_top_unit(code: str | None, on: date) -> StaffMember | None:
    units = list(db.session.execute(sa.select(OrgUnit).where(OrgUnit.active.is_(True))).scalars())
    if code:
        named = [u for u in units if u.code == code and u.head_staff_id is not None]
        return _serving([named[0].head_staff_id], on).get(named[0].head_staff_id) if named else None
    ids = {u.id for u in units}
    level = [u for u in units if u.parent_id is None or u.parent_id not in ids]
    while level:
        heads = {u.head_staff_id for u in level if u.head_staff_id is not None}
        serving = _serving(heads, on)
        if serving:
            # Two heads at the top level: ambiguous, the administrator must name the unit.
            return next(iter(serving.values())) if len(serving) == 1 else None
        below = {u.id for u in level}
        level = [u for u in units if u.parent_id in below]
    return None


def _holder_of_post(code: str | None, on: date) -> StaffMember | None:
    if not code:
        return None
    holders = db.session.execute(
        sa.select(StaffAssignment.staff_id)
        .join(JobPosition, tenant_join(JobPosition.id, StaffAssignment.position_id))
        .where(
            JobPosition.code == code,
            StaffAssignment.effective_from <= on,
            sa.or_(StaffAssignment.effective_to.is_(None), StaffAssignment.effective_to > on),
        )
    ).scalars()
    serving = _serving(set(holders), on)
    return next(iter(serving.values())) if len(serving) == 1 else None


def unit_head(tenant=None, on: date | None = None) -> StaffMember | None:
    """Return the staff record of the unit's head on ``on`` (default today), per the setting.

    None when the setting names nobody (no head recorded, the post vacant or held by several).
    ``tenant`` must be the unit in context (default: it).
    """
    setting = head_setting(tenant)
    on = on or date.today()
    if setting["mode"] == "post":
        return _holder_of_post(setting["position"], on)
    return _head_of_top_unit(setting["org_unit"], on)


def is_unit_head(person: StaffMember | None, on: date | None = None) -> bool:
    """Whether ``person`` is the unit's head (see ``unit_head``)."""
    head = unit_head(on=on) if person is not None else None
    return head is not None and head.id == person.id


def set_head_setting(
    *, mode: str, org_unit: str | None = None, position: str | None = None, actor
) -> dict:
    """Change how the unit's head is found; only a unit administrator. Audited; caller commits.

    Raises ServiceError (403) for anyone else and for an unknown mode, org unit or position.
    Returns the stored setting.
    """
    if actor is None or getattr(actor, "is_province", False) or not actor.has_role("unit_admin"):
        raise ServiceError(
            "forbidden", _("Chỉ quản trị đơn vị mới thay đổi người đứng đầu."), status=403
        )
    if mode not in HEAD_MODES:
        raise ServiceError(
            "invalid_mode", _("Cách xác định người đứng đầu không hợp lệ."), field="mode"
        )
    org_unit = (org_unit or "").strip() or None
    position = (position or "").strip() or None
    if mode == "post":
        org_unit = None
        if position is None or _by_code(JobPosition, position) is None:
            raise ServiceError(
                "invalid_position", _("Chọn vị trí việc làm của người đứng đầu."), field="position"
            )
    else:
        position = None
        if org_unit is not None and _by_code(OrgUnit, org_unit) is None:
            raise ServiceError(
                "invalid_org_unit",
                _("Không tìm thấy đơn vị trong sơ đồ tổ chức."),
                field="org_unit",
            )
    tenant = _tenant_in_context(None)
    before = head_setting(tenant)
    after = {"mode": mode, "org_unit": org_unit, "position": position}
    if after == before and SETTING in (tenant.settings or {}):
        return after
    tenant.settings = {**(tenant.settings or {}), SETTING: after}
    head = unit_head(tenant)
    audit.record(
        "tenant.unit_head_changed",
        object_type="tenant",
        object_id=tenant.id,
        before=before,
        after={**after, "head_staff_id": None if head is None else head.id},
        actor=actor,
    )
    return after


def _by_code(model, code: str):
    return db.session.execute(
        sa.select(model).where(model.code == code, model.active.is_(True))
    ).scalar_one_or_none()
