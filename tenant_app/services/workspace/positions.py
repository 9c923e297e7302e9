"""Job positions (vị trí việc làm): the tenant's catalogue of posts, created, changed, retired.

Functions take plain dicts and leave the commit to the caller (see ``services.workspace.org``).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.org import POSITION_GROUPS, JobPosition
from tenant_app.models.staff import StaffAssignment
from tenant_app.services.errors import Conflict
from tenant_app.services.workspace import fields
from tenant_app.services.workspace.lookup import by_code, check_unique_code, get_scoped

POSITION_FIELDS = ("code", "name", "position_group", "description")


def get_position(position_id) -> JobPosition:
    """Return the job position of the tenant in context, or raise NotFound."""
    return get_scoped(JobPosition, position_id, _("Không tìm thấy vị trí việc làm."))


def find_position(code: str) -> JobPosition | None:
    return by_code(JobPosition, code)


def _position_snapshot(position: JobPosition) -> dict:
    return {
        "code": position.code,
        "name": position.name,
        "position_group": position.position_group,
        "description": position.description,
        "active": position.active,
    }


def build_position(data: dict) -> JobPosition:
    """Return a new, unsaved job position from ``data`` (code, name, position_group,
    description?), its fields checked; raises ServiceError naming the field. Not added to the
    session, not audited: ``create_position`` does both, and a rollout writes many at once."""
    fields.unknown_keys(data, POSITION_FIELDS)
    return JobPosition(
        code=fields.code(data, "code", _("Mã vị trí việc làm")),
        name=fields.text(data, "name", _("Tên vị trí việc làm"), max_len=200, required=True),
        position_group=fields.choice(
            data.get("position_group"), "position_group", _("Nhóm vị trí"), POSITION_GROUPS
        ),
        description=fields.text(data, "description", _("Mô tả"), max_len=5000),
    )


def position_snapshot(position: JobPosition) -> dict:
    """The position's fields as its audit events record them."""
    return _position_snapshot(position)


def create_position(data: dict) -> JobPosition:
    """Create a job position from ``data`` (code, name, position_group, description?)."""
    position = build_position(data)
    check_unique_code(
        JobPosition, position.code, None, _("Mã vị trí việc làm đã được sử dụng trong đơn vị.")
    )
    db.session.add(position)
    db.session.flush()
    audit.record(
        "position.created",
        object_type="job_position",
        object_id=position.id,
        after=_position_snapshot(position),
    )
    return position


def update_position(position: JobPosition, data: dict) -> JobPosition:
    """Change a job position's code, name, group or description."""
    fields.unknown_keys(data, POSITION_FIELDS)
    before = _position_snapshot(position)
    if "code" in data:
        code = fields.code(data, "code", _("Mã vị trí việc làm"))
        check_unique_code(
            JobPosition, code, position.id, _("Mã vị trí việc làm đã được sử dụng trong đơn vị.")
        )
        position.code = code
    if "name" in data:
        position.name = fields.text(
            data, "name", _("Tên vị trí việc làm"), max_len=200, required=True
        )
    if "position_group" in data:
        position.position_group = fields.choice(
            data["position_group"], "position_group", _("Nhóm vị trí"), POSITION_GROUPS
        )
    if "description" in data:
        position.description = fields.text(data, "description", _("Mô tả"), max_len=5000)
    after = _position_snapshot(position)
    if after != before:
        audit.record(
            "position.updated",
            object_type="job_position",
            object_id=position.id,
            before=before,
            after=after,
        )
    return position


def deactivate_position(position: JobPosition) -> JobPosition:
    """Retire a position; refused while someone currently holds it."""
    held = db.session.execute(
        sa.select(sa.func.count())
        .select_from(StaffAssignment)
        .where(StaffAssignment.position_id == position.id, StaffAssignment.effective_to.is_(None))
    ).scalar_one()
    if held:
        raise Conflict(
            "position_in_use",
            _("Không thể ngừng sử dụng vị trí việc làm đang có người đảm nhiệm."),
            "active",
        )
    if position.active:
        position.active = False
        audit.record(
            "position.deactivated",
            object_type="job_position",
            object_id=position.id,
            before={"active": True},
            after={"active": False},
        )
    return position
